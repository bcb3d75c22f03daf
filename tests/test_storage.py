"""Every command on a read-only workspace and on a full disk (issue 16, item 16): a Chinese message naming
the folder, exit 1 (0 for commands that write nothing), never a traceback; search falls back to its index.

The file systems are real: a read-only bind mount (``chmod a-w`` does not stop root) and a small tmpfs
filled to the last byte.  Mounting needs root (CAP_SYS_ADMIN); elsewhere the tests are skipped, saying why.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from samples import REPO, copy_sample

import cli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mounts file systems (Linux)")

IMPORTED_PDF = REPO / "tests" / "fixtures" / "pdf" / "article-budget.pdf"

# (arguments with {ws} for the workspace, whether the command writes into the workspace)
PASSWORD = "澄湖区人大2026-storage\n"  # read by the account commands' --password-stdin, ignored by the others
COMMANDS: list[tuple[tuple[str, ...], bool]] = [
    (("validate",), False),
    (("list",), False),
    (("new", "opinion"), True),
    (("render", "opinion-2024-01"), True),
    (("render", "--all"), True),
    (("check", "{ws}/out/r/opinion-2024-01.docx"), False),
    (("index",), True),
    (("search", "物业"), False),  # falls back to the index as it is
    (("related", "opinion-2025-03"), False),
    (("import", "{ws}/article-budget.pdf"), True),
    (("track",), False),
    (("track", "remind"), True),
    (("track", "assign", "--organ", "区教育局", "--date", "2024-02-20"), True),
    (("track", "supervise", "--date", "2024-03-01"), True),
    (("track", "draft-report", "--year", "2024"), True),
    (("track", "stats"), False),
    (("deputy", "profile", "d035", "--year", "2024"), True),
    (("deputy", "attendance"), False),
    (("deputy", "draft-report", "d035", "--year", "2024"), True),
    (("archive", "build", "2024"), True),
    (("archive", "verify", "{ws}/out/archive/J017-WS-2022"), False),
    (("init", "{ws}/another"), True),
    (("user", "list"), False),
    (("audit",), False),
    (("audit", "--verify"), False),
    (("user", "add", "newclerk", "--role", "clerk", "--password-stdin"), True),
    (("user", "passwd", "staff", "--password-stdin"), True),
    (("user", "sign", "staff"), True),
    (("user", "disable", "staff"), True),
]
# `serve` blocks: its start-up (the index update and the account store) is what the commands above exercise.
NOT_YET_COVERED = {("serve",)}


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for name, command in group.commands.items():
        found.add((*prefix, name))
        if isinstance(command, click.Group):
            found |= _command_paths(command, (*prefix, name))
    return found


def test_the_matrix_covers_every_command_of_renda_help() -> None:
    paths = _command_paths(cli.cli)
    run = {path for path in paths if any(args[: len(path)] == path for args, _ in COMMANDS)}
    assert paths - run == NOT_YET_COVERED
    assert {("validate",), ("track", "remind"), ("archive", "verify"), ("init",)} <= paths  # it does look


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with what the read-only commands read: an index, a rendered .docx, an archive package, a PDF."""
    root = copy_sample(tmp_path_factory.mktemp("prepared") / "ws")
    for args in (
        ("index",),
        ("render", "opinion-2024-01", "--format", "docx", "-o", str(root / "out" / "r")),
        ("archive", "build", "2022"),  # the smallest year
        ("user", "add", "staff", "--role", "clerk", "--password-stdin"),  # an account to change
    ):
        result = CliRunner().invoke(cli.cli, ["--root", str(root), *args], input=PASSWORD)
        assert result.exit_code == 0, result.output
    shutil.copy(IMPORTED_PDF, root / "article-budget.pdf")
    return root


