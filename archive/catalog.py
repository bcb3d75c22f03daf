"""Reading every record of a workspace and checking it.

A :class:`Catalog` is the workspace's records after schema validation, plus
every problem found on the way.  It never raises for a bad record: batch work
records each failure and goes on (the CLI decides the exit code).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from archive.catalog_model import MTIME_MARGIN_NS
from archive.catalog_model import PLACEHOLDER as PLACEHOLDER
from archive.catalog_model import Catalog as Catalog
from archive.catalog_model import LoadedFile as LoadedFile
from archive.checks import check_catalog
from archive.errors import WorkspaceError
from archive.glyphs import FONTS_CONF, describe_characters, hidden_characters, hidden_message, uncovered_characters
from archive.problems import Problem, ProblemSink, ValidationReport
from archive.proposals import PROPOSAL_TYPES, parse_proposal
from archive.records import Record, parse_record
from archive.schema import RECORD_TYPES, TYPE_LABELS
from archive.source import SourceError, YamlDocument, format_field, parse_yaml, read_text
from archive.walker import walk_records
from archive.workspace import CONFIG_NAME, ConfigProblems, Workspace


def load_catalog(workspace: Workspace) -> Catalog:
    """Read, schema-check and cross-check every record of the workspace."""
    config = workspace.config  # raises ConfigProblems first: nothing else makes sense without it
    catalog = Catalog(workspace, loaded_ns=time.time_ns() - MTIME_MARGIN_NS)
    walk = walk_records(workspace.root)
    catalog.skipped = walk.problems  # links skipped: named, so no command reads a different set of files
    catalog.sink.extend(walk.problems)
    for source in walk.sorted_sources():
        catalog.files.append(_load_file(workspace, workspace.root / source, catalog.sink))
    catalog.loading = list(catalog.sink.items)
    check_catalog(catalog, config)
    return catalog


def _load_file(workspace: Workspace, path: Path, sink: ProblemSink) -> LoadedFile:
    source = workspace.relative(path)
    try:
        text = read_text(path)
    except SourceError as exc:
        sink.error(source, exc.line, format_field(exc.field_path), exc.message, exc.field_path)
        return LoadedFile(source, None, None)
    return load_text(workspace, source, text, sink)


def load_text(workspace: Workspace, source: str, text: str, sink: ProblemSink) -> LoadedFile:
    """One record file's text (as if read from ``source``), parsed and schema-checked, its problems in ``sink``:
    what loading the workspace does with each file."""
    try:
        doc = parse_yaml(text)
    except SourceError as exc:
        sink.error(source, exc.line, format_field(exc.field_path), exc.message, exc.field_path)
        return LoadedFile(source, None, None)
    data = doc.data
    if not isinstance(data, dict):
        sink.error(source, 1, "", "记录应为“字段: 值”形式的映射，实际不是", ())
        return LoadedFile(source, doc, None)
    kind = data.get("type")
    if kind not in RECORD_TYPES:
        expected = "、".join(f"{t}（{TYPE_LABELS[t]}）" for t in RECORD_TYPES)
        if "type" not in data:
            sink.error(source, 1, "type", f"缺少必填字段“type”（记录类型），应为：{expected}", ("type",))
        else:
            line = doc.line_of(("type",))
            sink.error(source, line, "type", f"未知的记录类型 '{kind}'，应为：{expected}", ("type",))
        return LoadedFile(source, doc, None)
    # Unfilled skeleton text is reported once, by the placeholder rule, not as a format error too.
    issues = [i for i in workspace.schemas.check(kind, data) if _value_at(data, i.path) != PLACEHOLDER]
    for issue in issues:
        line = doc.line_of(issue.path if issue.at_key else issue.path[:-1])
        sink.error(source, line, format_field(issue.path), issue.message, issue.path)
    hidden = _check_text(workspace, doc, source, sink)
    if issues or hidden:
        return LoadedFile(source, doc, None)
    parse = parse_proposal if kind in PROPOSAL_TYPES else parse_record
    return LoadedFile(source, doc, parse(data, source))


def _check_text(workspace: Workspace, doc: YamlDocument, source: str, sink: ProblemSink) -> bool:
    """Every text field: hidden characters are errors, characters no installed font draws are warnings.
    True when an error was found."""
    fonts_conf = workspace.template_path(FONTS_CONF)
    strings = list(_strings(doc.data))
    everything = "".join(text for _, text in strings)  # most records are clean: one look at all their characters
    if not hidden_characters(everything) and not uncovered_characters(everything, fonts_conf):
        return False
    found = False
    for path, text in strings:
        where = doc.line_of(path)
        hidden = hidden_characters(text)
        if hidden:
            sink.error(source, where, format_field(path), hidden_message(hidden), path)
            found = True
        missing = uncovered_characters(text, fonts_conf)
        if missing:
            sink.warning(
                source,
                where,
                format_field(path),
                f"没有任何已安装的字体能显示字符 {describe_characters(missing)}，生成的 PDF 中会缺字或显示为方框；"
                "请改用通行字形，或安装含有该字的字体",
                path,
            )
    return found


def _strings(value: object, path: tuple[str | int, ...] = ()) -> Iterable[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _value_at(data: object, path: tuple[str | int, ...]) -> object:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def validate(workspace: Workspace, paths: Sequence[Path] = (), strict: bool = False) -> ValidationReport:
    """Check the configuration and every record; report only on ``paths`` when given.

    All records are always read, because references cross files.
    """
    try:
        catalog = load_catalog(workspace)
    except ConfigProblems as exc:
        problems = tuple(Problem(exc.source, line, fld, msg) for line, fld, msg in exc.problems)
        return ValidationReport(problems, 1, 0, strict)
    wanted = _selected_sources(workspace, catalog, paths)
    problems = tuple(p for p in catalog.sink.sorted() if wanted is None or p.source in wanted)
    files = [f for f in catalog.files if wanted is None or f.source in wanted]
    records = sum(1 for f in files if f.document is not None and isinstance(f.document.data, dict))
    return ValidationReport(problems, len(files) + (1 if wanted is None else 0), records, strict)


def _selected_sources(workspace: Workspace, catalog: Catalog, paths: Iterable[Path]) -> set[str] | None:
    paths = list(paths)
    if not paths:
        return None
    known = {f.source for f in catalog.files}
    wanted: set[str] = set()
    for path in paths:
        resolved = path.resolve()
        if not resolved.exists():
            raise WorkspaceError(f"路径不存在：{path}")
        rel = workspace.relative(resolved)
        if rel == CONFIG_NAME:
            wanted.add(CONFIG_NAME)
            continue
        under = _sources_under(workspace, resolved, known)
        if under or resolved.is_dir():
            wanted.update(under)
        else:
            raise WorkspaceError(f"{path} 不是本工作区 records/ 下的记录文件（.yaml）")
    return wanted


def select_records(catalog: Catalog, selectors: Sequence[str]) -> list[Record]:
    """Records named by id or by file path (file or folder); every selector must match something, and
    a selected record with an error is refused with that error (render nothing from a record in doubt)."""
    root = catalog.workspace.root
    by_id = catalog.by_id()
    valid_sources = {r.source: r for r in catalog.records}
    errors = catalog.first_errors()
    # a file that did not even parse has no id: its name stands for it (records are named after their ids)
    by_stem = {PurePosixPath(source).stem: source for source in errors}
    chosen: dict[str, Record] = {}
    broken_ids = catalog.broken_ids()
    for selector in selectors:
        if selector in by_id:
            if by_id[selector].source in errors:
                raise WorkspaceError(record_has_errors(errors[by_id[selector].source]))
            chosen[selector] = by_id[selector]
            continue
        broken = broken_ids.get(selector) or by_stem.get(selector)
        if broken in errors:
            raise WorkspaceError(record_has_errors(errors[broken]))
        resolved = _inside(root, Path(selector))
        if resolved is not None:
            bad = _sources_under(catalog.workspace, resolved, errors)
            if bad:
                raise WorkspaceError(record_has_errors(errors[bad[0]]))
            matched = [valid_sources[s] for s in _sources_under(catalog.workspace, resolved, valid_sources)]
            if matched:
                chosen.update((r.id, r) for r in matched)
                continue
        guess = difflib.get_close_matches(selector, list(by_id), n=1, cutoff=0.6)
        hint = f"；是否应为“{guess[0]}”？" if guess else ""
        raise WorkspaceError(f"找不到记录“{selector}”（既不是记录编号，也不是工作区中的记录文件）{hint}")
    return list(chosen.values())


def record_has_errors(first: Problem) -> str:
    """The refusal to render a record, naming its file and first error, pointing to validate."""
    return f"记录 {first.source} 有错误，无法生成：{first.detail()}；请先运行 renda validate"


def _sources_under(workspace: Workspace, resolved: Path, sources: Iterable[str]) -> list[str]:
    """The sources (workspace-relative) that ``resolved`` names: itself, or everything in a folder."""
    rel = workspace.relative(resolved)
    if resolved.is_dir():
        prefix = "" if resolved == workspace.root else rel + "/"
        return sorted(s for s in sources if s.startswith(prefix))
    return [rel] if rel in sources else []


def _inside(root: Path, path: Path) -> Path | None:
    """``path`` (absolute, or relative to the current folder or to the root) if it exists inside ``root``."""
    for candidate in (path,) if path.is_absolute() else (Path.cwd() / path, root / path):
        resolved = candidate.resolve()
        if resolved.exists() and resolved.is_relative_to(root):
            return resolved
    return None


def filter_records(
    records: Iterable[Record],
    type_: str | None = None,
    term: int | None = None,
    year: int | None = None,
) -> list[Record]:
    """Records matching every given filter, sorted by type order, date, then id."""
    order = {t: i for i, t in enumerate(RECORD_TYPES)}
    out = [
        r
        for r in records
        if (type_ is None or r.type == type_)
        and (term is None or r.term == term or _serves(r, term))
        and (year is None or r.year == year)
    ]
    return sorted(out, key=lambda r: (order[r.type], r.date.isoformat() if r.date else "", r.id))


def _serves(record: Record, term: int) -> bool:
    terms = getattr(record, "terms", ())
    return any(t.term == term for t in terms)


def load_record(workspace: Workspace, path: Path) -> tuple[Record | None, Sequence[Problem]]:
    """One record file, schema-checked but not cross-checked: the record (None if invalid) and its problems."""
    sink = ProblemSink()
    loaded = _load_file(workspace, path, sink)
    return loaded.record, sink.sorted()
