"""Progress on long work: one line on a terminal, nothing in a pipe or under --json."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import copy_sample

import archive.cli._shared
import cli
from archive.progress import ProgressLine, Step


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_line_shows_stage_count_current_item_and_time_left() -> None:
    stream, clock = FakeTTY(), Clock()
    line = ProgressLine(stream, columns=80, clock=clock)

    line(Step("转换 PDF", 0, 4, "a"))
    clock.now = 10.0
    line(Step("转换 PDF", 2, 4, "cwh-17-12"))
    clock.now = 20.0
    line(Step("转换 PDF", 4, 4, "opinion-2024-01"))
    line.close()

    # 2 done in 10 s, 2 to go: about 10 s left; nothing left to estimate at 4/4
    assert stream.getvalue() == (
        "\r转换 PDF 0/4 a\x1b[K\r转换 PDF 2/4 cwh-17-12 剩余约 0:10\x1b[K\r转换 PDF 4/4 opinion-2024-01\x1b[K\r\x1b[K"
    )


def test_a_new_stage_restarts_the_estimate() -> None:
    stream, clock = FakeTTY(), Clock()
    line = ProgressLine(stream, clock=clock)
    line(Step("生成 .docx", 0, 2))
    clock.now = 100.0
    line(Step("转换 PDF", 0, 6))
    clock.now = 103.0
    line(Step("转换 PDF", 3, 6, "x"))

    assert stream.getvalue().endswith("\r转换 PDF 3/6 x 剩余约 0:03\x1b[K")


def test_steps_closer_than_the_interval_are_not_redrawn_except_the_last() -> None:
    stream, clock = FakeTTY(), Clock()
    line = ProgressLine(stream, clock=clock, interval=1.0)

    for done in range(6):
        clock.now = done * 0.1
        line(Step("读取记录", done, 5, f"r{done}"))

    drawn = [part for part in stream.getvalue().split("\r") if part]
    assert drawn == ["读取记录 0/5 r0\x1b[K", "读取记录 5/5 r5\x1b[K"]


def test_the_same_step_twice_is_drawn_once() -> None:
    stream = FakeTTY()
    line = ProgressLine(stream, interval=0.0)

    line(Step("转换 PDF", 0, 3))
    line(Step("转换 PDF", 0, 3))

    assert stream.getvalue().count("\r") == 1


def test_a_long_current_item_is_clipped_to_the_terminal_width() -> None:
    stream = FakeTTY()
    line = ProgressLine(stream, columns=30)

    line(Step("整理归档件", 1, 9, "关于催报区人民法院执行工作情况报告审议意见研究处理情况的函"))

    text = stream.getvalue().removeprefix("\r").removesuffix("\x1b[K")
    width = sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    assert text.startswith("整理归档件 1/9 关于")
    assert text.endswith("…")
    assert width <= 30


def test_nothing_is_written_to_a_stream_that_is_not_a_terminal() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream)

    line(Step("转换 PDF", 0, 2, "a"))
    line(Step("转换 PDF", 2, 2, "b"))
    line.close()

    assert stream.getvalue() == ""


# -- through the command line -----------------------------------------------------------


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> FakeTTY:
    """The CLI's progress stream, as if stdout and stderr were a terminal."""
    stream = FakeTTY()
    monkeypatch.setattr(archive.cli._shared, "progress_stream", lambda: stream)
    return stream


def test_render_draws_progress_on_a_terminal_and_erases_it(tmp_path: Path, tty: FakeTTY) -> None:
    root = copy_sample(tmp_path / "ws")

    result = run(root, "render", "opinion-2024-01", "cwh-17-12", "--format", "docx", "-o", str(tmp_path / "o"))

    assert result.exit_code == 0, result.output
    drawn = tty.getvalue()
    assert "\r生成 .docx 0/2 opinion-2024-01\x1b[K" in drawn
    assert "\r生成 .docx 2/2\x1b[K" in drawn
    assert drawn.endswith("\r\x1b[K")
    # what the command prints is unchanged
    assert "\r" not in result.output and "\x1b" not in result.output


def test_render_in_a_pipe_prints_exactly_what_it_did_before(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    out = tmp_path / "o"

    result = run(root, "render", "opinion-2024-01", "cwh-17-12", "--format", "docx", "-o", str(out))

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"已生成 {out}/opinion-2024-01.docx\n已生成 {out}/cwh-17-12.docx\n共生成 2 个文件，0 个失败。\n"
    )


def test_json_output_gets_no_progress_even_on_a_terminal(tmp_path: Path, tty: FakeTTY) -> None:
    root = copy_sample(tmp_path / "ws")

    result = run(root, "render", "opinion-2024-01", "--format", "docx", "-o", str(tmp_path / "o"), "--json")

    assert result.exit_code == 0, result.output
    assert tty.getvalue() == ""
    assert json.loads(result.output)["failures"] == []


def test_index_draws_the_records_read_on_a_terminal(tmp_path: Path, tty: FakeTTY) -> None:
    root = copy_sample(tmp_path / "ws")
    files = len(list((root / "records").rglob("*.yaml")))

    result = run(root, "index")

    assert result.exit_code == 0, result.output
    assert f"\r读取记录 {files}/{files}" in tty.getvalue()
    assert "写入索引" in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[K")
    assert result.output.startswith("检索索引已重新建立")


def test_archive_build_draws_its_stages_on_a_terminal(tmp_path: Path, tty: FakeTTY) -> None:
    root = copy_sample(tmp_path / "ws")

    result = run(root, "archive", "build", "2022", "-o", str(tmp_path / "archive"))

    assert result.exit_code == 0, result.output
    drawn = tty.getvalue()
    items = int(result.output.split("：")[1].split(" 件")[0])
    assert f"\r生成 PDF/A {items}/{items}" in drawn
    assert f"\r整理归档件 {items}/{items}\x1b[K" in drawn
    assert drawn.endswith("\r\x1b[K")
    assert "\x1b" not in result.output
