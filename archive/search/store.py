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

from ..errors import SearchError
from ..workspace import Workspace
from .analysis import Analyzer, workspace_words

INDEX_DIR = Path(".renda") / "index"
MANIFEST = "manifest.tsv"
MANIFEST_VERSION = 3

# A manifest entry is the text "mtime<TAB>size<TAB>sha256<TAB>id<TAB>indexed", kept as read: splitting
# 50,000 of them costs more than the rest of an incremental update, and only changed files need it.
MTIME, SIZE, SHA256, RECORD_ID, INDEXED = range(5)


def file_entry(mtime: int, size: int, digest: str, record_id: str | None, indexed: bool) -> str:
    return f"{mtime}\t{size}\t{digest}\t{record_id or ''}\t{1 if indexed else 0}"


def entry_field(entry: str, position: int) -> str:
    return entry.split("\t")[position]


def is_indexed(entry: str) -> bool:
    return entry.endswith("\t1")


def same_file(entry: str, mtime: int, size: int) -> bool:
    """The entry was made from a file with this mtime and size (then it is taken as unchanged)."""
    return entry.startswith(f"{mtime}\t{size}\t")


def touched(entry: str, mtime: int) -> str:
    """The entry of a file whose mtime changed but not its content."""
    return f"{mtime}\t{entry.split(chr(9), 1)[1]}"


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
    files: dict[str, str] = field(default_factory=dict)  # source → entry (see file_entry)
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
        lines.extend(f"{_quote(source)}\t{entry}" for source, entry in self.files.items())
        return ("\n".join(lines) + "\n").encode("utf-8")

    @classmethod
    def read(cls, path: Path, engine: str) -> Manifest | None:
        """The manifest at ``path``, or None when it is missing, damaged or from another version/engine."""
        try:
            first, _, rows = path.read_text(encoding="utf-8").partition("\n")
            header = json.loads(first)
            if header.get("version") != MANIFEST_VERSION or header.get("engine") != engine:
                return None
            files: dict[str, str] = {}
            for row in rows.splitlines():
                source, _, entry = row.partition("\t")
                if entry.count("\t") != INDEXED:
                    return None
                files[json.loads(source) if source.startswith('"') else source] = entry
            return cls(engine, header["context"], files, header["names"], header["places"])
        except (OSError, ValueError, KeyError, AttributeError):
            return None

    def analyzer(self) -> Analyzer:
        places = [p for ps in self.places.values() for p in ps]
        return Analyzer(workspace_words(self.names.values(), places))


def _quote(source: str) -> str:
    """A source as one tab-separated field: JSON-quoted only when it would break the line."""
    if source.startswith('"') or "\t" in source or "\n" in source or "\r" in source:
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


FileState = tuple[str, int, int]  # absolute path, mtime (ns), size — as seen when scanned


def scan_records(workspace: Workspace) -> dict[str, FileState]:
    """Workspace-relative source → (path, mtime, size) of every record file, as
    :meth:`Workspace.record_files` finds them (``*.yaml``/``*.yml`` under ``records/``, hidden names
    skipped), in directory order.  One scandir walk, no Path objects: it runs before every search, over tens of
    thousands of files."""
    found: dict[str, FileState] = {}

    def walk(folder: str, rel: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    walk(entry.path, f"{rel}/{entry.name}")
                elif entry.name.endswith((".yaml", ".yml")) and entry.is_file():
                    stat = entry.stat()
                    found[f"{rel}/{entry.name}"] = (entry.path, stat.st_mtime_ns, stat.st_size)

    if workspace.records_dir.is_dir():
        walk(str(workspace.records_dir), workspace.records_dir.relative_to(workspace.root).as_posix())
    return found


def index_processes() -> int:
    """Processes a build spreads its work over: RENDA_INDEX_WORKERS, else one per core (at most 8)."""
    configured = os.environ.get("RENDA_INDEX_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(8, os.cpu_count() or 1))
