"""The drafting desk: records opened, checked and saved from the browser, the YAML files staying the one source.

Saving is validating: a record is written only when the same schema and cross-record rules as ``renda validate``
find no error in the workspace with it in place (the site's catalog with that one file replaced, plus whatever
changed on disk since the catalog was loaded: no reload of the workspace).  Every write happens under the
workspace's write lock (a thread lock and ``flock`` on ``.renda/desk.lock``), after reading the file again: a file
changed since the form was opened (by another user or by hand) is a :class:`Conflict`, nothing written; a new
record's id and 发文字号 are checked free under the lock, so two clerks racing for one number never both get it.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import datetime as dt
import difflib
import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, LoadedFile, load_text
from archive.catalog_model import MTIME_MARGIN_NS
from archive.checks import check_changed
from archive.drafting.errors import DraftingError
from archive.drafting.history import commit_file
from archive.drafting.yamledit import control_problems, edit_text, new_text, plain_data
from archive.errors import RendaError, ScaffoldError
from archive.fileio import write_new, write_replace
from archive.problems import Problem, ProblemSink, Severity
from archive.records import Meeting
from archive.scaffold import (
    doc_code,
    opinion_values,
    record_folder,
    render_skeleton,
    skeleton_values,
    taken_ids,
)
from archive.scaffold import next_doc_number as first_free_number
from archive.schema import DOC_NUMBER, RECORD_TYPES, TYPE_LABELS
from archive.source import FieldPath, SourceError, decode_text, format_field, parse_yaml
from archive.walker import walk_records
from archive.workspace import Workspace

LOCK_FILE = ".renda/desk.lock"
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def version_of(text: str | bytes) -> str:
    """``sha256:<64 hex>`` of the file's bytes (text is taken as UTF-8)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Draft:
    """A record as a form shows it."""

    id: str
    type: str  # record type key (opinion, meeting, …)
    source: str | None  # workspace-relative path of the file, None when not yet written
    data: dict[str, Any]  # JSON-plain (dates are 'YYYY-MM-DD' strings, as archive.source parses them)
    version: str  # version_of(file bytes); "" for a record not yet written
    text: str  # the file's YAML text ("" when not yet written)


@dataclass(frozen=True)
class FieldProblem:
    """One problem of a draft, at its field."""

    path: FieldPath  # field path in `data`; () = the whole record
    field: str  # format_field(path), e.g. follow_up.reports[0].received
    message: str  # Chinese, as `renda validate` says it
    severity: str  # "error" | "warning"


@dataclass(frozen=True)
class Conflict:
    """A save refused because the file changed since the form was opened (nothing was written)."""

    source: str
    base_version: str  # the version the form was opened on
    theirs_version: str  # the file's version now ("" when it is gone)
    theirs_text: str  # the file now
    mine_text: str  # the YAML the user tried to save
    diff: str  # unified diff theirs → mine


