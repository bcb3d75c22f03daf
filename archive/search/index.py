"""The workspace's search index: keeping it current, and searching it (folders, lock and manifest: :mod:`.store`).

A full build goes into a fresh generation folder and becomes live only when
``CURRENT`` is replaced (atomically), so an interrupted build leaves the old
index in place.  An incremental update changes the live generation through the
engine's own transactional commit and then rewrites the manifest; updates are
idempotent (replace by id), so an interruption between the two is repaired by
the next run.  Files are compared by size and mtime first, then by SHA-256.
"""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import Any

from ..catalog import load_record
from ..clearance import Clearance
from ..errors import SearchError, WriteError
from ..fileio import write_replace, writing
from ..processes import identity
from ..progress import Progress
from ..progress import report as tell
from ..records import CLASSIFICATIONS, Deputy, Meeting, Record, classification_rank
from ..walker import walk_records
from ..workspace import Workspace
from .analysis import fingerprint_of, place_names, words_digest
from .content import IndexDoc, index_doc, sitting_key, stored_files
from .engine import DEFAULT_ENGINE, ENGINES, Engine, open_engine
from .hits import Hit
from .query import Filters, Plan, needles_of, parse_query, plan_query, with_filters
from .snippet import Segment, make_snippet
from .store import (
    MANIFEST,
    Manifest,
    analyzer_of,
    index_processes,
    index_root,
    live_generation,
    parallel_map,
    quote,
    sha256_of,
    source_of,
    state_lines,
    writer_lock,
)
from .suggest import Suggestion, suggest


@dataclass(frozen=True)
class SearchSettings:
    engine: str
    max_classification: str

    @property
    def max_rank(self) -> int:
        return classification_rank(self.max_classification)


def search_settings(workspace: Workspace, engine: str | None = None) -> SearchSettings:
    """renda.yaml's ``search:`` section; the index ceiling defaults to ``max_public_classification``."""
    config = workspace.config
    name = engine or config.search.engine or DEFAULT_ENGINE
    if name not in ENGINES:
        raise SearchError(f"未知的检索引擎“{name}”，可用：{'、'.join(ENGINES)}")
    level = config.search.max_classification or config.max_public_classification
    if level not in CLASSIFICATIONS:
        raise SearchError(f"renda.yaml: search.max_classification 应为 {'、'.join(CLASSIFICATIONS)} 之一")
    return SearchSettings(name, level)


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class IndexReport:
    engine: str
    rebuilt: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    indexed: int = 0
    withheld: int = 0  # above the configured classification
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.rebuilt or bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "rebuilt": self.rebuilt,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "indexed": self.indexed,
            "withheld": self.withheld,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class SearchHit:
    id: str
    type: str
    term: int | None
    year: int | None
    title: str
    score: float
    source: str
    classification: str = "公开"
    text: str = field(default="", repr=False, compare=False)  # what the snippet is cut from
    needles: tuple[str, ...] = field(default=(), repr=False, compare=False)  # what it marks

    @cached_property
    def snippet(self) -> tuple[Segment, ...]:
        """The passage around the best cluster of the query's words, marked: cut when first asked for, so a
        page that shows ten of a thousand hits cuts ten."""
        return tuple(make_snippet(self.text, self.needles))

    def as_dict(self) -> dict[str, Any]:
        from .snippet import plain

        return {
            "id": self.id,
            "type": self.type,
            "term": self.term,
            "year": self.year,
            "title": self.title,
            "score": round(self.score, 4),
            "snippet": plain(self.snippet, "<mark>", "</mark>"),
            "source": self.source,
            "classification": self.classification,
        }


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    notice: str | None = None  # e.g. the index could not be brought up to date
    report: IndexReport | None = None
    suggestions: tuple[Suggestion, ...] = ()  # what the clerk may have meant (never searched instead)


# -- files, manifest, lock -------------------------------------------------------


