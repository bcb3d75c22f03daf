"""发文登记: the register of the documents issued in a year — every final record with a 发文字号 — and its XLSX.

The caller passes the records the reader may see (``viewer.screen``); the XLSX is marked, in its first row,
with the highest 密级 among its rows, as every output built from classified records is.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archive.clearance import marking
from archive.issuing.workflow import Workflow
from archive.records import Record
from archive.schema import DOC_NUMBER

COLUMNS = ("发文字号", "标题", "主送", "密级", "签发人", "签发日期", "成文日期")
SORTS = {"number": "按发文字号", "date": "按成文日期"}


@dataclass(frozen=True)
class RegisterRow:
    record: Record
    doc_number: str
    code: str  # 代字
    year: int
    seq: int
    addressee: str
    signer: str
    signed: str  # YYYY-MM-DD, "" when the record was issued without the platform's 签发

    @property
    def cells(self) -> list[str]:
        r = self.record
        date = r.date.isoformat() if r.date else ""
        return [self.doc_number, r.title, self.addressee, r.classification, self.signer, self.signed, date]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "doc_number": self.doc_number,
            "title": self.record.title,
            "addressee": self.addressee,
            "classification": self.record.classification,
            "signer": self.signer,
            "signed": self.signed,
            "date": self.record.date.isoformat() if self.record.date else "",
        }


def _row(record: Record) -> RegisterRow | None:
    match = DOC_NUMBER.match(record.doc_number or "")
    if not record.is_final or match is None:
        return None
    data = record.data
    signed = Workflow.of(data).signed or {}
    signer = str(signed.get("name") or "")
    return RegisterRow(
        record=record,
        doc_number=match.group(0),
        code=match.group("code"),
        year=int(match.group("year")),
        seq=int(match.group("seq")),
        addressee=str(data.get("addressee") or ""),
        signer=signer or str(data.get("signatory") or ""),
        signed=str(signed.get("date") or ""),
    )


def register_years(records: Iterable[Record]) -> list[int]:
    """The years (of the 发文字号) that have issued documents, newest first."""
    return sorted({row.year for row in map(_row, records) if row is not None}, reverse=True)


def register_rows(records: Iterable[Record], year: int, sort: str = "number") -> list[RegisterRow]:
    """The issued records of ``year`` (the year of their 发文字号), by 代字 and sequence number (``sort`` number)
    or by 成文日期 (``date``)."""
    rows = [row for row in map(_row, records) if row is not None and row.year == year]
    if sort == "date":
        return sorted(rows, key=lambda r: (r.record.date.isoformat() if r.record.date else "", r.code, r.seq))
    return sorted(rows, key=lambda r: (r.code, r.seq))


def register_xlsx(rows: Sequence[RegisterRow], heading: str) -> bytes:
    """The register as an .xlsx: its 密级 marking, the heading, the column names, one row per document."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "发文登记"
    sheet.append([f"密级：{marking(r.record for r in rows)}"])
    sheet.append([heading])
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row.cells)
    sheet["A1"].font = Font(name="黑体", size=12)
    sheet["A2"].font = Font(name="黑体", size=14)
    for cell in sheet[3]:
        cell.font = Font(name="黑体", size=10.5)
        cell.alignment = Alignment(horizontal="center")
    for letter, width in zip("ABCDEFG", (22, 60, 20, 8, 12, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"
    book.properties.creator = "renda"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
