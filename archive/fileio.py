"""Writing files without ever leaving half of one, and without overwriting by accident."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ArchiveError


def _temp_beside(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


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
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
