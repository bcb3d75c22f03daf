"""Where the index lives and what sits beside it: folders, the write lock, the manifest, the file scan.

Layout, under the workspace root::

    .renda/index/lock                    held (flock) by the one process writing
    .renda/index/<engine>/CURRENT        names the live generation
    .renda/index/<engine>/g-…/           the engine's files + manifest.tsv
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SearchError
from ..workspace import Workspace
from .analysis import Analyzer, workspace_words

INDEX_DIR = Path(".renda") / "index"
MANIFEST = "manifest.tsv"
MANIFEST_VERSION = 2


def index_root(workspace: Workspace) -> Path:
    return workspace.root / INDEX_DIR


@contextlib.contextmanager
def writer_lock(workspace: Workspace) -> Iterator[None]:
    """Hold the index's write lock, or raise SearchError at once if another process holds it.

    flock is released by the kernel when the holder dies, so a killed ``renda index`` leaves no stale lock.
    """
    root = index_root(workspace)
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = (root / "lock").open("a+")
    except OSError as exc:
        raise SearchError(f"无法创建检索索引目录 {workspace.relative(root)}：{exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SearchError(
                "另一个 renda 进程正在更新检索索引，请等它完成后再试（同一时间只能有一个进程写索引）"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


@dataclass
class Manifest:
    engine: str
    context: str = ""
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # source → mtime, size, sha256, id, indexed
    names: dict[str, str] = field(default_factory=dict)  # deputy id → name
    places: dict[str, list[str]] = field(default_factory=dict)  # deputy source → places

    def to_bytes(self) -> bytes:
        """A JSON header line, then one tab-separated line per file: fast to read and write at 50,000 files."""
        header = {
            "version": MANIFEST_VERSION,
            "engine": self.engine,
            "context": self.context,
            "names": self.names,
            "places": self.places,
        }
        lines = [json.dumps(header, ensure_ascii=False, sort_keys=True)]
        for source, e in self.files.items():
            lines.append(
                f"{_quote(source)}\t{e['mtime']}\t{e['size']}\t{e['sha256']}\t{e['id'] or ''}\t{int(e['indexed'])}"
            )
        return ("\n".join(lines) + "\n").encode("utf-8")

    @classmethod
    def read(cls, path: Path, engine: str) -> Manifest | None:
        """The manifest at ``path``, or None when it is missing, damaged or from another version/engine."""
        try:
            first, *rows = path.read_text(encoding="utf-8").splitlines()
            header = json.loads(first)
            if header.get("version") != MANIFEST_VERSION or header.get("engine") != engine:
                return None
            files: dict[str, dict[str, Any]] = {}
            for row in rows:
                source, mtime, size, digest, rid, indexed = row.split("\t")
                files[json.loads(source) if source.startswith('"') else source] = {
                    "mtime": int(mtime),
                    "size": int(size),
                    "sha256": digest,
                    "id": rid or None,
                    "indexed": indexed == "1",
                }
            return cls(engine, header["context"], files, header["names"], header["places"])
        except (OSError, ValueError, KeyError, AttributeError):
            return None

    def analyzer(self) -> Analyzer:
        places = [p for ps in self.places.values() for p in ps]
        return Analyzer(workspace_words(self.names.values(), places))


def _quote(source: str) -> str:
    """A source as one tab-separated field: JSON-quoted only when it would break the line."""
    if source.startswith('"') or any(c in source for c in "\t\n\r"):
        return json.dumps(source, ensure_ascii=False)
    return source


def live_generation(workspace: Workspace, engine: str) -> Path | None:
    folder = index_root(workspace) / engine
    try:
        name = (folder / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    generation = folder / name
    return generation if name.startswith("g-") and (generation / MANIFEST).is_file() else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def scan_records(workspace: Workspace) -> dict[str, Path]:
    """Workspace-relative source → path of every record file, as :meth:`Workspace.record_files` finds them
    (``*.yaml``/``*.yml`` under ``records/``, hidden names skipped), sorted; one directory walk without
    resolving each path, which matters at tens of thousands of files."""
    top = workspace.records_dir
    found: dict[str, Path] = {}
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = Path(folder).relative_to(workspace.root).as_posix()
        for name in files:
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                found[f"{rel}/{name}"] = Path(folder, name)
    return dict(sorted(found.items()))
