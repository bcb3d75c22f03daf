"""代表建议 and 议案: the records, their cross-record checks and their follow-up on the one engine.

Bad input is written into a scratch copy of the sample and validated through the CLI; every expected line,
deadline and status below was worked out by hand from the sample's YAML and the official calendar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from samples import CJK, REPO, copy_sample, replace_once, reported, snapshot, write_file

import cli
from archive.catalog import load_catalog
from archive.proposals import Motion, Suggestion, assigned_to, raised_by
from archive.workspace import Workspace

NEW = "records/2025/suggestion-2025-099.yaml"
# 1 id, 4 date, 10 lead, 11 cosigners, 12 cosigners[0], 13 cosigners[1], 14 category, 17 handling,
# 18 handling.assigned, 20 handling.answer, 21 answer.date, 22 answer.class, 23 handling.evaluation
SUGGESTION = """\
id: suggestion-2025-099
type: suggestion
term: 17
date: 2025-01-08
title: 关于增设社区老年助餐点的建议
classification: 公开
status: final
number: 99
session: 5
lead: d042
cosigners:
  - d043
  - d044
category: 社会保障
body:
  - 建议在老年人集中的社区增设助餐点。
handling:
  assigned: 2025-02-18
  lead_organ: 区民政局
  answer:
    date: 2025-04-10
    class: A
  evaluation:
    date: 2025-04-20
    result: 满意
