"""归档文件目录 (DA/T 22-2015 8.1, 附录 B) and 备考表 (附录 C) of one class: .docx, CSV and XLSX.

The CSV is also the machine-readable catalogue that :mod:`archive.annual.verify` reads back: one row a
件, the columns of the standard in their order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archive.annual import _docx
from archive.annual.arrange import RETENTION_NAMES, ArchiveClass, Arrangement, Item
from archive.chinese import date_text

COLUMNS = ("序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注")
CATALOGUE_NAME = "归档文件目录"
NOTE_NAME = "备考表"
# landscape A4, 257 mm between the margins
WIDTHS_MM = (10, 42, 30, 30, 72, 22, 12, 10, 29)


@dataclass(frozen=True)
class CatalogueRow:
    serial: int
    code: str
    doc_number: str
    responsible: str
    title: str
    date: str  # YYYYMMDD
    classification: str
    pages: int
    remark: str

    def cells(self) -> list[str]:
        return [
            str(self.serial),
            self.code,
            self.doc_number,
            self.responsible,
            self.title,
            self.date,
            self.classification,
            str(self.pages),
            self.remark,
        ]


def rows_for(cls: ArchiveClass, pages: Mapping[str, int]) -> list[CatalogueRow]:
    return [_row(item, pages[item.code]) for item in cls.items]


def _row(item: Item, pages: int) -> CatalogueRow:
    record = item.record
    return CatalogueRow(
        serial=item.number,
        code=item.code,
        doc_number=record.doc_number or "",
        responsible=item.responsible,
        title=item.catalogue_title,
        date=record.date.strftime("%Y%m%d") if record.date else "",
        classification=record.classification,
        pages=pages,
        remark=item.remark,
    )


def csv_bytes(rows: Sequence[CatalogueRow]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel on an office PC reads the Chinese), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.cells())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a catalogue CSV as dicts keyed by the Chinese column names."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_xlsx(rows: Sequence[CatalogueRow], path: Path, heading: str, when: dt.datetime) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = CATALOGUE_NAME
    sheet.append([heading])
    sheet.append(list(COLUMNS))
    for row in rows:
        values: list[str | int] = [*row.cells()]
        values[0], values[7] = row.serial, row.pages
        sheet.append(values)
    sheet["A1"].font = Font(name="黑体", size=14)
    for cell in sheet[2]:
        cell.font = Font(name="黑体", size=10.5)
        cell.alignment = Alignment(horizontal="center")
    for letter, width in zip("ABCDEFGHI", (6, 24, 20, 24, 50, 10, 6, 6, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    book.properties.creator = "renda"
    book.properties.created = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_docx.normalise_zip(buffer.getvalue(), when))


def write_catalogue_docx(
    arrangement: Arrangement, cls: ArchiveClass, rows: Sequence[CatalogueRow], path: Path, when: dt.datetime
) -> None:
    """Cover (全宗名称, 年度, 保管期限, 机构) then the table, its header row repeated on every page."""
    document = _docx.new_document(landscape=True, margins_mm=(20, 20, 20, 20))
    _docx.paragraph(document, CATALOGUE_NAME, font=_docx.XBS, size_pt=36, align="center", before_pt=90, after_pt=60)
    cover = [
        ("全宗名称", arrangement.fonds_name),
        ("全 宗 号", arrangement.fonds_code),
        ("年    度", str(arrangement.year)),
        ("保管期限", RETENTION_NAMES[cls.retention]),
        ("机构（问题）", cls.organ_name or "—"),
    ]
    for label, value in cover:
        _docx.paragraph(document, f"{label}：{value}", font=_docx.FANG, size_pt=18, align="center", after_pt=12)
    _docx.paragraph(
        document, CATALOGUE_NAME, font=_docx.XBS, size_pt=22, align="center", after_pt=12, page_break_before=True
    )
    table_rows: list[Sequence[_docx.Cell | str]] = [[_docx.Cell(c, bold_font=True) for c in COLUMNS]]
    for row in rows:
        cells = row.cells()
        table_rows.append(
            [
                *cells[:4],
                _docx.Cell(cells[4], align="left"),
                *cells[5:8],
                _docx.Cell(cells[8], align="left"),
            ]
        )
    _docx.table(document, table_rows, WIDTHS_MM, size_pt=9, row_height_mm=10, header_rows=1)
    _docx.save_docx(document, path, when, f"{arrangement.fonds_name}{arrangement.year}年{CATALOGUE_NAME}", "renda")


def write_note_docx(
    arrangement: Arrangement,
    cls: ArchiveClass,
    path: Path,
    when: dt.datetime,
    *,
    arranger: str,
    checker: str,
    withheld: int,
    drafts: int,
) -> None:
    """备考表: the state of the class's 件, who arranged and checked it, and when."""
    document = _docx.new_document(margins_mm=(37, 26, 35, 28))
    _docx.paragraph(document, NOTE_NAME, font=_docx.XBS, size_pt=22, align="center", after_pt=24)
    state = [
        f"本类（{arrangement.year}年度，{cls.label}）共 {len(cls.items)} 件，"
        f"件号 0001 至 {len(cls.items):04d}，逐件核对页数，无缺损、无修改。",
    ]
    if withheld:
        state.append(f"本年度另有 {withheld} 件因密级高于本机关允许范围，未列入本电子归档包，另行移交。")
    if drafts:
        state.append(f"本年度有 {drafts} 件草稿未定稿，未归档。")
    _docx.paragraph(document, "盒内文件情况说明：", font=_docx.HEI, size_pt=16)
    for text in state:
        _docx.paragraph(document, text, size_pt=16, indent_chars=2)
    day = date_text(when.date())
    for label, value in (
        ("整理人", arranger),
        ("整理日期", day),
        ("检查人", checker),
        ("检查日期", day if checker else ""),
    ):
        _docx.paragraph(document, f"{label}：{value}", size_pt=16, before_pt=12)
    _docx.save_docx(document, path, when, f"{arrangement.year}年度{cls.label}{NOTE_NAME}", "renda")