def _mount(*args: str) -> str | None:
    """None when it worked, else why not."""
    if shutil.which("mount") is None:
        return "no mount command"
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or f"mount exited {done.returncode}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture(scope="module")
def read_only(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A read-only bind mount of a copy of ``prepared``."""
    base = tmp_path_factory.mktemp("ro")
    shutil.copytree(prepared, base / "rw")
    (base / "ws").mkdir()
    why = _mount("--bind", str(base / "rw"), str(base / "ws"))
    if why is None:
        why = _mount("-o", "remount,bind,ro", str(base / "ws"))
        if why is not None:
            _umount(base / "ws")
    if why is not None:
        pytest.skip(f"cannot make a read-only mount here (needs root / CAP_SYS_ADMIN): {why}")
    try:
        with pytest.raises(OSError) as refused:
            (base / "ws" / "probe").write_text("x")
        assert refused.value.errno == errno.EROFS
        yield base / "ws"
    finally:
        _umount(base / "ws")


def _fill(folder: Path) -> None:
    """Write until the file system holding ``folder`` has not one byte left."""
    with (folder / "filler").open("ab", buffering=0) as handle:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC


@pytest.fixture(scope="module")
def full_disk(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of ``prepared``, one record edited since it was indexed, on a small tmpfs filled up."""
    mount = tmp_path_factory.mktemp("full")
    why = _mount("-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount))
    if why is not None:
        pytest.skip(f"cannot mount a small tmpfs here (needs root / CAP_SYS_ADMIN): {why}")
    try:
        root = mount / "ws"
        shutil.copytree(prepared, root)
        record = root / "records" / "2024" / "opinion-2024-02.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: 改过的", 1), encoding="utf-8")
        _fill(mount)
        assert os.statvfs(mount).f_bavail == 0
        yield root
    finally:
        _umount(mount)


def _run(root: Path, args: tuple[str, ...]) -> Result:
    argv = ["--root", str(root), *(a.replace("{ws}", str(root)) for a in args)]
    return CliRunner().invoke(cli.cli, argv, input=PASSWORD)


def _assert_handled(result: Result, root: Path, writes: bool, reason: str) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if writes:
        assert result.exit_code == 1, result.output
        named = re.search(rf"错误：无法写入 (\S+)：{reason}", result.output)
        assert named, result.output
        assert Path(named[1]).resolve().is_relative_to(root.resolve()), named[1]  # the folder, in the workspace
    else:
        assert result.exit_code == 0, result.output
        assert "错误" not in result.output


@pytest.mark.parametrize(("args", "writes"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_every_command_on_a_read_only_workspace(read_only: Path, args: tuple[str, ...], writes: bool) -> None:
    result = _run(read_only, args)
    _assert_handled(result, read_only, writes, "只读文件系统")
    if args[0] == "search":
        assert "检索索引未能更新，结果可能不是最新的：无法写入" in result.output and "只读文件系统" in result.output
        assert "opinion-" in result.output  # results from the index as it is


# Whoosh leaves the segment files it was writing open when a write fails (the process ends right after).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("args", "writes"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_every_command_on_a_full_disk(full_disk: Path, args: tuple[str, ...], writes: bool) -> None:
    result = _run(full_disk, args)
    _assert_handled(result, full_disk, writes, "磁盘已满")
    if args[0] == "search":  # one record changed since the index was built: the update fails, the search not
        assert "检索索引未能更新，结果可能不是最新的：无法写入" in result.output and "磁盘已满" in result.output
        assert "opinion-" in result.output
    assert not list(full_disk.rglob(".renda-*")) and not list(full_disk.rglob(".J017-WS-*"))


@pytest.mark.slow
def test_render_all_on_a_disk_that_fills_up_midway(prepared: Path, tmp_path: Path) -> None:
    # LibreOffice says nothing when the disk fills up: it leaves PDFs cut off, which pikepdf could not read
    mount = tmp_path / "small"
    mount.mkdir()
    why = _mount("-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount))
    if why is not None:
        pytest.skip(f"cannot mount a small tmpfs here (needs root / CAP_SYS_ADMIN): {why}")
    try:
        root = mount / "ws"
        shutil.copytree(prepared, root, ignore=shutil.ignore_patterns("out", ".renda"))
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        (mount / "filler").write_bytes(b"\0" * (free - 1_500_000))  # room for the .docx files, not the PDFs

        result = _run(root, ("render", "--all"))

        assert "Traceback" not in result.output and "trailer" not in result.output
        assert result.exit_code == 1, result.output
        assert f"错误：无法写入 {root / 'out'}：磁盘已满" in result.output
        assert [p.name for p in (root / "out").iterdir()] == []  # nothing half written, no work folder
    finally:
        _umount(mount)