def _context(words: str, settings: SearchSettings) -> str:
    """What the index's tokens and contents depend on; ``words`` is the workspace words' digest."""
    return f"{fingerprint_of(words)}:{settings.max_rank}"


# -- building and updating -----------------------------------------------------------


class _Builder:
    """Reads changed record files and turns them into index documents."""

    def __init__(self, workspace: Workspace, settings: SearchSettings, report: IndexReport) -> None:
        self.workspace = workspace
        self.settings = settings
        self.report = report
        self.organs = workspace.config.organs

    def read(self, source: str, path: Path) -> Record | None:
        record, problem = _read_one(self.workspace, source, path)
        if problem:
            self.report.skipped.append(Skipped(source, problem))
        return record

    def doc(
        self, record: Record, names: Mapping[str, str], sittings: Mapping[str, str] | None = None
    ) -> IndexDoc | None:
        if not Clearance(self.settings.max_classification).admits(record):
            self.report.withheld += 1
            return None
        return index_doc(record, names, self.organs, sittings, self.attached(record))

    def attached(self, record: Record) -> list[str]:
        """The text kept beside each PDF the record names with its SHA-256 (written when it was uploaded)."""
        from ..fileio import MAX_TEXT_BESIDE, text_beside
        from ..walker import inside_workspace

        texts = []
        for file in stored_files(record.data):
            pdf = inside_workspace(self.workspace.root, file)
            sidecar = text_beside(pdf) if pdf is not None else None
            if sidecar is not None and sidecar.is_file():
                texts.append(sidecar.read_text(encoding="utf-8", errors="replace")[:MAX_TEXT_BESIDE])
        return texts


def _read_one(workspace: Workspace, source: str, path: Path) -> tuple[Record | None, str | None]:
    """The record in ``path``, or None and why it is not indexed."""
    record, problems = load_record(workspace, path)
    if record is not None:
        return record, None
    first = next((p for p in problems if p.severity.name == "ERROR"), None)
    return None, f"记录有错误，未收录（{first.format() if first else f'{source}: 无法读取'}）"


ReadFile = tuple[str, str, str, Record | None, str | None]  # source, state line, SHA-256, record, problem
READ_CHUNK = 500  # files a process reads per task in a build
_reading: Workspace | None = None  # the workspace a build's reading processes read (inherited by fork)


def _read_chunk(states: list[str]) -> list[ReadFile]:
    assert _reading is not None
    out: list[ReadFile] = []
    for state in states:
        source = source_of(state)
        path = _reading.root / source
        digest = sha256_of(path)
        out.append((source, state, digest, *_read_one(_reading, source, path)))
    return out


def _read_all(workspace: Workspace, states: list[str]) -> list[ReadFile]:
    """Hash, read and schema-check the files of ``states`` (:func:`_scan`) in order, over
    several processes when there are many (parsing YAML is most of a build's serial time: half a
    millisecond a record)."""
    global _reading
    chunks = [states[i : i + READ_CHUNK] for i in range(0, len(states), READ_CHUNK)]
    processes = min(index_processes(), len(chunks))
    _reading = workspace
    try:
        return [item for chunk in parallel_map(_read_chunk, chunks, processes=processes) for item in chunk]
    finally:
        _reading = None


def _scan(workspace: Workspace, report: IndexReport) -> list[str]:
    """The state lines of the record files; the links the walk skipped go into the report."""
    walk = walk_records(workspace.root)
    report.skipped.extend(Skipped(p.source, p.message) for p in walk.problems)
    return state_lines(walk.files)


def _sitting_of(record: Record | None) -> str | None:
    """The sitting key (17-21) of a standing-committee meeting record: an opinion names its sitting only
    through its ``meeting`` (the opening sentence is drawn from the meeting when the document is made)."""
    if isinstance(record, Meeting) and record.kind == "常委会会议" and record.term:
        return sitting_key(record.term, record.sitting)
    return None