@dataclass(frozen=True)
class SaveResult:
    """What a save did."""

    draft: Draft | None  # the record as written (new version); None when nothing was written
    problems: tuple[FieldProblem, ...]
    conflict: Conflict | None
    diff: str  # unified diff of the file, old → new ("" when nothing written)
    catalog: Catalog | None  # the site's catalog with this record in place (None when nothing written)
    notes: tuple[str, ...] = ()  # what went wrong after the file was written (the git commit), in Chinese

    @property
    def ok(self) -> bool:
        """Whether the record was written."""
        return self.draft is not None

    @property
    def errors(self) -> tuple[FieldProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass
class _Outcome:
    """A draft checked in the workspace: its text, its problems and the catalog with it in place."""

    source: str
    text: str
    problems: tuple[FieldProblem, ...]
    catalog: Catalog | None = None

    @property
    def blocked(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass
class _DiskState:
    """Record files changed on disk since a catalog was loaded: read again, or gone."""

    files: dict[str, LoadedFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    mtimes: dict[str, int] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    as_of_ns: int = 0  # when the folder was looked at (less the margin of coarse file times)
    listing: list[tuple[str, int, int]] = field(default_factory=list)  # what the walk found


class Desk:
    """Opening, checking and saving records of one workspace (thread-safe; one per site)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------------------------
    def open(self, catalog: Catalog, record_id: str) -> Draft:
        """The record ``record_id`` as it is on disk now (even one with errors, so that they can be fixed)."""
        source = self._source_of(catalog, record_id)
        if source is None:
            raise DraftingError(f"找不到记录“{record_id}”")
        raw, text, data = self._on_disk(source, record_id)
        return Draft(record_id, str(data.get("type", "")), source, data, version_of(raw), text)

    def _on_disk(self, source: str, record_id: str) -> tuple[bytes, str, dict[str, Any]]:
        """The record file's bytes, text and data as they are now; DraftingError when it is gone or unreadable."""
        raw = self._read(source)
        if raw is None:
            raise DraftingError(f"记录“{record_id}”的文件 {source} 已不存在")
        try:
            text = decode_text(raw)
            data = parse_yaml(text).data
        except SourceError as exc:
            raise DraftingError(f"记录文件 {source} 无法读取：{exc.message}；请先在文件中改正") from None
        if not isinstance(data, dict):
            raise DraftingError(f"记录文件 {source} 不是“字段: 值”形式的映射；请先在文件中改正")
        return raw, text, data

    def blank(
        self,
        catalog: Catalog,
        record_type: str,
        *,
        prefill: Mapping[str, Any] | None = None,
        today: dt.date | None = None,
    ) -> Draft:
        """A new record of ``record_type``: the fields `renda new` writes (next id and 发文字号, status draft,
        “（待填写）” where a value is needed), ``prefill`` over them.  Not written."""
        if record_type not in RECORD_TYPES:
            raise DraftingError(f"未知的记录类型“{record_type}”，应为：{'、'.join(RECORD_TYPES)}")
        day = today or dt.date.today()
        try:
            values = skeleton_values(catalog, record_type, day, given=plain_data(prefill or {}))
        except ScaffoldError as exc:
            raise DraftingError(str(exc)) from None
        skeleton = render_skeleton(self.workspace.schemas, record_type, values)
        data = parse_yaml(skeleton).data
        data.update(plain_data(prefill or {}))
        return Draft(str(data["id"]), record_type, None, data, "", "")

    def from_agenda(self, catalog: Catalog, meeting_id: str, item: int) -> Draft:
        """A new opinion pre-filled from agenda item ``item`` (1-based) of sitting ``meeting_id``: meeting,
        report, addressee, title, and the sitting's date."""
        meeting = catalog.by_id().get(meeting_id)
        if not isinstance(meeting, Meeting):
            raise DraftingError(f"找不到会议记录“{meeting_id}”")
        try:
            values = opinion_values(meeting, item, self.workspace.config)
        except ScaffoldError as exc:
            raise DraftingError(str(exc)) from None
        return self.blank(catalog, "opinion", prefill=values, today=meeting.date)

    def next_doc_number(self, catalog: Catalog, record_type: str, year: int) -> str:
        """The first free 发文字号 of ``record_type``'s series in ``year``, counting files changed on disk since
        ``catalog`` was loaded.  Free now: call it inside :meth:`update`'s change (under the lock) to keep it."""
        code = doc_code(self.workspace.config, record_type)
        if code is None:
            label = TYPE_LABELS.get(record_type, record_type)
            raise DraftingError(f"renda.yaml 的 doc_codes 中没有{label}的发文字号代字")
        disk = self._disk_state(catalog)
        numbers = [n for f in catalog.files if f.source not in disk.files for n in _numbers(f)]
        numbers += [n for f in disk.files.values() for n in _numbers(f)]
        return first_free_number(numbers, code, year)

    # -- checking ------------------------------------------------------------------------------------------
    def check(
        self, catalog: Catalog, record_type: str, data: Mapping[str, Any], record_id: str | None = None
    ) -> tuple[FieldProblem, ...]:
        """The problems ``renda validate`` would report for this record if it were saved (schema and
        cross-record rules), errors first."""
        current = None
        if record_id is not None:
            source = self._existing_source(catalog, record_id)
            raw = self._read(source)
            current = decode_text(raw) if raw is not None else None
        return self._evaluate(catalog, record_type, plain_data(data), record_id, current).problems

    # -- writing -------------------------------------------------------------------------------------------
    def save(
        self,
        catalog: Catalog,
        record_type: str,
        data: Mapping[str, Any],
        *,
        base_version: str,
        author: str,
        record_id: str | None = None,
        message: str = "",
    ) -> SaveResult:
        """Write the record if nothing blocks it.  ``record_id`` None is a new record (``base_version`` "").
        Under the write lock: a Conflict when the file is no longer at ``base_version``; errors → nothing
        written; else an atomic write and, in a git repository, a commit authored by ``author``."""
        with self.locked():
            return self._save(catalog, record_type, plain_data(data), base_version, author, record_id, message)

    def update(
        self,
        catalog: Catalog,
        record_id: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        author: str,
        base_version: str | None = None,
        message: str = "",
    ) -> SaveResult:
        """Read-modify-write of one record under the lock: ``change`` gets the record's data as it is on disk
        now (a copy) and returns the new data.  ``base_version`` None is whatever is on disk."""
        with self.locked():
            source = self._existing_source(catalog, record_id)
            raw, _text, current = self._on_disk(source, record_id)
            version = version_of(raw) if base_version is None else base_version
            data = plain_data(change(copy.deepcopy(current)))
            record_type = str(data.get("type", current.get("type", "")))
            return self._save(catalog, record_type, data, version, author, record_id, message)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """The workspace's write lock: this desk's threads, and every other desk or process on the folder."""
        path = self.workspace.root / LOCK_FILE
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _save(
        self,
        catalog: Catalog,
        record_type: str,
        data: dict[str, Any],
        base_version: str,
        author: str,
        record_id: str | None,
        message: str,
    ) -> SaveResult:
        if record_id is None and base_version:
            raise DraftingError("新记录没有原有版本：base_version 应为空")
        current: str | None = None
        if record_id is not None:
            source = self._existing_source(catalog, record_id)
            raw = self._read(source)
            theirs = version_of(raw) if raw is not None else ""
            current = decode_text(raw) if raw is not None else None
            if theirs != base_version:
                return SaveResult(None, (), self._conflict(source, base_version, theirs, current, data), "", None)
        outcome = self._evaluate(catalog, record_type, data, record_id, current)
        if outcome.blocked or outcome.catalog is None:
            return SaveResult(None, outcome.problems, None, "", None)
        return self._write(outcome, current, data, author, message)

    def _write(
        self, outcome: _Outcome, current: str | None, data: dict[str, Any], author: str, message: str
    ) -> SaveResult:
        assert outcome.catalog is not None
        path = self.workspace.root / outcome.source
        payload = outcome.text.encode("utf-8")
        notes: tuple[str, ...] = ()
        if current is None:
            write_new(path, payload, DraftingError)
        elif current != outcome.text:
            write_replace(path, payload)
        if current != outcome.text:  # a save without a change writes nothing and makes no empty commit
            written = path.stat()
            outcome.catalog.fresh[outcome.source] = written.st_mtime_ns
            listing = [f for f in outcome.catalog.listing or () if f[0] != outcome.source]
            outcome.catalog.listing = [*listing, (outcome.source, written.st_mtime_ns, written.st_size)]
            notes = self._commit(path, data, author, message)
        rid = str(data.get("id", ""))
        draft = Draft(rid, str(data.get("type", "")), outcome.source, data, version_of(payload), outcome.text)
        diff = _diff(current or "", outcome.text, outcome.source)
        return SaveResult(draft, outcome.problems, None, diff, outcome.catalog, notes)

    def _commit(self, path: Path, data: Mapping[str, Any], author: str, message: str) -> tuple[str, ...]:
        title = str(data.get("title", "")).strip()
        summary = f"renda: {data.get('id', '')} {title} ({author})".replace("  ", " ")
        text = summary + (f"\n\n{message.strip()}\n" if message.strip() else "\n")
        try:
            commit_file(path, author, text)
        except RendaError as exc:
            return (f"记录已保存，但未能提交到 git 仓库：{exc}",)
        except Exception as exc:  # the file is written: a broken repository must not hide that
            return (f"记录已保存，但未能提交到 git 仓库：{type(exc).__name__}: {exc}",)
        return ()

    def _conflict(self, source: str, base: str, theirs: str, current: str | None, data: dict[str, Any]) -> Conflict:
        try:
            mine = edit_text(current, data) if current is not None else new_text(str(data.get("type")), data)
        except (RendaError, KeyError):
            mine = ""
        return Conflict(source, base, theirs, current or "", mine, _diff(current or "", mine, source))

    # -- the check itself ----------------------------------------------------------------------------------
    def _evaluate(
        self, catalog: Catalog, record_type: str, data: dict[str, Any], record_id: str | None, current: str | None
    ) -> _Outcome:
        early = self._refusals(catalog, record_type, data, record_id)
        if early:
            return _Outcome("", "", tuple(early))
        source = self._target(catalog, data, record_id)
        try:
            if current is not None:
                text = edit_text(current, data)
            else:
                text = new_text(record_type, data, schemas=self.workspace.schemas)
        except DraftingError as exc:
            return _Outcome(source, "", (FieldProblem((), "", str(exc), "error"),))
        except SourceError as exc:  # the file on disk does not parse: it cannot be edited field by field
            message = f"记录文件 {source} 无法读取：{exc.message}；请先在文件中改正"
            return _Outcome(source, "", (FieldProblem((), "", message, "error"),))
        baseline, disk = self._baseline(catalog)
        sink = ProblemSink()
        mine = _DiskState({source: load_text(self.workspace, source, text, sink)}, sink.items, as_of_ns=disk.as_of_ns)
        candidate = _replaced(baseline, mine)
        candidate.listing = disk.listing
        check_changed(candidate, self.workspace.config, baseline, {source})
        problems = _problems_of(candidate, baseline, source)
        if record_id is None:
            problems = _taken(baseline, data, source) + problems
            if (self.workspace.root / source).exists():
                problems.insert(0, _error(("id",), f"编号“{data['id']}”已被使用（{source} 已存在）"))
        return _Outcome(source, text, tuple(_ordered(problems)), candidate)

    def _refusals(
        self, catalog: Catalog, record_type: str, data: dict[str, Any], record_id: str | None
    ) -> list[FieldProblem]:
        """What is wrong before any text can be written: control characters, type, id."""
        out = [FieldProblem(path, format_field(path), msg, "error") for path, msg in control_problems(data)]
        if record_type not in RECORD_TYPES:
            out.append(_error(("type",), f"未知的记录类型“{record_type}”，应为：{'、'.join(RECORD_TYPES)}"))
        elif data.get("type") != record_type:
            out.append(_error(("type",), f"记录类型应为“{record_type}”，不能改为“{data.get('type')}”"))
        rid = data.get("id")
        if record_id is not None and rid != record_id:
            out.append(_error(("id",), f"编号不能修改（应为“{record_id}”）：文件名与编号一致"))
        elif rid is None:
            out.append(_error(("id",), "缺少必填字段“id”（编号）"))
        elif not isinstance(rid, str) or not _ID.fullmatch(rid):
            out.append(_error(("id",), f"编号“{rid}”无效：只能使用小写字母、数字和连字符"))
        elif record_id is None and rid in taken_ids(catalog):
            out.append(_error(("id",), f"编号“{rid}”已被使用"))
        return out

    def _target(self, catalog: Catalog, data: Mapping[str, Any], record_id: str | None) -> str:
        if record_id is not None:
            return self._existing_source(catalog, record_id)
        try:
            day = dt.date.fromisoformat(str(data.get("date")))
        except ValueError:
            day = dt.date.today()
        folder = record_folder(str(data.get("type")), day)
        return f"records/{folder}/{data['id']}.yaml"

    def _baseline(self, catalog: Catalog) -> tuple[Catalog, _DiskState]:
        """``catalog`` with the files changed on disk since it was loaded in place (checked: what a draft's
        problems are told from), and what the look at the folder found."""
        disk = self._disk_state(catalog)
        if not disk.files and not disk.removed:
            return catalog, disk
        baseline = _replaced(catalog, disk)
        check_changed(baseline, self.workspace.config, catalog, set(disk.files) | disk.removed)
        return baseline, disk

    def _disk_state(self, catalog: Catalog) -> _DiskState:
        """The record files that changed on disk since ``catalog`` was loaded (new, modified or removed), read
        again: one walk of the folder, no reload of the rest."""
        state = _DiskState(as_of_ns=time.time_ns() - MTIME_MARGIN_NS)
        known = {f.source for f in catalog.files}
        seen: set[str] = set()
        sink = ProblemSink()
        state.listing = walk_records(self.workspace.root).files
        for source, mtime, _size in state.listing:
            seen.add(source)
            stale = mtime >= catalog.loaded_ns and catalog.fresh.get(source) != mtime
            if source not in known or stale:
                state.files[source] = _load_path(self.workspace, source, sink)
                state.mtimes[source] = mtime
        state.removed = known - seen
        state.problems = sink.items
        return state

    # -- helpers -------------------------------------------------------------------------------------------
    def _source_of(self, catalog: Catalog, record_id: str) -> str | None:
        record = catalog.by_id().get(record_id)
        if record is not None:
            return record.source
        return catalog.broken_ids().get(record_id)

    def _existing_source(self, catalog: Catalog, record_id: str) -> str:
        source = self._source_of(catalog, record_id)
        if source is None:
            raise DraftingError(f"找不到记录“{record_id}”")
        return source

    def _read(self, source: str) -> bytes | None:
        try:
            return (self.workspace.root / source).read_bytes()
        except FileNotFoundError:
            return None


def _load_path(workspace: Workspace, source: str, sink: ProblemSink) -> LoadedFile:
    try:
        text = decode_text((workspace.root / source).read_bytes())
    except (OSError, SourceError) as exc:
        message = exc.message if isinstance(exc, SourceError) else f"无法读取文件：{exc}"
        sink.error(source, 1, "", message, ())
        return LoadedFile(source, None, None)
    return load_text(workspace, source, text, sink)


def _replaced(catalog: Catalog, disk: _DiskState) -> Catalog:
    """``catalog`` with the files of ``disk`` in place (the loading problems with them), not yet cross-checked."""
    drop = set(disk.files) | disk.removed
    files = [disk.files.get(f.source, f) for f in catalog.files if f.source not in disk.removed]
    present = {f.source for f in catalog.files}
    for source, loaded in disk.files.items():
        if source not in present:  # a new file, where loading the folder would have put it
            bisect.insort(files, loaded, key=lambda f: f.source.split("/"))
    loading = [p for p in catalog.loading if p.source not in drop] + disk.problems
    return Catalog(
        catalog.workspace,
        files,
        ProblemSink(list(loading)),
        skipped=catalog.skipped,
        loading=loading,
        loaded_ns=disk.as_of_ns,
        fresh={k: v for k, v in {**catalog.fresh, **disk.mtimes}.items() if v >= disk.as_of_ns},
    )


def _problems_of(candidate: Catalog, before: Catalog, source: str) -> list[FieldProblem]:
    """The candidate's problems in ``source``, and the errors it brings into other files (a 发文字号 another
    record now shares is reported there when that record comes first)."""
    mine = [_field_problem(p) for p in candidate.sink.sorted() if p.source == source]
    old = {(p.source, p.field, p.message) for p in before.sink.items}
    for p in candidate.sink.sorted():
        if p.source == source or p.severity is not Severity.ERROR or (p.source, p.field, p.message) in old:
            continue
        if source in p.message and p.field in ("id", "doc_number"):
            other = _mirror(p)
            if other not in mine:
                mine.append(other)
        else:
            mine.append(FieldProblem((), "", f"{p.source}：{p.detail()}", "error"))
    return mine


def _mirror(p: Problem) -> FieldProblem:
    """A duplicate reported on the other file, said of this one."""
    if p.field == "id":
        return _error(("id",), f"编号已在 {p.source} 中使用")
    number = re.match(r"发文字号“([^”]*)”", p.message)
    said = f"发文字号“{number.group(1)}”" if number else "发文字号"
    return _error(("doc_number",), f"{said}与 {p.source} 重复")


def _taken(catalog: Catalog, data: Mapping[str, Any], source: str) -> list[FieldProblem]:
    """A new record's 发文字号 already written in a file that does not validate (the cross-record rule sees
    only valid records)."""
    number = data.get("doc_number")
    if not isinstance(number, str) or not DOC_NUMBER.match(number):
        return []
    key = _number_key(number)
    for f in catalog.files:
        if f.record is None and f.source != source and any(_number_key(n) == key for n in _numbers(f)):
            return [_error(("doc_number",), f"发文字号“{number}”与 {f.source} 重复")]
    return []


def _numbers(loaded: LoadedFile) -> list[str]:
    data = loaded.document.data if loaded.document is not None else None
    if not isinstance(data, dict):
        return []
    found = [data["doc_number"]] if isinstance(data.get("doc_number"), str) else []
    resolutions = data.get("resolutions")
    for item in resolutions if isinstance(resolutions, list) else ():
        if isinstance(item, dict) and isinstance(item.get("doc_number"), str):
            found.append(item["doc_number"])
    return found


def _number_key(number: str) -> tuple[str, str, str] | None:
    match = DOC_NUMBER.match(number)
    return (match.group("code"), match.group("year"), match.group("seq")) if match else None


def _field_problem(p: Problem) -> FieldProblem:
    path = p.path if p.path is not None else parse_field(p.field)
    return FieldProblem(path, p.field, p.message, p.severity.value)


def parse_field(text: str) -> FieldPath:
    """``follow_up.reports[0].received`` → ``("follow_up", "reports", 0, "received")``."""
    return tuple(int(m.group(2)) if m.group(2) else m.group(1) for m in _FIELD_PART.finditer(text))


def _error(path: FieldPath, message: str) -> FieldProblem:
    return FieldProblem(path, format_field(path), message, "error")


def _ordered(problems: list[FieldProblem]) -> list[FieldProblem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: p.severity != "error")


def _diff(old: str, new: str, source: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{source}", f"b/{source}"
    )
    return "".join(lines)