"""


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def suggestion(old: str, new: str) -> str:
    return replace_once(SUGGESTION, old, new)


BAD = [
    pytest.param(
        suggestion("lead: d042", "lead: d142"),
        10,
        "lead",
        "引用的代表“d142”不存在；是否应为“d042”？",
        id="unknown lead",
    ),
    pytest.param(
        suggestion("  - d043\n", "  - d041\n"),
        12,
        "cosigners[0]",
        "代表 苏建平（d041）已于 2024-03-15 终止代表资格",
        id="co-signer no longer serving",
    ),
    pytest.param(
        suggestion("  - d044\n", "  - d020\n"),
        13,
        "cosigners[1]",
        "代表 许明辉（d020）不是第17届代表",
        id="co-signer of another term",
    ),
    pytest.param(
        suggestion("    date: 2025-04-10", "    date: 2025-02-10"),
        21,
        "handling.answer.date",
        "答复日期 2025-02-10 早于交办日期 2025-02-18",
        id="answer before assignment",
    ),
    pytest.param(
        suggestion("    class: A", "    class: D"),
        22,
        "handling.answer.class",
        "应为以下之一：A、B、C",
        id="class outside A/B/C",
    ),
    pytest.param(
        suggestion("  answer:\n    date: 2025-04-10\n    class: A\n", ""),
        20,
        "handling.evaluation",
        "有代表评价，但没有承办单位的答复（answer）",
        id="evaluation without an answer",
    ),
    pytest.param(
        suggestion("category: 社会保障", "category: 养老服务"),
        14,
        "category",
        "类别“养老服务”不在 renda.yaml 的 proposals.categories 中",
        id="category not configured",
    ),
    pytest.param(
        suggestion("  - d044\n", "  - d042\n"),
        13,
        "cosigners[1]",
        "“d042”重复列出（领衔代表不必列入附议代表）",
        id="lead listed as co-signer",
    ),
    pytest.param(
        suggestion(
            "  evaluation:\n    date: 2025-04-20\n    result: 满意\n",
            "  rehandling:\n    - answer:\n        date: 2025-05-10\n        class: B\n",
        ),
        24,
        "handling.rehandling[0]",
        "只有代表评价为“不满意”的才重新办理",
        id="re-handling without 不满意",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD)
def test_a_bad_suggestion_is_one_precise_chinese_line_and_nothing_is_written(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    root = copy_sample(tmp_path / "ws")
    write_file(root, NEW, text)
    before = snapshot(root)

    result = run(root, "validate")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [p for p in reported(result.output) if not p.warning]
    assert [(p.source, p.line, p.field) for p in errors] == [(NEW, line, field)], result.output
    assert message in errors[0].message and CJK.search(errors[0].message)
    assert snapshot(root) == before


def test_the_good_suggestion_validates(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    write_file(root, NEW, SUGGESTION)

    result = run(root, "validate")

    assert result.exit_code == 0, result.output
    assert "没有发现问题" in result.output


def test_the_sample_with_its_suggestions_and_motions_has_no_problem() -> None:
    result = run(REPO, "validate", "--strict")

    assert result.exit_code == 0, result.output
    records = load_catalog(Workspace(REPO)).records
    suggestions = [r for r in records if isinstance(r, Suggestion)]
    motions = [r for r in records if isinstance(r, Motion)]
    assert len(suggestions) == 61 and len(motions) == 2
    assert {s.year for s in suggestions} == {2021, 2022, 2023, 2024, 2025}
    assert len({s.handling.lead_organ for s in suggestions if s.handling}) >= 15
    assert len({s.category for s in suggestions}) == 10


def test_a_motion_needs_the_configured_number_of_signers(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    config = root / "renda.yaml"
    # motion-2023-01 has 12 signers, motion-2024-01 has 10: 11 refuses only the second
    config.write_text(replace_once(config.read_text("utf-8"), "motion_signers: 10", "motion_signers: 11"), "utf-8")

    result = run(root, "validate")

    assert result.exit_code == 1
    errors = [p for p in reported(result.output) if not p.warning]
    assert [(p.source, p.line, p.field) for p in errors] == [("records/2024/motion-2024-01.yaml", 11, "cosigners")]
    assert "代表联名提出议案须有 11 名以上代表（含领衔代表" in errors[0].message
    assert "实际 10 名" in errors[0].message


def test_a_motion_of_a_delegation_needs_no_co_signers(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = root / "records/2024/motion-2024-01.yaml"
    text = path.read_text("utf-8")
    cut = text[text.index("cosigners:") : text.index("category:")]
    path.write_text(text.replace(cut, "delegation: 石塘镇代表团\n"), "utf-8")

    assert run(root, "validate").exit_code == 0


def test_new_writes_a_numbered_suggestion_skeleton(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")

    result = run(root, "new", "建议", "--date", "2025-03-03")

    assert result.exit_code == 0, result.output
    assert "records/2025/suggestion-2025-013.yaml" in result.output
    text = (root / "records/2025/suggestion-2025-013.yaml").read_text("utf-8")
    assert "number: 13  # 编号：" in text and "lead: （待填写）  # 领衔代表：" in text


# -- follow-up ----------------------------------------------------------------------------------------------


def track(root: Path, *args: str) -> dict[str, Any]:
    result = run(root, "track", "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def test_suggestion_deadlines_and_statuses_are_the_hand_computed_ones() -> None:
    report = track(REPO)
    rows = by_id(report["suggestions"])

    # 交办 2025-02-18 + 3 months = Sunday 2025-05-18 → Monday 2025-05-19; unanswered on 2025-06-30
    for rid in ("suggestion-2025-008", "suggestion-2025-009", "suggestion-2025-010"):
        assert (rows[rid]["due"], rows[rid]["status"], rows[rid]["days_left"]) == ("2025-05-19", "overdue", -42)
        assert rows[rid]["rounds"][0]["nominal_due"] == "2025-05-18"
    # extension approved: 6 months from 交办, 2025-08-18 is a Monday
    ext = rows["suggestion-2025-011"]
    assert (ext["rounds"][0]["rule"], ext["due"], ext["status"]) == ("suggestion_extended", "2025-08-18", "pending")
    # answered 2025-06-01 after the 05-19 deadline, not evaluated yet
    late = rows["suggestion-2025-012"]
    assert (late["status"], late["status_label"], late["answer_class"]) == ("answered_late", "逾期答复待评价", "A")
    # 不满意 on 2023-04-23 → re-handled: + 3 months = Sunday 2023-07-23 → 2023-07-24; answered 07-01, 满意
    again = rows["suggestion-2023-004"]
    first, second = again["rounds"]
    assert (first["due"], first["received"], first["evaluation"]) == ("2023-05-22", "2023-04-11", "不满意")
    assert (second["rule"], second["start"], second["due"]) == ("suggestion_rehandle", "2023-04-23", "2023-07-24")
    assert (second["received"], second["evaluation"], again["status"]) == ("2023-07-01", "满意", "evaluated")
    assert again["reopened"] is True and again["answer_class"] == "B"


def test_track_lists_opinions_suggestions_and_motions_most_urgent_first() -> None:
    result = run(REPO, "track")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["编号", "主送/主办", "交办", "期限"]
    firsts = [line.split()[0] for line in lines[1:6]]
    assert firsts == [
        "opinion-2024-03",
        "opinion-2024-04",
        "suggestion-2025-008",
        "suggestion-2025-009",
        "suggestion-2025-010",
    ]
    assert "已逾期（逾期42天）" in lines[3]
    assert any(
        line.startswith("参考日期 2025-06-30：共 76 件") for line in lines
    )  # 14 opinions, 61 suggestions, motion-2023-01 (motion-2024-01 became one)


def test_track_filters_by_kind_organ_category_status_and_key_supervision() -> None:
    motions = track(REPO, "--kind", "议案")
    assert (motions["opinions"], motions["suggestions"]) == ([], [])
    assert [m["id"] for m in motions["motions"]] == ["motion-2023-01"]

    key = track(REPO, "--key")
    assert sorted(r["id"] for r in key["suggestions"] + key["motions"]) == [
        "motion-2023-01",
        "suggestion-2023-001",
        "suggestion-2024-001",
        "suggestion-2025-001",
    ]
    assert key["opinions"] == []

    # 区卫生健康委员会 leads five and co-handles two (2022-005, 2024-010)
    health = track(REPO, "--organ", "卫生健康", "--kind", "suggestion")
    ids = {r["id"] for r in health["suggestions"]}
    assert {"suggestion-2022-005", "suggestion-2024-010"} <= ids
    assert all(
        "卫生健康" in r["lead_organ"] or any("卫生健康" in o for o in r["co_organs"]) for r in health["suggestions"]
    )

    education = track(REPO, "--category", "教育", "--status", "已评价")
    assert education["suggestions"] and all(
        r["category"] == "教育" and r["status"] == "evaluated" for r in education["suggestions"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "提案"], "未知的类型“提案”，可用：opinion（审议意见）、suggestion（代表建议）、motion（议案）"),
        (["--category", "养老"], "没有类别为“养老”的建议或议案"),
    ],
)
def test_bad_track_filters_are_chinese_errors(args: list[str], message: str) -> None:
    result = run(REPO, "track", *args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_yearly_progress_report_of_a_supervised_motion_is_noted() -> None:
    rows = by_id(track(REPO, "--kind", "motion", "--as-of", "2026-03-02")["motions"])
    notes = rows["motion-2023-01"]["notes"]

    # accepted 2023: supervised 2023, followed 2024 and 2025; 2023 and 2024 are on file
    assert notes == ["缺少 2025 年度办理进展报告（应在 2026 年 1 月底前报送）"]


def test_the_suggestion_rules_default_when_renda_yaml_leaves_them_out(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    config = root / "renda.yaml"
    text = config.read_text("utf-8")
    text = re.sub(r"(?m)^  suggestion_\w+: .*\n", "", text)
    text = text[: text.index("proposals:")] + text[text.index("# 督办和履职统计") :]
    config.write_text(text, "utf-8")

    assert run(root, "validate").exit_code == 0
    assert by_id(track(root)["suggestions"]) == by_id(track(REPO)["suggestions"])


def test_a_changed_rule_moves_every_suggestion_deadline(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    config = root / "renda.yaml"
    old = "suggestion_answer: {months: 3, from: assigned}"
    config.write_text(replace_once(config.read_text("utf-8"), old, "suggestion_answer: {months: 2, from: assigned}"))

    rows = by_id(track(root)["suggestions"])

    # 2025-02-18 + 2 months = Friday 2025-04-18
    assert rows["suggestion-2025-008"]["due"] == "2025-04-18"
    assert rows["suggestion-2025-008"]["days_left"] == -73


def test_the_library_lists_what_an_organ_handles_and_what_a_deputy_raised() -> None:
    records = load_catalog(Workspace(REPO)).records
    raw = [p for p in records if isinstance(p, Suggestion | Motion)]

    water = assigned_to(records, "区水利局")
    assert {p.id for p in water} == {p.id for p in raw if p.handling and "区水利局" in p.handling.organs}
    dates = [p.date for p in water]
    assert None not in dates
    assert dates == sorted(d for d in dates if d is not None)
    assert "motion-2023-01" in [p.id for p in water]

    led, cosigned = raised_by(records, "d011")
    assert "motion-2023-01" in [p.id for p in led]
    assert all(p.lead == "d011" for p in led) and all("d011" in p.cosigners for p in cosigned)


def test_remind_writes_one_letter_per_organ_for_its_overdue_suggestions(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    # a second overdue suggestion for 区农业农村局: 2025-003 moves there and loses its answer and evaluation
    path = root / "records/2025/suggestion-2025-003.yaml"
    text = path.read_text("utf-8")
    path.write_text(text[: text.index("  answer:")].replace("lead_organ: 区卫生健康委员会", "lead_organ: 区农业农村局"))

    result = run(root, "track", "remind", "--format", "docx", "-o", str(tmp_path / "out"))

    assert result.exit_code == 0, result.output
    letters = {}
    for source in sorted((root / "records/2025").glob("letter-2025-*.yaml")):
        data = yaml.safe_load(source.read_text("utf-8"))
        if data.get("suggestions"):
            letters[data["addressee"]] = data
    assert {organ: d["suggestions"] for organ, d in letters.items()} == {
        "区农业农村局": ["suggestion-2025-003", "suggestion-2025-008"],
        "区委网信办": ["suggestion-2025-009"],
        "区文化旅游体育局": ["suggestion-2025-010"],
    }
    assert all(d["kind"] == "催办函" and d["title"] == "关于催办代表建议答复的函" for d in letters.values())
    farming = letters["区农业农村局"]["body"]
    assert "你单位主办的下列二件代表建议尚未答复" in farming[0]
    assert farming[2] == (
        "2. 第十七届人民代表大会第五次会议第8号建议《关于加强农田撂荒整治的建议》，"
        "应于2025年5月19日前答复，已逾期42天。"
    )
    assert run(root, "validate").exit_code == 0
    listed = json.loads(run(root, "track", "--kind", "suggestion", "--status", "overdue", "--json").stdout)
    assert [len(r["reminders"]) for r in listed["suggestions"]] == [1, 1, 1, 1]


def test_search_finds_suggestions_and_motions_by_type_and_by_deputy(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    assert run(root, "index").exit_code == 0

    lift = json.loads(run(root, "search", "加装电梯", "--type", "建议", "--json").stdout)
    by_deputy = json.loads(run(root, "search", "褚卫东", "--type", "议案", "--json").stdout)

    assert [h["id"] for h in lift] == ["suggestion-2021-001"]
    assert [h["id"] for h in by_deputy] == ["motion-2023-01"]  # d011 leads it; the registry gives the name
