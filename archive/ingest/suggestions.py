"""Importing the session secretariat's list of 代表建议 (XLSX or CSV) as ``suggestion`` records.

One record per row, ``records/<year>/suggestion-<year>-<编号>.yaml``.  The usual headers are mapped (编号, 案由,
领衔代表, 附议代表, 类别, 主办单位, 会办单位, 内容, and optionally 提出日期, 交办日期); deputies are written by name
(or registry id) and resolved against the registry for the 届 of the date.  Every bad row is reported with its
row number and column; nothing is written from a file with an error unless ``skip_bad``.  No existing record
is overwritten: a row whose record is already there with the same 案由 is "already imported" (so importing the
same file again adds nothing), with another 案由 it is an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archive.catalog import Catalog, load_catalog
from archive.errors import IngestError
from archive.fileio import write_new
from archive.glyphs import hidden_characters
from archive.proposals import BETWEEN_SESSIONS
from archive.records import Deputy
from archive.schema import date_problem
from archive.workspace import Workspace

Bad = Callable[[str, str], None]  # bad(column key, message): note a problem of the row being read

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
# header → field; the first names are the secretariat's usual ones
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "number": ("编号", "建议编号", "序号", "号"),
    "title": ("案由", "标题", "建议题目", "题目"),
    "lead": ("领衔代表", "领衔人", "提出人", "代表"),
    "cosigners": ("附议代表", "附议人", "联名代表"),
    "category": ("类别", "分类"),
    "lead_organ": ("主办单位", "承办单位", "主办"),
    "co_organs": ("会办单位", "协办单位", "会办"),
    "body": ("内容", "建议内容", "正文"),
    "date": ("提出日期", "日期"),
    "assigned": ("交办日期",),
}
REQUIRED = ("number", "title", "lead", "category")
_SPLIT = re.compile(r"[、，,;；\s]+")
_NUMBER = re.compile(r"^第?\s*(\d{1,5})\s*号?$")


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number as the spreadsheet shows it (the header is row 1 when it is the first)
    column: str
    message: str

    def line(self, file: str) -> str:
        return f"{file}:{self.row}: {self.column}: {self.message}"


@dataclass
class SheetImport:
    """What importing one list did (or, with errors and no ``skip_bad``, would have done)."""

    file: str
    written: list[str] = field(default_factory=list)  # sources of the new records
    existing: list[str] = field(default_factory=list)  # rows already imported earlier: their record ids
    problems: list[RowProblem] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "written": self.written,
            "existing": self.existing,
            "problems": [{"row": p.row, "column": p.column, "message": p.message} for p in self.problems],
            "skipped_rows": self.skipped_rows,
        }


@dataclass(frozen=True)
class ImportDefaults:
    """Values the list itself may not carry: the day raised, the sitting, the day assigned."""

    date: dt.date | None = None
    session: int | str | None = None  # 第N次会议, or 闭会期间
    assigned: dt.date | None = None


def import_suggestions(
    workspace: Workspace, path: Path, defaults: ImportDefaults = ImportDefaults(), skip_bad: bool = False
) -> SheetImport:
    """Import the list at ``path``; raises :class:`IngestError` when the file itself cannot be read."""
    result = SheetImport(path.name)
    header_row, header, rows = _read(path)
    columns = _map_columns(header, header_row, result)
    if result.problems:
        return result
    catalog = load_catalog(workspace)
    builder = _Builder(workspace, catalog, columns, defaults)
    planned: list[tuple[int, str, dict[str, Any]]] = []
    for row_number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        before = len(result.problems)
        built = builder.build(row_number, cells, result.problems)
        if len(result.problems) > before or built is None:
            continue
        rid, data = built
        existing = builder.existing.get(rid)
        if existing is not None:
            if existing == data["title"]:
                result.existing.append(rid)
            else:
                column = builder.header_of("number")
                result.problems.append(
                    RowProblem(row_number, column, f"记录 {rid} 已存在（案由“{existing}”），不会覆盖；请核对编号")
                )
            continue
        planned.append((row_number, rid, data))
    if result.problems and not skip_bad:
        return result
    result.skipped_rows = result.bad_rows
    for _, rid, data in planned:
        target = workspace.records_dir / rid.split("-")[1] / f"{rid}.yaml"
        write_new(target, record_text(data).encode("utf-8"), IngestError)
        result.written.append(workspace.relative(target))
    return result


def record_text(data: Mapping[str, Any]) -> str:
    head = "# 代表建议：由 renda import 从会议秘书处的建议汇总表导入；交办、答复和评价请在 handling 下补充。\n"
    return head + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=1000)


# -- reading ---------------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    """The header's row number, the header, and the rows after it as text cells."""
    if not path.is_file():
        raise IngestError(f"找不到文件 {path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise IngestError(f"{path.name} 有 {size / 1048576:.0f} MB，超过 {MAX_BYTES // 1048576} MB 的上限")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = list(_xlsx_rows(path))
    elif suffix == ".csv":
        rows = list(_csv_rows(path))
    else:
        raise IngestError(f"{path.name} 不是 XLSX 或 CSV 文件；建议汇总表请另存为 .xlsx 或 .csv")
    if len(rows) > MAX_ROWS:
        raise IngestError(f"{path.name} 有 {len(rows)} 行，超过 {MAX_ROWS} 行的上限")
    for index, cells in enumerate(rows):
        if any(c.strip() for c in cells):
            return index + 1, [c.strip() for c in cells], ((i + 1, c) for i, c in enumerate(rows) if i > index)
    raise IngestError(f"{path.name} 是空表，没有表头和数据")


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise IngestError(f"{path.name} 不是有效的 XLSX 文件（{type(exc).__name__}）") from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told otherwise
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise IngestError(f"{path.name} 的编码既不是 UTF-8 也不是 GBK")
    yield from csv.reader(io.StringIO(text, newline=""))


def _map_columns(header: Sequence[str], row: int, result: SheetImport) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, names in COLUMNS.items():
            if name in names and key not in columns:
                columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            result.problems.append(
                RowProblem(row, COLUMNS[key][0], f"表头缺少“{COLUMNS[key][0]}”列（表头为：{'、'.join(header)}）")
            )
    return columns


# -- one row -------------------------------------------------------------------------------------------


class _Builder:
    def __init__(
        self, workspace: Workspace, catalog: Catalog, columns: Mapping[str, int], defaults: ImportDefaults
    ) -> None:
        self.workspace = workspace
        self.config = workspace.config
        self.columns = columns
        self.defaults = defaults
        self.deputies = [r for r in catalog.records if isinstance(r, Deputy)]
        self.existing = {
            str(f.document.data.get("id")): str(f.document.data.get("title"))
            for f in catalog.files
            if f.document is not None and isinstance(f.document.data, dict)
        }
        self.existing.update({Path(f.source).stem: "" for f in catalog.files if f.document is None})
        self.seen: dict[str, int] = {}

    def header_of(self, key: str) -> str:
        return COLUMNS[key][0]

    def cell(self, cells: Sequence[str], key: str) -> str:
        index = self.columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def build(self, row: int, cells: Sequence[str], problems: list[RowProblem]) -> tuple[str, dict[str, Any]] | None:
        """The record of spreadsheet row ``row``, or None with what is wrong added to ``problems``."""

        def bad(key: str, message: str) -> None:
            problems.append(RowProblem(row, self.header_of(key), message))

        start = len(problems)
        self._check_cells(cells, bad)
        day = self._date(cells, "date", self.defaults.date, bad)
        if day is None and not self.cell(cells, "date"):
            bad("date", "没有提出日期：请在表中加“提出日期”列，或用 --date 给出")
        assigned = self._date(cells, "assigned", self.defaults.assigned, bad)
        number = self._number(cells, bad)
        self._check_category_and_title(cells, bad)
        if day is None or number is None:
            return None
        term = self.config.term_of(day)
        if term is None:
            bad("date", f"{day.isoformat()} 不在 renda.yaml 届次表的任何一届内")
            return None
        lead, cosigners = self._signers(cells, day, term.number, bad)
        rid = f"suggestion-{day.year}-{number:03d}"
        if rid in self.seen:
            bad("number", f"编号 {number} 与第 {self.seen[rid]} 行重复")
            return None
        self.seen[rid] = row
        if self.cell(cells, "lead_organ") and assigned is None and not self.cell(cells, "assigned"):
            bad("lead_organ", "有主办单位但没有交办日期：请在表中加“交办日期”列，或用 --assigned 给出")
        if lead is None or len(problems) > start:
            return None
        data = self._record(cells, rid, term.number, day, number, lead, cosigners, assigned)
        for issue in self.workspace.schemas.check("suggestion", data):  # what the checks above did not foresee
            key = str(issue.path[0]) if issue.path else "number"
            if key == "handling" and len(issue.path) > 1:
                key = str(issue.path[1])
            bad(key if key in COLUMNS else "number", issue.message)
        return (rid, data) if len(problems) == start else None

    def _check_cells(self, cells: Sequence[str], bad: Bad) -> None:
        """No invisible characters anywhere; the required columns filled."""
        for key in self.columns:
            text = self.cell(cells, key)
            hidden = hidden_characters(text.replace("\n", "").replace("\r", "").replace("\t", ""))
            if hidden:
                bad(key, f"含有不可见字符 {'、'.join(f'U+{ord(c):04X}' for c in hidden)}")
        for key in REQUIRED:
            if not self.cell(cells, key):
                bad(key, "不能为空")

    def _number(self, cells: Sequence[str], bad: Bad) -> int | None:
        number_text = self.cell(cells, "number")
        match = _NUMBER.match(number_text)
        if number_text and not match:
            bad("number", f"应为正整数（如 12 或 第12号），实际为“{number_text}”")
        return int(match.group(1)) if match else None

    def _check_category_and_title(self, cells: Sequence[str], bad: Bad) -> None:
        category = self.cell(cells, "category")
        if category and category not in self.config.proposals.categories:
            known = "、".join(self.config.proposals.categories)
            bad("category", f"类别“{category}”不在 renda.yaml 的 proposals.categories 中（可用：{known}）")
        title = " ".join(self.cell(cells, "title").split())
        if title and not 2 <= len(title) <= 200:
            bad("title", f"应为 2 至 200 个字，实际 {len(title)} 个字")

    def _signers(self, cells: Sequence[str], day: dt.date, term: int, bad: Bad) -> tuple[str | None, list[str]]:
        """The lead deputy's and the co-signers' registry ids, each serving in ``term`` on ``day``."""
        lead = self._deputy(self.cell(cells, "lead"), day, term, "lead", bad) if self.cell(cells, "lead") else None
        cosigners: list[str] = []
        for name in _SPLIT.split(self.cell(cells, "cosigners")):
            if name:
                who = self._deputy(name, day, term, "cosigners", bad)
                if who and (who == lead or who in cosigners):
                    bad("cosigners", f"“{name}”重复列出（领衔代表不必列入附议代表）")
                elif who:
                    cosigners.append(who)
        return lead, cosigners

    def _record(
        self,
        cells: Sequence[str],
        rid: str,
        term: int,
        day: dt.date,
        number: int,
        lead: str,
        cosigners: list[str],
        assigned: dt.date | None,
    ) -> dict[str, Any]:
        """The suggestion record of a row that passed every check."""
        data: dict[str, Any] = {
            "id": rid,
            "type": "suggestion",
            "term": term,
            "date": day.isoformat(),
            "title": " ".join(self.cell(cells, "title").split()),
            "classification": "公开",
            "status": "final",
            "number": number,
            "session": self.defaults.session if self.defaults.session is not None else BETWEEN_SESSIONS,
            "lead": lead,
        }
        if cosigners:
            data["cosigners"] = cosigners
        data["category"] = self.cell(cells, "category")
        body = [" ".join(p.split()) for p in re.split(r"[\r\n]+", self.cell(cells, "body")) if p.strip()]
        if body:
            data["body"] = body
        lead_organ = self.cell(cells, "lead_organ")
        if lead_organ and assigned is not None:
            handling: dict[str, Any] = {"assigned": assigned.isoformat(), "lead_organ": lead_organ}
            co = [o for o in _SPLIT.split(self.cell(cells, "co_organs")) if o]
            if co:
                handling["co_organs"] = co
            data["handling"] = handling
        return data

    def _date(self, cells: Sequence[str], key: str, default: dt.date | None, bad: Bad) -> dt.date | None:
        text = self.cell(cells, key)
        if not text:
            return default
        text = text.split(" ")[0]
        problem = date_problem(text)
        if problem:
            bad(key, problem)
            return None
        return dt.date.fromisoformat(text)

    def _deputy(self, name: str, day: dt.date, term: int, key: str, bad: Bad) -> str | None:
        """The registry id of the deputy ``name`` (or id) serving in ``term`` on ``day``."""
        named = [d for d in self.deputies if name in (d.id, d.name)]
        serving = [d for d in named if _serves(d, term, day)]
        if len(serving) == 1:
            return serving[0].id
        if len(serving) > 1:
            bad(key, f"代表名册中有 {len(serving)} 名“{name}”（{'、'.join(d.id for d in serving)}），请改写代表编号")
        elif named:
            bad(key, f"“{name}”在 {day.isoformat()} 不是第{term}届在任代表")
        else:
            bad(key, f"代表名册中没有“{name}”")
        return None


def _serves(deputy: Deputy, term: int, day: dt.date) -> bool:
    service = deputy.service(term)
    return (
        service is not None
        and (service.start is None or service.start <= day)
        and (service.end is None or day <= service.end)
    )


def read_session(text: str | None) -> int | str | None:
    """``--session``: a sitting number or 闭会期间."""
    if text is None:
        return None
    text = text.strip()
    m = re.fullmatch(r"第?(\d{1,2})次?(会议)?", text)
    if m:
        return int(m.group(1))
    if text == BETWEEN_SESSIONS:
        return text
    raise IngestError(f"--session 的值无效：应为会议次数（如 5）或“{BETWEEN_SESSIONS}”，实际为“{text}”")
