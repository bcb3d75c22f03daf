"""Raw WordprocessingML for the archive's own documents: the only module of archive.annual touching OOXML.

The archive writes four kinds of .docx that have no record template: the 归档章 sheet (one stamp a page),
the 归档文件目录 with its cover, the 备考表 and the 年度工作统计.  They are plain tables and paragraphs, so
python-docx builds them; borders, exact row heights, fonts with an explicit East-Asian slot and page
margins need raw elements, and those live here.

``save_docx`` writes the package with fixed ZIP timestamps and fixed core properties: python-docx would
otherwise stamp the current time into both and no two builds would be byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.ooxml import el, qn, run_fonts, strip_theme_fonts, sub
from archive.render import layout as L

SONG = L.FONT_SONGTI
HEI = L.FONT_HEITI
FANG = L.FONT_FANGSONG
XBS = L.FONT_XIAOBIAOSONG


@dataclass(frozen=True)
class Cell:
    text: str
    bold_font: bool = False  # 黑体 instead of the table's font
    align: str = "center"  # center / left / right
    size_pt: float | None = None  # None: the table's size


def new_document(*, landscape: bool = False, margins_mm: tuple[float, float, float, float] = (25, 20, 20, 20)) -> Any:
    """An empty A4 document; margins are top, right, bottom, left in millimetres."""
    from docx import Document
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    width, height = (297, 210) if landscape else (210, 297)
    if landscape:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(width), Mm(height)
    top, right, bottom, left = margins_mm
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    # no theme fonts anywhere: every run names its fonts
    strip_theme_fonts(document.styles.element)
    return document


def _run(paragraph: Any, text: str, font: str, size_pt: float) -> None:
    run = paragraph.add_run(text)
    rpr = run._element.get_or_add_rPr()
    rpr.insert(0, run_fonts(font, L.FONT_LATIN))
    sub(rpr, "w:sz", val=round(size_pt * 2))
    sub(rpr, "w:szCs", val=round(size_pt * 2))


def _spacing(paragraph: Any, *, before_pt: float = 0, after_pt: float = 0, line_pt: float | None = None) -> None:
    ppr = paragraph._element.get_or_add_pPr()
    attrs: dict[str, Any] = {"before": round(before_pt * 20), "after": round(after_pt * 20)}
    if line_pt is not None:
        attrs.update(line=round(line_pt * 20), lineRule="exact")
    sub(ppr, "w:spacing", **attrs)


def _align(paragraph: Any, align: str) -> None:
    ppr = paragraph._element.get_or_add_pPr()
    sub(ppr, "w:jc", val={"center": "center", "left": "left", "right": "right"}[align])


def paragraph(
    document: Any,
    text: str,
    *,
    font: str = FANG,
    size_pt: float = 16,
    align: str = "left",
    before_pt: float = 0,
    after_pt: float = 0,
    indent_chars: int = 0,
    page_break_before: bool = False,
) -> None:
    para = document.add_paragraph()
    ppr = para._element.get_or_add_pPr()
    if page_break_before:
        sub(ppr, "w:pageBreakBefore")
    _spacing(para, before_pt=before_pt, after_pt=after_pt)
    if indent_chars:
        sub(ppr, "w:ind", firstLineChars=indent_chars * 100, firstLine=round(indent_chars * size_pt * 20))
    _align(para, align)
    _run(para, text, font, size_pt)


def table(
    document: Any,
    rows: Sequence[Sequence[Cell | str]],
    widths_mm: Sequence[float],
    *,
    font: str = SONG,
    size_pt: float = 10.5,
    row_height_mm: float | None = None,
    exact_height: bool = False,
    header_rows: int = 0,
    border_pt: float = 0.75,
    padding_mm: float = 0.8,
) -> Any:
    """A centred table with single borders, fixed column widths and (optionally) exact row heights."""
    from docx.shared import Mm

    tbl = document.add_table(rows=len(rows), cols=len(widths_mm))
    tbl_pr = tbl._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        sub(borders, f"w:{side}", val="single", sz=round(border_pt * 8), space=0, color="000000")
    margins = el("w:tblCellMar")
    for side in ("left", "right"):
        sub(margins, f"w:{side}", w=L.twips(padding_mm), type="dxa")
    # schema order: …, tblW, jc, …, tblBorders, …, tblLayout, tblCellMar, tblLook
    for node in (el("w:jc", val="center"), borders, el("w:tblLayout", type="fixed"), margins):
        if look is not None:
            look.addprevious(node)
        else:
            tbl_pr.append(node)
    for index, width in enumerate(widths_mm):
        tbl.columns[index].width = Mm(width)
    for r, values in enumerate(rows):
        row = tbl.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        if row_height_mm is not None:
            sub(tr_pr, "w:trHeight", val=L.twips(row_height_mm), hRule="exact" if exact_height else "atLeast")
        if r < header_rows:
            sub(tr_pr, "w:tblHeader")
        for c, value in enumerate(values):
            cell_value = value if isinstance(value, Cell) else Cell(value)
            cell = row.cells[c]
            cell.width = Mm(widths_mm[c])
            tc_pr = cell._tc.get_or_add_tcPr()
            sub(tc_pr, "w:vAlign", val="center")
            para = cell.paragraphs[0]
            _spacing(para)
            _align(para, cell_value.align)
            _run(para, cell_value.text, HEI if cell_value.bold_font else font, cell_value.size_pt or size_pt)
    return tbl


def page_break(document: Any) -> None:
    para = document.add_paragraph()
    run = para.add_run()
    run._element.append(el("w:br", type="page"))


def save_docx(document: Any, path: Path, when: dt.datetime, title: str, author: str) -> None:
    """Save with fixed core properties and ZIP timestamps: the same input gives the same bytes."""
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = when.replace(tzinfo=None)
    props.last_printed = when.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue(), when))


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an OOXML package with one fixed timestamp and fixed permissions (member order kept).

    ``docProps/core.xml`` gets ``when`` as its created and modified dates: openpyxl writes the time of
    saving there whatever the workbook says.
    """
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    iso = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    content,
                )
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, content)
    return out.getvalue()