def _deputy_places(record: Deputy) -> list[str]:
    texts = [t.constituency for t in record.terms] + [t.delegation for t in record.terms if t.delegation]
    return place_names(texts)


def update_index(
    workspace: Workspace,
    rebuild: bool = False,
    engine: str | None = None,
    notify: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index up to date (only what changed), or build it afresh with ``rebuild``.
    ``notify`` hears (in Chinese) when a long build starts, so a clerk knows why it takes minutes;
    ``progress`` hears each record file read and the writing of the index."""
    settings = search_settings(workspace, engine)
    started = time.perf_counter()
    with writing(index_root(workspace)), writer_lock(workspace):
        _remove_dead_builds(workspace, settings.engine)
        report = _update_locked(workspace, settings, rebuild, notify, progress)
    report.seconds = time.perf_counter() - started
    return report


def _update_locked(
    workspace: Workspace,
    settings: SearchSettings,
    rebuild: bool,
    notify: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    report = IndexReport(settings.engine)
    generation = None if rebuild else live_generation(workspace, settings.engine)
    manifest = Manifest.read(generation / MANIFEST, settings.engine) if generation else None
    if generation is None or manifest is None or manifest.context != _context(manifest.words, settings):
        # no index yet, a damaged one, or one built by another renda version or for another ceiling
        return _build(workspace, settings, report, notify, progress)

    current = _scan(workspace, report)
    if current == manifest.states:  # the rows are kept in the scan's order: the usual case, nothing changed
        report.unchanged = len(current)
        report.indexed = manifest.indexed_count()
        return report
    removed, changed = _changes(workspace, manifest, current)
    if not changed and not removed:
        manifest.reorder(current)
        write_replace(generation / MANIFEST, manifest.to_bytes())  # the new mtimes or order, for next time
        report.unchanged = len(current)
        report.indexed = manifest.indexed_count()
        return report

    builder = _Builder(workspace, settings, report)
    records = {}
    for done, source in enumerate(changed, 1):
        tell(progress, READ_STAGE, done, len(changed), source)
        records[source] = builder.read(source, workspace.root / source)
    rows = {source: row for source, (_, _, row) in changed.items()}
    names, places = _people(manifest, removed, rows, records)
    sittings = _sittings(manifest, removed, rows, records)
    if any(sittings.get(m, key) != key for m, key in manifest.sittings.items()):
        # a meeting now names another sitting: the opinions it heard are indexed under the old one
        report.skipped.clear()
        return _build(workspace, settings, IndexReport(settings.engine), notify, progress)
    people_changed = names != manifest.names or places != manifest.places
    analyzer = analyzer_of(names, places) if people_changed else manifest.analyzer()
    words = words_digest(analyzer.extra_words) if people_changed else manifest.words
    if _context(words, settings) != manifest.context:
        # Names, places or the dictionary changed how text is segmented, or the secrecy ceiling moved.
        report.skipped.clear()
        return _build(workspace, settings, IndexReport(settings.engine), notify, progress)

    eng = open_engine(settings.engine, generation, analyzer)
    try:
        gone, docs = _updated_docs(manifest, builder, report, records, changed, removed, names, sittings)
        if gone:
            eng.delete(gone)
        if docs:
            eng.update(docs)
    finally:
        eng.close()
    manifest.remove(list(removed.values()))
    manifest.reorder(current)
    report.removed = len(removed)
    report.unchanged = len(current) - len(changed)
    report.indexed = manifest.indexed_count()
    if people_changed:
        manifest.names, manifest.places, manifest.words = names, places, words
    if sittings != manifest.sittings:
        manifest.sittings = sittings
    write_replace(generation / MANIFEST, manifest.to_bytes())
    return report


_Changed = dict[str, tuple[str, str, int | None]]  # source → (state, digest, manifest row or None when new)


def _changes(workspace: Workspace, manifest: Manifest, current: list[str]) -> tuple[dict[str, int], _Changed]:
    """The files gone since the manifest (source → its row) and the files new or changed; a file only
    touched (same digest) gets its new state in the manifest and counts as neither."""
    now, before = set(current), set(manifest.states)
    appeared, vanished = now - before, before - now  # new or changed files; changed or removed ones

    rows = dict(zip(manifest.states, range(len(manifest.states)), strict=True))
    removed = {source_of(state): rows[state] for state in vanished}  # source → manifest row
    changed: _Changed = {}
    for state in sorted(appeared):
        source = source_of(state)
        row = removed.pop(source, None)
        digest = sha256_of(workspace.root / source)
        if row is not None and manifest.digests[row] == digest:
            manifest.states[row] = state  # touched, not changed
            continue
        changed[source] = (state, digest, row)
    return removed, changed


def _people(
    manifest: Manifest, removed: dict[str, int], rows: dict[str, int | None], records: dict[str, Record | None]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The deputies' names and places after the change (they are words of the analyzer)."""
    names, places = dict(manifest.names), dict(manifest.places)
    for source, row in removed.items():
        places.pop(source, None)
        if manifest.record_id(row) in names and source in manifest.places:
            names.pop(manifest.record_id(row))
    for source, record in records.items():
        old = rows[source]
        if source in manifest.places and old is not None:
            places.pop(source)
            names.pop(manifest.record_id(old), None)
        if isinstance(record, Deputy):
            names[record.id] = record.name
            places[source] = _deputy_places(record)
    return names, places


def _sittings(
    manifest: Manifest, removed: dict[str, int], rows: dict[str, int | None], records: dict[str, Record | None]
) -> dict[str, str]:
    """Each meeting's sitting after the change."""
    sittings = dict(manifest.sittings)
    for row in removed.values():
        sittings.pop(manifest.record_id(row), None)
    for source, record in records.items():
        old = rows[source]
        if old is not None:
            sittings.pop(manifest.record_id(old), None)
        key = _sitting_of(record)
        if record is not None and key:
            sittings[record.id] = key
    return sittings


def _updated_docs(
    manifest: Manifest,
    builder: _Builder,
    report: IndexReport,
    records: dict[str, Record | None],
    changed: _Changed,
    removed: dict[str, int],
    names: dict[str, str],
    sittings: dict[str, str],
) -> tuple[list[str], list[IndexDoc]]:
    """The ids to delete from the index and the documents to (re)write, the manifest's rows set to match."""
    gone = [manifest.record_id(row) for row in removed.values() if manifest.indexed(row)]
    docs: list[IndexDoc] = []
    live = list(map("1".__eq__, manifest.flags))
    for row in removed.values():
        live[row] = False
    # quoted id → the row of the file still there that holds it in the index
    owner = dict(zip(compress(manifest.ids, live), compress(range(len(live)), live), strict=True))
    for source, record in records.items():
        state, digest, old = changed[source]
        row = manifest.add(state, digest, None, False) if old is None else old
        doc = builder.doc(record, names, sittings) if record else None
        if doc and owner.get(quote(doc.id), row) != row:
            report.skipped.append(Skipped(source, f"编号“{doc.id}”与另一条记录重复，未收录"))
            doc = None
        if old is not None and manifest.indexed(row) and (doc is None or doc.id != manifest.record_id(row)):
            gone.append(manifest.record_id(row))
            if owner.get(manifest.ids[row]) == row:
                del owner[manifest.ids[row]]
        if doc:
            owner[quote(doc.id)] = row
            docs.append(doc)
        if old is None:
            report.added += 1
        else:
            report.updated += 1
        manifest.set(row, state, digest, record.id if record else None, doc is not None)
    return gone, docs


BUILDING = ".building"  # in a generation until it goes live: names the process building it


def _remove_dead_builds(workspace: Workspace, engine: str) -> None:
    """Generations a killed build left half made.  Only the lock holder builds, and it holds the lock now."""
    live = live_generation(workspace, engine)
    root = index_root(workspace) / engine
    for folder in root.glob("g-*"):
        if folder != live and (folder / BUILDING).is_file():
            shutil.rmtree(folder, ignore_errors=True)
    for temp in [*root.glob(".*.tmp"), *(live.glob(".*.tmp") if live else ())]:  # fileio's, of a killed write
        temp.unlink(missing_ok=True)


NOTIFY_FILES = 2000  # a build of this many record files or more is announced (it takes a minute or more)
READ_STAGE = "读取记录"
WRITE_STAGE = "写入索引"


def _build(
    workspace: Workspace,
    settings: SearchSettings,
    report: IndexReport,
    notify: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    report.rebuilt = True
    builder = _Builder(workspace, settings, report)
    folder = index_root(workspace) / settings.engine
    folder.mkdir(parents=True, exist_ok=True)
    current = _scan(workspace, report)
    if notify and len(current) >= NOTIFY_FILES:
        notify(f"正在建立检索索引：{len(current)} 个记录文件，{index_processes()} 个进程，可能需要几分钟……")
    parsed, names, places, sittings = _read_for_build(workspace, current, report, progress)
    analyzer = analyzer_of(names, places)
    words = words_digest(analyzer.extra_words)
    manifest = Manifest(settings.engine, _context(words, settings), words, names, places, sittings)

    seen: set[str] = set()
    indexed: dict[str, bool] = {}

    def documents() -> Iterator[IndexDoc]:
        for source, _, _, record in parsed:
            doc = builder.doc(record, names, sittings) if record else None
            if doc and doc.id in seen:
                report.skipped.append(Skipped(source, f"编号“{doc.id}”与另一条记录重复，未收录"))
                doc = None
            indexed[source] = doc is not None
            if doc:
                seen.add(doc.id)
                yield doc

    docs = list(documents())
    # Only the ids stay: the records (raw data and all) would double the memory the build holds
    # while the engine works, and the engine's processes inherit it.
    files = [(source, state, digest, record.id if record else None) for source, state, digest, record in parsed]
    parsed.clear()
    generation = folder / f"g-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    generation.mkdir()
    (generation / BUILDING).write_text(identity(), encoding="ascii")
    eng = open_engine(settings.engine, generation, analyzer)
    tell(progress, WRITE_STAGE, 0, len(docs))
    try:
        eng.index(docs)
    except BaseException:
        eng.close()
        shutil.rmtree(generation, ignore_errors=True)
        raise
    eng.close()
    tell(progress, WRITE_STAGE, len(docs), len(docs))
    for source, state, digest, record_id in files:
        manifest.add(state, digest, record_id, indexed[source])
    manifest.reorder(current)
    write_replace(generation / MANIFEST, manifest.to_bytes())
    (generation / BUILDING).unlink()
    previous = live_generation(workspace, settings.engine)
    write_replace(folder / "CURRENT", generation.name.encode())
    # The generation live until now stays one more round: a search that opened it just before the
    # swap can finish reading it.  Anything older (or left by an interrupted build) goes.
    for old in folder.glob("g-*"):
        if old not in (generation, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    report.added = len(files)
    report.indexed = len(seen)
    return report


def _read_for_build(
    workspace: Workspace, current: list[str], report: IndexReport, progress: Progress | None
) -> tuple[list[tuple[str, str, str, Record | None]], dict[str, str], dict[str, list[str]], dict[str, str]]:
    """Every record file read: (source, state, digest, record) rows, and the deputies' names and places and
    each meeting's sitting that the documents are built with."""
    names: dict[str, str] = {}
    places: dict[str, list[str]] = {}
    sittings: dict[str, str] = {}
    parsed: list[tuple[str, str, str, Record | None]] = []
    # sorted: a stable order for a build (which of two records with one id wins)
    total = len(current)
    for done, (source, state, digest, record, problem) in enumerate(_read_all(workspace, sorted(current)), 1):
        tell(progress, READ_STAGE, done, total, source)
        if problem:
            report.skipped.append(Skipped(source, problem))
        parsed.append((source, state, digest, record))
        if isinstance(record, Deputy):
            names.setdefault(record.id, record.name)
            places[source] = _deputy_places(record)
        key = _sitting_of(record)
        if record is not None and key:
            sittings.setdefault(record.id, key)
    return parsed, names, places, sittings


# -- searching ------------------------------------------------------------------------

COUNT_LIMIT = 999  # records counted for a suggestion ("老旧小区改造（12 条）")


def search_workspace(
    workspace: Workspace,
    text: str,
    filters: Filters | None = None,
    limit: int | None = 10,
    engine: str | None = None,
    auto_update: bool = True,
    notify: Callable[[str], None] | None = None,
    admit: Callable[[str], bool] | None = None,
) -> SearchResult:
    """Parse ``text``, bring the index up to date when possible, and return ranked hits with snippets.

    A clerk who has just saved a record expects to find it: the index is updated first (only what
    changed).  When another process is writing the index, the search runs on the index as it is and
    says so.  ``limit`` None returns every hit.  ``admit`` (a record id → whether the person searching
    may see it) screens everything returned — hits and the counts behind suggestions alike — so that
    nothing a hidden record holds shows through (the web platform passes its viewer rule).
    """
    settings = search_settings(workspace, engine)
    query = with_filters(parse_query(text), filters or Filters())  # a bad query fails before any work
    if limit is not None and limit < 1:
        raise SearchError("--limit 应为正整数")
    notice = None
    report = None
    if auto_update:
        try:
            report = update_index(workspace, engine=settings.engine, notify=notify)
        except (SearchError, WriteError) as exc:  # locked by another process, or the disk is full or read-only
            if live_generation(workspace, settings.engine) is None:
                raise
            notice = f"检索索引未能更新，结果可能不是最新的：{exc}"
    generation = live_generation(workspace, settings.engine)
    manifest = Manifest.read(generation / MANIFEST, settings.engine, files=False) if generation else None
    if generation is None or manifest is None:
        raise SearchError("还没有检索索引，请先运行 renda index")
    analyzer = manifest.analyzer()
    if manifest.context.split(":")[0] != fingerprint_of(manifest.words):
        # built by another version of renda, and it could not be rebuilt just now (see notice)
        raise SearchError("检索索引是由其他版本的 renda 建立的，请运行 renda index --rebuild 后再检索")
    known = {int(key.split("-")[0]) for key in manifest.sittings.values()}
    terms = tuple(range(1, max(known) + 1)) if known else ()  # a sitting without its term: every term up to the last
    plan = plan_query(query, analyzer, settings.max_rank, terms)
    eng: Engine = open_engine(settings.engine, generation, analyzer)
    everything = max(1, eng.count())

    def found(wanted: Plan, most: int | None) -> list[Hit]:
        if admit is None:
            return eng.search(wanted, most or everything)
        return [h for h in eng.search(wanted, everything) if admit(h.id)][:most]

    def count(corrected: str) -> int:
        again = with_filters(parse_query(corrected), filters or Filters())
        return len(found(plan_query(again, analyzer, settings.max_rank, terms), COUNT_LIMIT))

    try:
        hits: list[Hit] = found(plan, limit)

        def pairs(terms: Iterable[str]) -> set[str]:
            return eng.known("chars", terms)

        suggestions = tuple(suggest(text, query, analyzer, count, len(hits), pairs))
    finally:
        eng.close()
    needles = tuple(needles_of(query, analyzer))
    return SearchResult(
        tuple(
            SearchHit(
                h.id,
                h.type,
                h.term,
                h.year,
                h.title,
                h.score,
                h.source,
                h.classification,
                text=h.text,
                needles=needles,
            )
            for h in hits
        ),
        notice,
        report,
        suggestions,
    )
