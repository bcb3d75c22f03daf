"""The one walk of ``records/`` that every command makes (validate, list, render, index and search,
archive, deputies, track, new): which files are records, and which entries are skipped as problems.

A record is a ``*.yaml``/``*.yml`` regular file under ``records/``; names starting with "." are
skipped.  Symbolic links are never followed, wherever they point:

* a link that leaves the workspace, loops (``ln -s .. up``), or points at nothing is an error;
* a link that stays inside the workspace is an error too, with a hint to move the records in.

Why not follow links that stay inside: a record must have exactly one path, the one that messages,
the search index and the archive name.  A link gives the same file a second name (duplicate ids,
``Workspace.relative`` naming the target rather than the link), and an archive must hold what is in
``records/``, not what a link happens to point at when it is built.  Reporting the link as an error
keeps every command's view the same and makes ``renda validate`` and ``archive build`` say so.

The walk is the search index's fast scanner (scandir by descriptor, no Path objects): it runs before
every search over tens of thousands of files.  Links cost a few extra system calls, only for links.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from archive.problems import Problem

RECORD_SUFFIXES = (".yaml", ".yml")
RECORDS = "records"


@dataclass(frozen=True)
class RecordWalk:
    """What the walk found: ``files`` as (workspace-relative POSIX path, st_mtime_ns, st_size), in
    directory order, and a problem for every link it skipped."""

    files: list[tuple[str, int, int]]
    problems: list[Problem]

    def sorted_sources(self) -> list[str]:
        """The relative paths, ordered as sorted Paths are (part by part)."""
        return sorted((f[0] for f in self.files), key=lambda s: s.split("/"))


def walk_records(root: Path) -> RecordWalk:
    """Walk ``<root>/records`` (``root`` resolved, as :class:`~archive.workspace.Workspace` keeps it)."""
    walk = RecordWalk([], [])
    real_root = os.path.realpath(root)
    records = os.path.join(root, RECORDS)
    if os.path.islink(records):
        problem = link_problem(real_root, records, RECORDS)
        if problem is not None:
            walk.problems.append(problem)
    elif os.path.isdir(records):
        _walk(records, RECORDS, real_root, walk)
    return walk


def _walk(folder: str, rel: str, real_root: str, walk: RecordWalk) -> None:
    """One folder of the walk, and the folders in it.  A module function, not a closure that calls itself: such
    a closure is a reference cycle, which kept each walk's list of files (5,000 tuples at 5,000 records) alive
    until the next full garbage collection, one list per save of the drafting desk."""
    append = walk.files.append
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.scandir(fd) as entries:  # by descriptor: each stat is relative, no path to resolve
            for entry in entries:  # d_type answers each question without a system call
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_file(follow_symlinks=False):
                    if name.endswith(RECORD_SUFFIXES):
                        st = entry.stat(follow_symlinks=False)
                        append((f"{rel}/{name}", st.st_mtime_ns, st.st_size))
                elif entry.is_dir(follow_symlinks=False):
                    _walk(os.path.join(folder, name), f"{rel}/{name}", real_root, walk)
                elif entry.is_symlink():
                    problem = link_problem(real_root, os.path.join(folder, name), f"{rel}/{name}")
                    if problem is not None:
                        walk.problems.append(problem)
    finally:
        os.close(fd)


def link_problem(real_root: str, path: str, rel: str) -> Problem | None:
    """Why the link at ``path`` (``rel`` in messages) is skipped; None for a link to a file that is
    not a record anyway (its name is not ``*.yaml``)."""
    try:
        shown = os.readlink(path)
    except OSError:
        shown = "?"
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(rel, 0, "", f"符号链接构成循环（{shown}），已跳过")
        if not rel.endswith(RECORD_SUFFIXES):
            return None
        return Problem(rel, 0, "", f"符号链接指向的文件不存在（{shown}），已跳过")
    if not is_dir and not rel.endswith(RECORD_SUFFIXES):
        return None
    target = os.path.realpath(path)
    if not _within(target, real_root):
        return Problem(rel, 0, "", f"符号链接指向工作区之外（{shown}），已跳过")
    if is_dir and _within(os.path.realpath(os.path.dirname(path)), target):
        return Problem(rel, 0, "", f"符号链接指向其上级目录（{shown}），会构成循环，已跳过")
    inside = Path(os.path.relpath(target, real_root)).as_posix()
    return Problem(
        rel, 0, "", f"符号链接指向工作区内的 {inside}，renda 不跟随符号链接，已跳过；请把记录文件直接放在 records/ 下"
    )


def linked_folder(root: Path, path: Path) -> str | None:
    """The first symbolic link (workspace-relative) among the folders from ``records/`` down to where
    ``path`` (a new record file) would be written, if any: a new record must not land where a link
    points, or it would be written outside the workspace and then skipped by every command."""
    folder = root
    for part in path.parent.relative_to(root).parts:
        folder = folder / part
        if folder.is_symlink():
            return folder.relative_to(root).as_posix()
    return None


def inside_workspace(root: Path, reference: str) -> Path | None:
    """The file a record names by a workspace-relative ``reference`` (``source_file.file``), or None
    when it is absolute, climbs out with "..", or resolves (through links) outside ``root``."""
    candidate = Path(reference)
    if not reference or candidate.is_absolute() or ".." in candidate.parts:
        return None
    path = root / candidate
    real_root = os.path.realpath(root)
    return path if _within(os.path.realpath(path), real_root) else None


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")
