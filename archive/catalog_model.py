"""The :class:`Catalog` model — a workspace's records as loaded — that loading (``catalog``) fills and the
cross-record rules (``checks``) read: its own module, so neither of the two imports the other's user."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from archive.problems import Problem, ProblemSink, Severity
from archive.records import Record
from archive.source import YamlDocument
from archive.workspace import Workspace

PLACEHOLDER = "（待填写）"
NOT_RENDERED = ("deputy",)  # the registry: no document of its own
# file times come from the kernel's coarse clock, a few milliseconds behind time.time_ns(): a catalog's
# ``loaded_ns`` is taken this much earlier, so a file written while it loads is never taken for older
MTIME_MARGIN_NS = 1_000_000_000


@dataclass(frozen=True)
class LoadedFile:
    """One record file: its parsed document (if it parsed) and record (if it validated)."""

    source: str
    document: YamlDocument | None
    record: Record | None


@dataclass
class Catalog:
    """All records of a workspace, with the problems found while loading and checking them."""

    workspace: Workspace
    files: list[LoadedFile] = field(default_factory=list)
    sink: ProblemSink = field(default_factory=ProblemSink)
    skipped: list[Problem] = field(default_factory=list)  # links the walk did not follow (also in ``sink``)
    # the problems found reading the files (the links skipped, parse and schema errors), before the cross-record
    # rules ran: what a catalog with one file replaced starts from
    loading: list[Problem] = field(default_factory=list)
    # when loading began (time.time_ns() less MTIME_MARGIN_NS): a file modified since may differ from what the
    # catalog holds …
    loaded_ns: int = 0
    # … unless it was read again at that modification time (source → st_mtime_ns), as the drafting desk does
    fresh: dict[str, int] = field(default_factory=dict)
    # the problems the rules of each record found (checks.run_records), by source: what a catalog with one file
    # replaced keeps for the records that neither changed nor refer to one that did
    record_problems: dict[str, list[Problem]] = field(default_factory=dict)
    # the indexes of the rules over the whole workspace (checks.Indexes), kept for the next catalog with a file
    # replaced (checks.check_changed)
    indexes: object = field(default=None, repr=False)
    _documents: dict[str, YamlDocument | None] = field(default_factory=dict, repr=False)

    _records: tuple[int, list[Record], dict[str, Record]] | None = field(default=None, repr=False)

    def _indexed(self) -> tuple[int, list[Record], dict[str, Record]]:
        """The valid records and the first record of each id, made once for the files as they are (a catalog's
        files are only ever appended to, while it loads)."""
        if self._records is None or self._records[0] != len(self.files):
            records = [f.record for f in self.files if f.record is not None]
            by_id: dict[str, Record] = {}
            for record in records:
                by_id.setdefault(record.id, record)
            self._records = (len(self.files), records, by_id)
        return self._records

    @property
    def records(self) -> list[Record]:
        return list(self._indexed()[1])

    def by_id(self) -> dict[str, Record]:
        return dict(self._indexed()[2])

    def document(self, source: str) -> YamlDocument | None:
        if len(self._documents) != len(self.files):
            self._documents = {f.source: f.document for f in self.files}
        return self._documents.get(source)

    def first_errors(self) -> dict[str, Problem]:
        """Each source (record file or skipped link) with an error → its first error."""
        out: dict[str, Problem] = {}
        for problem in self.sink.sorted():
            if problem.severity is Severity.ERROR:
                out.setdefault(problem.source, problem)
        return out

    def to_render(self) -> tuple[list[Record], list[Problem]]:
        """What ``render --all`` makes: every valid record but deputies, and the first error of each record that
        has one (those are not rendered, and are failures of the batch)."""
        errors = self.first_errors()
        records = [r for r in self.records if r.type not in NOT_RENDERED and r.source not in errors]
        return records, list(errors.values())

    def broken_ids(self) -> dict[str, str]:
        """Ids of files that failed their schema → their source (to avoid cascades).  A file that did
        not parse at all stands for the id of its name, as records are named after their ids."""
        out: dict[str, str] = {}
        for loaded in self.files:
            data = loaded.document.data if loaded.document else None
            if loaded.record is None and isinstance(data, dict) and isinstance(data.get("id"), str):
                out.setdefault(data["id"], loaded.source)
            elif loaded.document is None:
                out.setdefault(PurePosixPath(loaded.source).stem, loaded.source)
        return out
