"""archive.workspace and `renda init`: finding the workspace, renda.yaml, the starter."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import (
    CJK,
    OPINION,
    RENDA_COMMAND,
    REPO,
    STARTER,
    copy_starter,
    replace_once,
    reported,
    snapshot,
    write_file,
)

import cli
from archive.errors import WorkspaceError
from archive.workspace import Workspace

# -- finding the workspace ----------------------------------------------------------------------------------


def test_workspace_is_found_by_walking_up_from_a_subfolder(ws: Path) -> None:
    assert Workspace.find(start=ws / "records" / "2025").root == ws.resolve()
    assert Workspace.find(start=ws).root == ws.resolve()


def test_nearest_workspace_upwards_wins(ws: Path) -> None:
    inner = copy_starter(ws / "records" / "nested")

    assert Workspace.find(start=inner / "records").root == inner.resolve()


def test_no_workspace_upwards_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace.find(start=tmp_path)

    assert "找不到 renda 工作区" in str(info.value)
    assert "--root" in str(info.value)


@pytest.fixture
def three(tmp_path: Path) -> dict[str, Path]:
    """Three workspaces told apart by an extra record: the --root one, the RENDA_ROOT one, the cwd one."""
    out = {}
    for name, extra_id in (("flag", "opinion-2025-02"), ("env", "opinion-2025-03"), ("cwd", "opinion-2025-04")):
        root = copy_starter(tmp_path / name)
        text = replace_once(OPINION, "id: opinion-2025-02", f"id: {extra_id}")
        write_file(root, f"records/2025/{extra_id}.yaml", text.replace("〔2025〕2号", f"〔2025〕{extra_id[-1]}号"))
        out[name] = root
    return out


def test_root_option_beats_environment_beats_walking_up(
    three: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    start = three["cwd"] / "records"
    monkeypatch.setenv("RENDA_ROOT", str(three["env"]))

    assert Workspace.find(str(three["flag"]), start=start).root == three["flag"].resolve()
    assert Workspace.find(None, start=start).root == three["env"].resolve()
    monkeypatch.delenv("RENDA_ROOT")
    assert Workspace.find(None, start=start).root == three["cwd"].resolve()


def _ids(stdout: str) -> set[str]:
    return {row["id"] for row in json.loads(stdout)}


def test_cli_root_option_beats_renda_root(three: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDA_ROOT", str(three["env"]))

    with_flag = CliRunner().invoke(cli.cli, ["--root", str(three["flag"]), "list", "--json"])
    without = CliRunner().invoke(cli.cli, ["list", "--json"])

    assert "opinion-2025-02" in _ids(with_flag.stdout)
    assert "opinion-2025-03" in _ids(without.stdout)


def _run_in(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "RENDA_ROOT"} | (env or {})
    return subprocess.run([*RENDA_COMMAND, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=60)


def test_cli_walks_up_from_the_current_folder(three: dict[str, Path]) -> None:
    child = _run_in(three["cwd"] / "records" / "2025", "list", "--json")

    assert child.returncode == 0, child.stderr
    assert "opinion-2025-04" in _ids(child.stdout)


def test_cli_renda_root_beats_the_current_folder(three: dict[str, Path]) -> None:
    child = _run_in(three["cwd"] / "records", "list", "--json", env={"RENDA_ROOT": str(three["env"])})

    assert child.returncode == 0, child.stderr
    assert "opinion-2025-03" in _ids(child.stdout)


def test_cli_without_a_workspace_exits_one_with_a_chinese_message(tmp_path: Path) -> None:
    child = _run_in(tmp_path, "validate")

    assert child.returncode == 1
    assert child.stderr.startswith("错误：找不到 renda 工作区")
    assert "Traceback" not in child.stderr


def test_root_without_renda_yaml_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.cli, ["--root", str(tmp_path), "list"])

    assert result.exit_code == 1
    assert "不是 renda 工作区：缺少 renda.yaml" in result.output


def test_root_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.cli, ["--root", str(tmp_path / "nope"), "validate"])

    assert result.exit_code == 1
    assert "--root 指定的目录不存在" in result.output


def test_renda_root_that_does_not_exist_is_named_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENDA_ROOT", str(tmp_path / "nope"))

    result = CliRunner().invoke(cli.cli, ["validate"])

    assert result.exit_code == 1
    assert "RENDA_ROOT 指定的目录不存在" in result.output


# -- records on disk ---------------------------------------------------------------------------------------------


def test_record_files_skip_hidden_files_and_folders_and_include_yml(ws: Path) -> None:
    write_file(ws, "records/.trash/old.yaml", "id: [\n")
    write_file(ws, "records/2025/.opinion-2025-09.yaml", "id: [\n")
    write_file(ws, "records/2025/notes.txt", "不是记录\n")
    write_file(ws, "records/2025/extra.yml", OPINION)

    names = [Workspace(ws).relative(p) for p in Workspace(ws).record_files()]

    assert "records/2025/extra.yml" in names
    assert not any("/." in n or n.endswith(".txt") for n in names)
    assert names == sorted(names)


# -- renda.yaml --------------------------------------------------------------------------------------------------


def _break_config(ws: Path, old: str, new: str) -> None:
    path = ws / "renda.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


CONFIG_ERRORS = [
    ("bad date", "    start: 2021-12-28", "    start: 2021-13-28", 21, "terms.17.start", "月份应在 1 至 12 之间"),
    ("syntax", "  inspection: 澄人常报", "  inspection: 澄人常报: 报", 16, "", "YAML 语法错误"),
    (
        "unknown key",
        "default_organ: BGS\n",
        "default_organ: BGS\nletter_formats: true\n",
        42,
        "letter_formats",
        "未知字段“letter_formats”；是否应为“letter_format”？",
    ),
    (
        "wrong type",
        "  months: 3                            # 按月计算",
        "  months: 三                            # 按月计算",
        26,
        "deadlines.opinion_report.months",
        "应为整数",
    ),
    (
        "organ not listed",
        "default_organ: BGS",
        "default_organ: XZB",
        41,
        "default_organ",
        "机构代码“XZB”不在 organs 表中",
    ),
    (
        "term ends before it starts",
        "    end: 2026-12-27",
        "    end: 2020-12-27",
        22,
        "terms.17.end",
        "结束日期早于开始日期",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"), [c[1:] for c in CONFIG_ERRORS], ids=[c[0] for c in CONFIG_ERRORS]
)
def test_config_errors_are_reported_with_file_and_line(
    ws: Path, renda: Callable[..., Result], old: str, new: str, line: int, field: str, message: str
) -> None:
    _break_config(ws, old, new)

    result = renda("validate")

    assert result.exit_code == 1
    found = [p for p in reported(result.output) if p.source == "renda.yaml"]
    assert [(p.line, p.field) for p in found] == [(line, field)], result.output
    assert message in found[0].message
    assert "Traceback" not in result.output


def test_config_errors_stop_other_commands_with_file_and_line(ws: Path, renda: Callable[..., Result]) -> None:
    _break_config(ws, "    start: 2021-12-28", "    start: 2021-13-28")

    result = renda("list")

    assert result.exit_code == 1
    assert "renda.yaml:21: terms.17.start:" in result.output
    assert "配置文件 renda.yaml 有 1 个问题" in result.output


def test_config_terms_map_dates_to_terms(ws: Path) -> None:
    config = Workspace(ws).config

    term = config.term_of(dt.date(2025, 5, 6))
    assert term is not None and term.number == 17
    assert config.term_of(dt.date(2021, 12, 27)) is None
    assert config.doc_codes["opinion"] == "澄人常函"


# -- renda init -------------------------------------------------------------------------------------------------------


def test_init_writes_the_starter_and_it_validates_clean(tmp_path: Path) -> None:
    target = tmp_path / "new-office"

    made = CliRunner().invoke(cli.cli, ["init", str(target)])
    checked = CliRunner().invoke(cli.cli, ["--root", str(target), "validate", "--strict"])

    assert made.exit_code == 0, made.output
    assert CJK.search(made.output)
    assert checked.exit_code == 0, checked.output
    assert "没有发现问题" in checked.output
    starter = {p.relative_to(STARTER): p.read_bytes() for p in STARTER.rglob("*") if p.is_file()}
    written = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert written == starter


def test_init_starter_has_the_rereport_deadline_of_the_sample_and_validates_clean(tmp_path: Path) -> None:
    # without it an opinion reopened after 不满意 shows 期限未定 in a fresh workspace
    target = tmp_path / "new-office"

    made = CliRunner().invoke(cli.cli, ["init", str(target)])
    checked = CliRunner().invoke(cli.cli, ["--root", str(target), "validate", "--strict"])

    assert made.exit_code == 0, made.output
    assert checked.exit_code == 0, checked.output
    assert "没有发现问题" in checked.output
    rule = Workspace(target).config.deadline_rule("opinion_rereport")
    assert rule is not None
    assert (rule.months, rule.working_days, rule.start_from) == (3, None, "evaluation")
    assert rule == Workspace(REPO).config.deadline_rule("opinion_rereport")


def test_init_into_a_folder_with_a_clashing_file_refuses_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "office"
    write_file(target, "renda.yaml", "# 已有的配置\n")
    before = snapshot(target)

    result = CliRunner().invoke(cli.cli, ["init", str(target)])

    assert result.exit_code == 1
    assert "已存在，未做任何改动" in result.output
    assert "renda.yaml" in result.output
    assert snapshot(target) == before


def test_init_keeps_unrelated_files_in_the_target(tmp_path: Path) -> None:
    target = tmp_path / "office"
    write_file(target, "说明.txt", "办公室的说明\n")

    result = CliRunner().invoke(cli.cli, ["init", str(target)])

    assert result.exit_code == 0, result.output
    assert (target / "说明.txt").read_text(encoding="utf-8") == "办公室的说明\n"
    assert (target / "renda.yaml").is_file()
