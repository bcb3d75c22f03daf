"""Where the index lives and what sits beside it: folders, the write lock, the manifest, the file scan.

Layout, under the workspace root::

    .renda/index/lock                    held (flock) by the one process writing, which it names
    .renda/index/<engine>/CURRENT        names the live generation
    .renda/index/<engine>/g-…/           the engine's files + manifest.tsv
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import operator
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from ..errors import SearchError
from ..fileio import storage_error
from ..processes import alive, identity, not_inherited, pipe_to_workers, worker_started
from ..workspace import Workspace
from .analysis import Analyzer, words_digest, workspace_words

T = TypeVar("T")

INDEX_DIR = Path(".renda") / "index"
MANIFEST = "manifest.tsv"
MANIFEST_VERSION = 5


def quote(text: str) -> str:
    """A source or id as one line of the manifest: JSON-quoted only when it would break the line."""
    if text.isprintable() and not text.startswith('"'):
        return text
    return json.dumps(text, ensure_ascii=False)


def unquote(text: str) -> str:
    return json.loads(text) if text.startswith('"') else text


def state_line(source: str, mtime: int, size: int) -> str:
    """What the manifest remembers of a file to tell whether it changed: "source<TAB>mtime<TAB>size"."""
    return f"{quote(source)}\t{mtime}\t{size}"


def source_of(state: str) -> str:
    return unquote(state.rsplit("\t", 2)[0])


def index_root(workspace: Workspace) -> Path:
    return workspace.root / INDEX_DIR


@contextlib.contextmanager
def writer_lock(workspace: Workspace) -> Iterator[None]:
    """Hold the index's write lock, or raise SearchError at once if another live process holds it.

    The lock is an flock on ``lock``, which names its holder (:func:`~archive.processes.identity`).  The
    kernel releases an flock when every process holding the file is gone; the reading processes of a build
    close it and die with their parent, but a lock still held when the process it names is gone (left by
    processes an older renda forked, say) is taken over: a fresh ``lock`` file replaces it.
    """
    root = index_root(workspace)
    path = root / "lock"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = storage_error(exc, root)
        raise problem or SearchError(
            f"无法创建检索索引目录 {workspace.relative(root)}：{exc.strerror or exc}"
        ) from None
    fd = _acquire(path)
    try:
        with not_inherited(fd):
            yield
    finally:
        os.close(fd)


def _acquire(path: Path) -> int:
    for _attempt in range(5):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            problem = storage_error(exc, path.parent)
            raise problem or SearchError(f"无法创建检索索引的锁文件 {path}：{exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("ascii", "replace").strip()
            stale = os.fstat(fd).st_ino
            os.close(fd)
            if alive(holder):
                raise SearchError(
                    "另一个 renda 进程正在更新检索索引，请等它完成后再试（同一时间只能有一个进程写索引）"
                ) from None
            _replace_stale_lock(path, stale)
            continue
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{identity()}\n".encode("ascii"), 0)
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # taken over by another process meanwhile: lock the file that is there now
    raise SearchError("无法取得检索索引的写锁，请稍后再试")


def _replace_stale_lock(path: Path, inode: int) -> None:
    """Unlink ``path`` if it is still the stale lock ``inode``; one process at a time (a second flock)."""
    guard = os.open(path.with_name("lock.takeover"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path).st_ino == inode:
                path.unlink()
    finally:
        os.close(guard)


class Manifest:
    """What an index was built from, one generation's ``manifest.tsv``.

    The file is a JSON header line, a JSON line of deputies' names and places, then four blocks of
    one line per record file, in the same order: its state (:func:`state_line`), SHA-256, record id
    and whether it is indexed (one line of 0/1 flags).  An incremental update runs before every
    search over tens of thousands of files: the state lines are compared with the scan as sets, the
    blocks are split and joined whole, and only the rows of changed files are looked at, so almost
    no Python code runs per file.  The names line is parsed only when a record changed.
    """

    def __init__(
        self,
        engine: str,
        context: str = "",
        words: str = "",
        names: dict[str, str] | None = None,
        places: dict[str, list[str]] | None = None,
        sittings: dict[str, str] | None = None,
    ) -> None:
        self.engine = engine
        self.context = context
        self.words = words  # digest of the workspace words the context was made with (analysis.words_digest)
        self.states: list[str] = []
        self._digests: list[str] = []
        self._ids: list[str] = []  # quoted record ids, "" when the file holds no readable record
        self._flags: list[str] = []  # "1" indexed, "0" not
        self._rest = b""  # digests, ids and flags as read, split when first needed
        self._people = b""  # the names line as read; empty once names or places are set
        self._parsed = True
        self._names = names if names is not None else {}
        self._places = places if places is not None else {}
        self._sittings = sittings if sittings is not None else {}

    def _split_rest(self) -> None:
        if self._rest:
            rows = self._rest.decode("utf-8").split("\n")
            n = len(self.states)
            self._digests, self._ids, self._flags = rows[:n], rows[n : 2 * n], list(rows[2 * n])
            self._rest = b""

    @property
    def digests(self) -> list[str]:  # SHA-256 (first 128 bits) per row
        self._split_rest()
        return self._digests

    @property
    def ids(self) -> list[str]:
        self._split_rest()
        return self._ids

    @property
    def flags(self) -> list[str]:
        self._split_rest()
        return self._flags

    def add(self, state: str, digest: str, record_id: str | None, indexed: bool) -> int:
        self.states.append(state)
        self.digests.append(digest)
        self.ids.append(quote(record_id) if record_id else "")
        self.flags.append("1" if indexed else "0")
        return len(self.states) - 1

    def set(self, row: int, state: str, digest: str, record_id: str | None, indexed: bool) -> None:
        self.states[row] = state
        self.digests[row] = digest
        self.ids[row] = quote(record_id) if record_id else ""
        self.flags[row] = "1" if indexed else "0"

    def remove(self, rows: list[int]) -> None:
        for row in sorted(rows, reverse=True):
            del self.states[row], self.digests[row], self.ids[row], self.flags[row]

    def reorder(self, states: list[str]) -> None:
        """Put the rows in the order of ``states`` (the same states, as a scan lists them): then the
        next scan, when nothing changed, equals :attr:`states` as it stands."""
        if len(states) < 2 or self.states == states:
            return
        rows = dict(zip(self.states, range(len(self.states)), strict=True))
        take = operator.itemgetter(*map(rows.__getitem__, states))
        self.states, self._digests, self._ids = list(states), list(take(self.digests)), list(take(self.ids))
        self._flags = list(take(self.flags))

    def record_id(self, row: int) -> str:
        return unquote(self.ids[row])

    def indexed(self, row: int) -> bool:
        return self.flags[row] == "1"

    def indexed_count(self) -> int:
        return self.flags.count("1")

    def _parse_people(self) -> None:
        if not self._parsed:
            parsed = _PEOPLE.get(self._people)
            if parsed is None:
                people = json.loads(self._people)
                parsed = _remember_people(self._people, people["names"], people["places"], people["sittings"])
            self._names, self._places, self._sittings = parsed
            self._parsed = True

    @property
    def names(self) -> dict[str, str]:  # deputy id → name
        self._parse_people()
        return self._names

    @names.setter
    def names(self, value: dict[str, str]) -> None:
        self._parse_people()
        self._names, self._people = value, b""

    @property
    def places(self) -> dict[str, list[str]]:  # deputy source → places
        self._parse_people()
        return self._places

    @places.setter
    def places(self, value: dict[str, list[str]]) -> None:
        self._parse_people()
        self._places, self._people = value, b""

    @property
    def sittings(self) -> dict[str, str]:  # meeting id → its sitting key (17-21), for the opinions it heard
        self._parse_people()
        return self._sittings

    @sittings.setter
    def sittings(self, value: dict[str, str]) -> None:
        self._parse_people()
        self._sittings, self._people = value, b""

    def to_bytes(self) -> bytes:
        if not self._people:
            people = json.dumps(
                {"names": self._names, "places": self._places, "sittings": self._sittings},
                ensure_ascii=False,
                sort_keys=True,
            )
            self._people = people.encode("utf-8")
            _remember_people(self._people, self._names, self._places, self._sittings)
        states = "\n".join(self.states).encode("utf-8")
        header = {
            "version": MANIFEST_VERSION,
            "engine": self.engine,
            "context": self.context,
            "words": self.words,
            "files": len(self.states),
            "states": len(states),  # bytes: a scan that finds nothing changed needs no more
        }
        parts = [json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"), self._people]
        if self.states:
            parts += [states, *("\n".join(block).encode("utf-8") for block in (self.digests, self.ids))]
        parts += ["".join(self.flags).encode("ascii"), b""]
        return b"\n".join(parts)

    @classmethod
    def read(cls, path: Path, engine: str, files: bool = True) -> Manifest | None:
        """The manifest at ``path``, or None when it is missing, damaged or from another version/engine.
        Without ``files`` only the header and the names are read (enough to search)."""
        try:
            with path.open("rb") as handle:
                header = json.loads(handle.readline())
                if header.get("version") != MANIFEST_VERSION or header.get("engine") != engine:
                    return None
                manifest = cls(engine, header["context"], header["words"])
                manifest._people, manifest._parsed = handle.readline().rstrip(b"\n"), False
                if not manifest._people.startswith(b"{"):
                    return None
                if not files:
                    return manifest
                data = handle.read()
            n, length = header["files"], header["states"]
            if not isinstance(n, int) or not isinstance(length, int) or data.count(b"\n") != (3 * n + 1 if n else 1):
                return None
            flags = data[data.rfind(b"\n", 0, len(data) - 1) + 1 : -1]
            if len(flags) != n or flags.strip(b"01") or not data.endswith(b"\n"):
                return None
            if n:
                if data[length : length + 1] != b"\n" or data.count(b"\n", 0, length) != n - 1:
                    return None
                manifest.states = data[:length].decode("utf-8").split("\n")
                manifest._rest = data[length + 1 :]
            return manifest
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            return None

    def analyzer(self) -> Analyzer:
        return _ANALYZERS.get(self.words) or analyzer_of(self.names, self.places)


# The names line last read or written in this process, parsed: a process that updates or searches
# repeatedly parses tens of thousands of names once.  The dicts are shared: callers copy, not change.
_PEOPLE: dict[bytes, tuple[dict[str, str], dict[str, list[str]], dict[str, str]]] = {}


def _remember_people(
    line: bytes, names: dict[str, str], places: dict[str, list[str]], sittings: dict[str, str]
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    _PEOPLE.clear()
    _PEOPLE[line] = (names, places, sittings)
    return names, places, sittings


_ANALYZERS: dict[str, Analyzer] = {}  # words digest → analyzer, the last few made in this process


def analyzer_of(names: dict[str, str], places: dict[str, list[str]]) -> Analyzer:
    """The analyzer for a workspace's deputies' names and places (remembered by words digest: a
    process that searches or updates repeatedly does not sort tens of thousands of names each time)."""
    analyzer = Analyzer(workspace_words(names.values(), [p for ps in places.values() for p in ps]))
    if len(_ANALYZERS) >= 4:
        _ANALYZERS.clear()
    _ANALYZERS[words_digest(analyzer.extra_words)] = analyzer
    return analyzer


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
    return digest.hexdigest()[:32]  # 128 bits tell an edit from a touch; the manifest is read and written whole


def state_lines(files: list[tuple[str, int, int]]) -> list[str]:
    """:func:`state_line` of each record file :func:`archive.walker.walk_records` found (source, mtime,
    size), in its order, quoting only the names that need it: it runs before every search."""
    return [
        f"{source}\t{mtime}\t{size}" if source.isprintable() else state_line(source, mtime, size)
        for source, mtime, size in files
    ]


def index_processes() -> int:
    """Processes a build spreads its work over: RENDA_INDEX_WORKERS, else one per core (at most 8)."""
    configured = os.environ.get("RENDA_INDEX_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(8, os.cpu_count() or 1))


def parallel_map(function: Callable[..., T], *arguments: Iterable[Any], processes: int) -> list[T]:
    """``list(map(function, *arguments))`` over ``processes`` forked processes (in this process when
    one is asked for, or where fork is missing), results in order.  A process that dies (killed for
    want of memory, say) becomes a SearchError that says what to do."""
    if processes < 2 or sys.platform == "win32":
        return list(map(function, *arguments))
    watch, write_end = pipe_to_workers()  # the workers die with this process, however it dies
    try:
        with ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=worker_started,
            initargs=(os.getpid(), watch, write_end),
        ) as pool:
            return list(pool.map(function, *arguments))
    except BrokenProcessPool:
        raise SearchError(
            "建立检索索引的子进程意外退出（可能是内存不足）；可设置环境变量 RENDA_INDEX_WORKERS=1 后重试"
        ) from None
    finally:
        os.close(write_end)
        os.close(watch)
