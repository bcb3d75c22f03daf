"""The 归档章 (DA/T 22-2015 7.5): its fields, and the stamp sheet LibreOffice turns into PDF.

    全宗号 | 年度     | 件号
    机构   | 保管期限 | 页数

The stamp is drawn at the top centre of page 1, in the 天头 above the text block (which starts 37 mm
below the page top; the 信函格式 标志 starts at 30 mm), so it never covers the document.  Cells are
15 mm × 8 mm (practice: the specimen of DA/T 22-2015), text 9 pt 宋体, smaller
when a text would not fit on one line.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from archive.annual import _docx
from archive.annual.arrange import RETENTION_NAMES, Item

CELL_WIDTH_MM = 15.0
CELL_HEIGHT_MM = 8.0
TOP_MM = 12.0  # from the page top to the stamp's top edge
FONT_PT = 9.0
MIN_FONT_PT = 5.0
PADDING_MM = 0.4


@dataclass(frozen=True)
class StampFields:
    fonds: str
    year: str
    number: str
    organ: str
    retention: str
    pages: str

    def rows(self) -> list[list[_docx.Cell]]:
        return [
            [_fit(self.fonds), _fit(self.year), _fit(self.number)],
            [_fit(self.organ), _fit(self.retention), _fit(self.pages)],
        ]


def _fit(text: str) -> _docx.Cell:
    """One line in a 15 mm cell: long texts (定期30年, a long organ name) get a smaller size."""
    room_pt = (CELL_WIDTH_MM - 2 * PADDING_MM - 1.5) * 72 / 25.4
    wide = [ord(ch) > 0x2E7F for ch in text]
    # Writer puts a quarter em of space where Chinese meets Latin or digits
    gaps = sum(1 for a, b in itertools.pairwise(wide) if a != b) * 0.25
    width_em = (sum(1.0 if w else 0.6 for w in wide) + gaps) or 1.0
    return _docx.Cell(text, size_pt=max(MIN_FONT_PT, min(FONT_PT, round(room_pt / width_em * 2) / 2)))


def stamp_fields(item: Item, pages: int, organ_name: str | None) -> StampFields:
    return StampFields(
        fonds=item.fonds,
        year=str(item.year),
        number=f"{item.number:04d}",
        organ=organ_name or "",
        retention=RETENTION_NAMES[item.retention],
        pages=str(pages),
    )


def write_stamp_sheet(stamps: Sequence[StampFields], path: Path, when: dt.datetime) -> None:
    """One A4 page per stamp, the stamp table at the top centre."""
    side = (210 - 3 * CELL_WIDTH_MM) / 2
    document = _docx.new_document(margins_mm=(TOP_MM, side, 20, side))
    for index, stamp in enumerate(stamps):
        _docx.table(
            document,
            stamp.rows(),
            [CELL_WIDTH_MM] * 3,
            font=_docx.SONG,
            size_pt=FONT_PT,
            row_height_mm=CELL_HEIGHT_MM,
            exact_height=True,
            padding_mm=PADDING_MM,
        )
        if index < len(stamps) - 1:
            _docx.page_break(document)
    _docx.save_docx(document, path, when, "归档章", "renda")


def read_stamp(pdf: Path | bytes) -> StampFields | None:
    """The 归档章 as it reads on page 1 (pdfplumber, by cell position); None when there is no text there.

    ``pdf`` is a file or the bytes of one (such as ``pdfa.first_page_overlays``).  Positions are taken
    relative to the page, so a page of another size (the overlay is scaled to it) reads the same.  Raises
    ValueError when the PDF cannot be parsed.
    """
    import io

    import pdfplumber

    left = (210 - 3 * CELL_WIDTH_MM) / 2
    cells: list[list[list[str]]] = [[[], [], []], [[], [], []]]
    try:
        with pdfplumber.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as document:
            page = document.pages[0]
            for word in page.extract_words():
                x = (float(word["x0"]) + float(word["x1"])) / 2 / float(page.width) * 210
                y = (float(word["top"]) + float(word["bottom"])) / 2 / float(page.height) * 297
                column = int((x - left) // CELL_WIDTH_MM)
                row = int((y - TOP_MM) // CELL_HEIGHT_MM)
                if 0 <= column < 3 and 0 <= row < 2:
                    cells[row][column].append(word["text"])
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise ValueError(f"{type(exc).__name__}") from exc
    text = [["".join(cell) for cell in row] for row in cells]
    if not any(any(row) for row in text):
        return None
    (fonds, year, number), (organ, retention, pages) = text
    return StampFields(fonds=fonds, year=year, number=number, organ=organ, retention=retention, pages=pages)
