"""cli.py as a user meets it: help, version, usage errors, start-up time, documentation."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from samples import CJK, CLI_SCRIPT, RENDA_COMMAND, REPO

import cli

COMMANDS = sorted(cli.cli.list_commands(click.Context(cli.cli)))


def _renda(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RENDA_ROOT"}
    return subprocess.run([*RENDA_COMMAND, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def test_the_basic_commands_exist() -> None:
    assert {"init", "validate", "new", "list"} <= set(COMMANDS)


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_group_help_is_chinese_and_lists_every_command(flag: str) -> None:
    result = CliRunner().invoke(cli.cli, [flag], prog_name="renda")

    assert result.exit_code == 0
    assert result.output.startswith("用法：renda")
    assert "选项" in result.output
    assert "命令" in result.output
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S*[\u4e00-\u9fff]", result.output, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_chinese_help(name: str, flag: str) -> None:
    result = CliRunner().invoke(cli.cli, [name, flag], prog_name="renda")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"用法：renda {name}")
    assert "选项" in result.output
    summary = (cli.cli.commands[name].help or "").strip().splitlines()[0]
    assert CJK.search(summary), summary
    assert summary in result.output
    # Every option documents itself in Chinese.
    for param in cli.cli.commands[name].params:
        if isinstance(param, click.Option):
            assert param.help and CJK.search(param.help), param.name


@pytest.mark.parametrize("name", ["init", "new", "validate"])
def test_every_row_of_the_options_section_is_described(name: str) -> None:
    result = CliRunner().invoke(cli.cli, [name, "-h"], prog_name="renda")

    _, section = re.split(r"\n选项[:：]\n", result.output, maxsplit=1)
    rows = [line for line in section.split("\n\n")[0].splitlines() if line.strip()]
    assert rows
    assert all(CJK.search(line.strip().split(None, 1)[-1]) and len(line.split()) > 1 for line in rows), rows


def test_version_is_printed() -> None:
    result = CliRunner().invoke(cli.cli, ["--version"])

    assert result.exit_code == 0
    assert result.output == f"renda {cli.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", cli.__version__)


def test_installed_script_prints_the_version() -> None:
    child = _renda("--version")

    assert child.returncode == 0
    assert child.stdout.strip() == f"renda {cli.__version__}"


USAGE_ERRORS = [
    pytest.param(["frobnicate"], "没有命令“frobnicate”", id="unknown command"),
    pytest.param(["new"], "缺少参数", id="missing argument"),
    pytest.param(["list", "--term", "十七"], "--term 的值应为整数", id="not an integer"),
    pytest.param(["--root"], "选项 --root 需要一个值", id="option without value"),
    pytest.param(
        ["validate", "--bogus"],
        "没有选项 --bogus",
        id="unknown option",
    ),
    pytest.param(
        ["--bogus"],
        "没有选项 --bogus",
        id="unknown global option",
    ),
    pytest.param(["list", "--type", "决议"], "未知的记录类型“决议”", id="bad choice"),
    pytest.param(
        ["new", "opinion", "--date", "2024-02-30"], "--date 的值无效：日期不存在：2024年2月没有30日", id="bad date"
    ),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_two_with_a_chinese_message(ws: Path, args: list[str], message: str) -> None:
    child = _renda(*args, cwd=ws)

    assert child.returncode == 2, child.stderr
    assert child.stdout == ""
    error = [line for line in child.stderr.splitlines() if line.startswith("错误：")]
    assert len(error) == 1, child.stderr
    assert message in error[0]
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", error[0].removeprefix("错误：")), error[0]  # no English prose
    assert "Traceback" not in child.stderr


def test_library_errors_exit_one_with_a_chinese_message(tmp_path: Path) -> None:
    child = _renda("--root", str(tmp_path / "nope"), "list")

    assert child.returncode == 1
    assert child.stderr.startswith("错误：")
    assert CJK.search(child.stderr)


def test_help_starts_in_under_a_second() -> None:
    _renda("--help")  # warm the file cache; the bench measures the real figure
    started = time.perf_counter()
    child = _renda("--help")
    elapsed = time.perf_counter() - started

    assert child.returncode == 0
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_importing_the_cli_does_not_load_the_library() -> None:
    # Heavy imports happen inside commands so that `renda --help` stays instant.
    code = (
        "import sys, cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('archive', 'yaml', 'jsonschema')))"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)

    assert child.returncode == 0, child.stderr
    loaded = [m for m in ast.literal_eval(child.stdout) if not m.startswith("archive.cli")]  # the face itself may load
    assert loaded == ["archive", "archive.errors"]


def test_cli_module_runs_as_a_script() -> None:
    child = subprocess.run([sys.executable, str(CLI_SCRIPT), "--version"], capture_output=True, text=True, timeout=60)

    assert child.returncode == 0
    assert child.stdout.strip() == f"renda {cli.__version__}"


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")

    missing = [name for name in COMMANDS if not re.search(rf"\brenda\b[^\n`]*\s{name}\b", readme)]
    assert missing == []


def test_repository_sample_workspace_validates() -> None:
    # STYLE: each example record in records/ validates.
    result = CliRunner().invoke(cli.cli, ["--root", str(REPO), "validate"])

    assert result.exit_code == 0, result.output[-3000:]
    assert re.search(r"检查了 \d+ 个文件、[1-9]\d* 条记录", result.output)
