"""`renda related`: the records that raise the same problem across terms, and how the earlier ones ended."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import copy_sample

Renda = Callable[..., Result]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "ws")


def test_related_lists_the_earlier_opinion_on_the_same_problem_with_how_it_ended(run: Renda) -> None:
    result = run("related", "opinion-2025-03")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1. 澄湖区人大常委会关于区人民政府全区物业管理工作情况报告的审议意见"  # 2021, oldest first
    assert lines[1].split()[:3] == ["opinion-2021-01", "审议意见", "第16届"]
    assert "物业服务" in lines[2] and lines[2].startswith("   共同的关键词：")
    # the sample's opinion-2021-01: first report 2021-06-28, evaluated 基本满意 with 9/10/2 votes
    assert lines[3] == "   办理结果：已测评，按期报告，满意度测评：基本满意（满意 9，基本满意 10，不满意 2）"
    assert lines[-1].startswith("共 ") and "opinion-2024-04" not in result.output  # 审计整改: not the same problem


def test_related_json_and_limit(run: Renda) -> None:
    result = run("related", "opinion-2022-01", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    (only,) = json.loads(result.output)
    assert set(only) == {"id", "type", "kind", "title", "term", "date", "score", "shared", "outcome"}
    assert only["id"] in {"opinion-2024-02", "report-2023-d043"}  # both raise 农村生活污水设施运维
    assert only["shared"]


def test_recurring_lists_problem_threads_across_years(run: Renda) -> None:
    result = run("related", "--recurring", "--json")
    assert result.exit_code == 0, result.output
    threads = json.loads(result.output)
    members = [{r["id"] for r in t["records"]} for t in threads]
    assert {"opinion-2021-01", "opinion-2025-03"} in [m & {"opinion-2021-01", "opinion-2025-03"} for m in members]
    assert all(len(t["years"]) >= 2 for t in threads)
    for thread in threads:
        dates = [r["date"] for r in thread["records"]]
        assert dates == sorted(dates)
    only_2022 = json.loads(run("related", "--recurring", "--year", "2022", "--json").output)
    assert only_2022 and all(2022 in t["years"] for t in only_2022)
    assert len(only_2022) < len(threads)


def test_nothing_above_the_workspace_level_appears(run: Renda, sample: Path) -> None:
    config = sample / "renda.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "max_public_classification: 内部", "max_public_classification: 公开"
        ),
        encoding="utf-8",
    )
    path = sample / "records" / "2021" / "opinion-2021-01.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("classification: 公开", "classification: 内部"), encoding="utf-8"
    )

    listed = run("related", "opinion-2025-03")
    assert listed.exit_code == 0, listed.output
    assert "opinion-2021-01" not in listed.output and "物业管理工作情况报告" not in listed.output.split("住宅小区")[0]
    threads = run("related", "--recurring")
    assert "opinion-2021-01" not in threads.output
    asked = run("related", "opinion-2021-01")
    assert asked.exit_code == 1
    assert "没有编号为“opinion-2021-01”的记录" in asked.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch-1"], "没有编号为“nosuch-1”的记录"),
        (["cwh-17-12"], "记录“cwh-17-12”是会议，只能查找"),
        ([], "请给出记录编号，或使用 --recurring"),
        (["opinion-2025-03", "--recurring"], "请给出记录编号，或使用 --recurring"),
        (["opinion-2025-03", "--year", "2024"], "--year 只能与 --recurring 同用"),
        (["opinion-2025-03", "--limit", "0"], "应为正整数"),
    ],
)
def test_bad_requests_fail_in_chinese_without_a_traceback(run: Renda, args: list[str], message: str) -> None:
    result = run("related", *args)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output
