"""Writing files without ever leaving half of one, and without overwriting by accident."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from archive.errors import ArchiveError, WriteError
from archive.processes import alive, identity

# what the disk said, for the clerk; any other OSError is not about where renda writes
_STORAGE = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "只读文件系统",
}


def storage_error(exc: BaseException, folder: Path | None = None) -> WriteError | None:
    """The project error for an OSError that says the disk is full or the file system is read-only
    (naming the folder it could not write: the file's, else ``folder``), or None for any other error."""
    if not isinstance(exc, OSError) or exc.errno not in _STORAGE:
        return None
    where = folder
    if exc.filename is not None:
        name = Path(os.path.abspath(os.fsdecode(exc.filename)))
        if folder is None or not name.is_relative_to(os.path.abspath(folder)):  # else: the folder the user named
            where = name if name.is_dir() else name.parent
    return WriteError(f"无法写入 {where or '工作区'}：{_STORAGE[exc.errno]}", _STORAGE[exc.errno])


def database_storage_error(exc: BaseException, folder: Path) -> WriteError | None:
    """The project error for an OSError or SQLite error that says the disk is full or the database cannot be written
    because its file system is read-only (naming ``folder``), or None for any other error."""
    if isinstance(exc, OSError):
        return storage_error(exc, folder)
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    text = str(exc).lower()
    if "disk is full" in text or ("disk i/o error" in text and _free_bytes(folder) == 0):
        reason = _STORAGE[errno.ENOSPC]
    elif ("readonly" in text or "unable to open" in text) and _read_only(folder):
        reason = _STORAGE[errno.EROFS]
    else:
        return None
    return WriteError(f"无法写入 {folder}：{reason}", reason)


def _free_bytes(folder: Path) -> int:
    try:
        return os.statvfs(_existing(folder)).f_bavail
    except OSError:
        return -1


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(_existing(folder)).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """A full disk or a read-only file system inside the block becomes :class:`WriteError` naming the folder."""
    try:
        yield
    except OSError as exc:
        problem = storage_error(exc, folder)
        if problem is None:
            raise
        raise problem from None


def _temp_beside(path: Path, data: bytes) -> Path:
    with writing(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return Path(tmp)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file (hex), read in 1 MB chunks: what records keep of an imported or uploaded PDF."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


MAX_TEXT_BESIDE = 200_000  # characters of a stored PDF's text kept beside it


def text_beside(pdf: Path) -> Path:
    """Where the text read from a PDF stored in the workspace (an uploaded report or answer) is kept for the
    search index, which has no time to read PDFs: ``<name>.pdf.txt`` beside it."""
    return pdf.with_name(pdf.name + ".txt")


def write_new(path: Path, data: bytes, error: type[ArchiveError] = ArchiveError) -> None:
    """Create ``path`` atomically; refuse (``error``) when it already exists."""
    if path.exists():
        raise error(f"{path} 已存在，不会覆盖")
    tmp = _temp_beside(path, data)
    try:
        os.link(tmp, path)  # fails if the name appeared meanwhile: never overwrites
    except FileExistsError:
        raise error(f"{path} 已存在，不会覆盖") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_replace(path: Path, data: bytes) -> None:
    """Write ``path`` atomically, replacing an older version (for generated outputs only)."""
    tmp = _temp_beside(path, data)
    try:
        with writing(path.parent):
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- work folders a killed run may leave behind ---------------------------------------------

# tempfile.mkdtemp's random part: what renda's work folders ended in before they carried their owner
_UNMARKED = re.compile(r"[a-z0-9_]{8}")
UNMARKED_AGE = 24 * 3600  # an unmarked work folder this old belongs to no run still going


def make_work_folder(parent: Path, prefix: str) -> Path:
    """A new private (0700) folder ``<prefix><owner>.<random>`` in ``parent`` for documents in the
    making; ``<owner>`` is this process's :func:`~archive.processes.identity`, so that
    :func:`remove_leftovers` of a later run can tell whether the run that made it is still going.
    What earlier, killed runs left in ``parent`` under the same prefix is removed first."""
    parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(parent, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{identity()}.", dir=parent))


@contextlib.contextmanager
def work_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """:func:`make_work_folder` for the block, removed when it ends."""
    folder = make_work_folder(parent, prefix)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(parent: Path, prefix: str) -> list[Path]:
    """Remove the :func:`work_folder` folders in ``parent`` left by runs that are gone (killed, say); a live
    run's folder stays.  Returns what was removed; never fails (a folder it cannot remove stays)."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        owner, _, rest = entry.name[len(prefix) :].rpartition(".")
        gone = False
        if owner:
            gone = not alive(owner)
        elif _UNMARKED.fullmatch(rest):  # made by an older renda, which did not say whose: only when old
            with contextlib.suppress(OSError):
                gone = time.time() - entry.stat().st_mtime > UNMARKED_AGE
        if gone:
            shutil.rmtree(entry.path, ignore_errors=True)
            if not os.path.lexists(entry.path):
                removed.append(Path(entry.path))
    return removed
