"""A record's document rendered on demand and kept under ``.renda/documents/`` (the web platform's downloads).

    names, meetings = cross_references(records)
    found = cached_document(workspace, record, "pdf", names, meetings)   # renders once, then reads the cache

The cache key is the SHA-256 of what decides the bytes: the document's template context (built from the
record, its sitting and the registry, exactly as ``renda render`` builds it), the template file, the fonts
configuration, renda's version and the format; an imported document's key is its original's SHA-256.  A
record edited on disk gets a new key, so a stale file is never served; old entries are simply never read.

Rendering goes through the same path as ``renda render`` (:func:`render_prepared` / :func:`render_documents`),
into a private work folder, and the finished file is moved into place with ``os.replace``: a reader sees a
whole file or none.  Two requests for the same uncached document render it once: the second waits on the
first's lock (``flock`` on ``<key>.lock``, which holds across threads and processes) and then finds the file.
A failed render raises :class:`RenderError` and leaves nothing in the cache.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import __version__
from archive.errors import RenderError
from archive.fileio import work_folder
from archive.records import Deputy, Meeting, Record
from archive.records import Document as DocumentRecord
from archive.workspace import Workspace

CACHE_DIR = Path(".renda") / "documents"
SUFFIXES: Mapping[str, str] = {"docx": ".docx", "pdf": ".pdf", "pdfa": ".pdf"}


@dataclass(frozen=True)
class CachedDocument:
    """A rendered document in the cache: its file, what kind of 公文 it is, and a name to download it as."""

    path: Path
    kind: str
    filename: str


def cached_document(
    workspace: Workspace, record: Record, fmt: str, names: Mapping[str, str], meetings: Mapping[str, Meeting]
) -> CachedDocument:
    """The record's (first) document in ``fmt`` (docx, pdf or pdfa), rendered now if it is not cached yet.

    ``names`` (registry id → name) and ``meetings`` (id → sitting) are the workspace's deputies and sittings, for
    the sitting of an opinion and the deputies' names (:func:`cross_references` makes them from the records).
    :class:`RenderError` (in Chinese) when the record has no such document or it could not be made.
    """
    if fmt not in SUFFIXES:
        raise RenderError(f"不支持的格式“{fmt}”，可用 docx、pdf、pdfa")
    suffix = SUFFIXES[fmt]
    build = _plan(workspace, record, fmt, names, meetings)
    folder = workspace.root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{build.key}{'.pdfa' if fmt == 'pdfa' else ''}{suffix}"
    found = CachedDocument(target, build.kind, _filename(record, fmt))
    if target.is_file():
        return found
    with _locked(folder / f"{build.key}.{fmt}.lock"):
        if target.is_file():  # made by the request we waited for
            return found
        with work_folder(folder, ".renda-") as staging:
            made = build.render(staging)
            os.replace(made, target)
    return found


@dataclass(frozen=True)
class _Build:
    key: str
    kind: str
    workspace: Workspace
    record: Record
    fmt: str
    document: Any  # archive.render.documents.Document, or None for an imported original

    def render(self, staging: Path) -> Path:
        from archive.render import render_documents, render_prepared

        formats = (self.fmt,)
        if self.document is None:
            result = render_documents(self.workspace, [self.record], staging, formats, processes=1)
        else:
            result = render_prepared(self.workspace, [self.document], staging, formats, processes=1)
        if result.failures:
            raise RenderError("；".join(f.message for f in result.failures))
        wanted = SUFFIXES[self.fmt]
        made = [f for f in result.files if f.suffix == wanted]
        if not made:
            raise RenderError("；".join(result.notices) or f"{self.record.id}: 没有生成{wanted}文件")
        return made[0]


def cross_references(records: Iterable[Record]) -> tuple[dict[str, str], dict[str, Meeting]]:
    """The deputies' names and the sittings among ``records``, as :func:`cached_document` takes them."""
    names = {r.id: r.name for r in records if isinstance(r, Deputy)}
    meetings = {r.id: r for r in records if isinstance(r, Meeting)}
    return names, meetings


def _plan(
    workspace: Workspace, record: Record, fmt: str, names: Mapping[str, str], meetings: Mapping[str, Meeting]
) -> _Build:
    from archive.render.kinds import documents_for
    from archive.render.original import KIND, NO_DOCX

    if isinstance(record, Deputy):
        raise RenderError(f"记录“{record.id}”是代表名册，没有对应的公文")
    if isinstance(record, DocumentRecord):
        if fmt == "docx":
            raise RenderError(NO_DOCX)
        original = record.source_file.sha256 if record.source_file else record.id
        key = _digest({"original": original, "format": fmt, "version": __version__})
        return _Build(key, KIND, workspace, record, fmt, None)
    documents = documents_for(record, workspace.config, names, meetings)
    if not documents:
        raise RenderError(f"记录“{record.id}”没有对应的公文")
    document = documents[0]
    key = _digest(
        {
            "context": document.context,
            "kind": document.kind,
            "template": _file_digest(workspace.template_path(document.template)),
            "fonts": _file_digest(workspace.template_path("fonts/fonts.conf")),
            "draft": not record.is_final,
            "format": fmt,
            "version": __version__,
        }
    )
    return _Build(key, document.kind, workspace, record, fmt, document)


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "-"


def _filename(record: Record, fmt: str) -> str:
    """编号 + 标题 as a file name (no path separators or control characters)."""
    title = "".join(c for c in record.title if c.isprintable() and c not in '/\\:*?"<>|')[:60]
    return f"{record.id}{'-' + title if title else ''}{'.pdfa' if fmt == 'pdfa' else ''}{SUFFIXES[fmt]}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
