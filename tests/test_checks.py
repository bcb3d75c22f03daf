"""archive.checks through `renda validate`: rules that need more than one record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import DEPUTY, MEETING, OPINION, Reported, replace_once, reported

Write = Callable[[str, str | bytes], Path]
Renda = Callable[..., Result]

NEW = "records/2025/opinion-2025-02.yaml"
NEW_MEETING = "records/2025/meeting-2025-02.yaml"
NEW_DEPUTY = "records/deputies/d004.yaml"


def add_term_16(ws: Path) -> None:
    config = ws / "renda.yaml"
    text = config.read_text(encoding="utf-8")
    old = "terms:                                   # 届次表：届次 → 起止日期（下届开始前一日为本届结束）\n"
    config.write_text(
        replace_once(text, old, old + "  16:\n    start: 2016-12-28\n    end: 2021-12-27\n"), encoding="utf-8"
    )


def problems(result: Result, source: str | None = None) -> list[Reported]:
    return [p for p in reported(result.output) if source is None or p.source == source]


def only(result: Result, source: str, line: int, field: str, *, warning: bool = False) -> Reported:
    """The single problem at ``source:line`` about ``field``."""
    found = [p for p in problems(result, source) if (p.line, p.field, p.warning) == (line, field, warning)]
    assert len(found) == 1, result.output
    return found[0]


# -- 发文字号 -------------------------------------------------------------------------------------------


def test_doc_number_used_twice_in_the_same_year_and_code_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW, replace_once(OPINION, "澄人常函〔2025〕2号", "澄人常函〔2025〕1号"))

    result = renda("validate")

    assert result.exit_code == 1
    problem = only(result, NEW, 6, "doc_number")
    assert problem.message == "发文字号“澄人常函〔2025〕1号”与 records/2025/opinion-2025-01.yaml 重复"


@pytest.mark.parametrize(
    "number",
    ["澄人常函〔2024〕1号", "澄人常发〔2025〕1号"],
    ids=["same sequence, other year", "same sequence, other 代字"],
)
def test_same_sequence_under_another_year_or_code_is_not_a_duplicate(write: Write, renda: Renda, number: str) -> None:
    write(NEW, replace_once(OPINION, "澄人常函〔2025〕2号", number))

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert not any("重复" in p.message for p in problems(result))
    # ... but each is suspicious on its own, so it is a warning.
    assert only(result, NEW, 6, "doc_number", warning=True).message


# -- 届次 ------------------------------------------------------------------------------------------------


def test_term_that_does_not_match_the_date_is_an_error(ws: Path, write: Write, renda: Renda) -> None:
    add_term_16(ws)
    write(NEW, replace_once(OPINION, "term: 17", "term: 16"))

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW, 3, "term").message == (
        "届次为 16，但日期 2025-05-06 属于第17届（2021-12-28 至 2026-12-27）"
    )


def test_term_missing_from_the_term_table_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW, replace_once(OPINION, "term: 17", "term: 18"))

    result = renda("validate")

    assert result.exit_code == 1
    assert "届次表中没有第18届" in only(result, NEW, 3, "term").message


def test_date_outside_every_term_is_a_warning(write: Write, renda: Renda) -> None:
    text = replace_once(OPINION, "date: 2025-05-06", "date: 2027-01-05")
    text = replace_once(text, "澄人常函〔2025〕2号", "澄人常函〔2027〕1号")
    write("records/2027/opinion-2025-02.yaml", text)

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert (
        "不在届次表的任何一届内" in only(result, "records/2027/opinion-2025-02.yaml", 4, "date", warning=True).message
    )


# -- 会议次数 ---------------------------------------------------------------------------------------------


def test_sitting_numbers_must_increase_with_the_date(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, replace_once(MEETING, "sitting: 27", "sitting: 25"))

    result = renda("validate")

    assert result.exit_code == 1
    message = only(result, NEW_MEETING, 10, "sitting").message
    assert "会议次数应随日期递增" in message
    assert "第25次（2025-06-26）晚于第26次（2025-04-24）" in message


def test_a_sitting_number_used_twice_in_a_term_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, replace_once(MEETING, "sitting: 27", "sitting: 26"))

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW_MEETING, 10, "sitting").message == (
        "第17届常委会会议第26次会议已在 records/2025/meeting-2025-01.yaml 中记录"
    )


def test_sittings_are_numbered_separately_for_each_kind_of_meeting(write: Write, renda: Renda) -> None:
    text = replace_once(MEETING, "kind: 常委会会议", "kind: 主任会议")
    write(NEW_MEETING, replace_once(text, "sitting: 27", "sitting: 1"))

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert not any(p.field == "sitting" for p in problems(result))


RESOLUTIONS = """\
resolutions:
  - kind: 决议
    title: 关于批准区级财政决算的决议
    doc_number: 澄人常发〔2025〕1号
    body:
      - 会议决定批准二〇二四年区级财政决算。
  - kind: 决定
    title: 关于接受某某辞去代表职务的决定
    doc_number: 澄人常发〔2025〕1号
    body:
      - 会议决定接受其辞职。
"""  # appended to MEETING: 22 resolutions[0].doc_number, 27 resolutions[1].doc_number


def test_resolution_doc_numbers_are_checked_for_duplicates(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, MEETING + RESOLUTIONS)

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW_MEETING, 27, "resolutions[1].doc_number").message == (
        f"发文字号“澄人常发〔2025〕1号”与 {NEW_MEETING} 重复"
    )
    assert not [p for p in problems(result) if p.line == 22]


def test_resolution_doc_number_with_another_code_is_a_warning(write: Write, renda: Renda) -> None:
    text = replace_once(
        MEETING + RESOLUTIONS,
        "    doc_number: 澄人常发〔2025〕1号\n    body:\n      - 会议决定接受",
        "    doc_number: 澄人常函〔2025〕9号\n    body:\n      - 会议决定接受",
    )
    write(NEW_MEETING, text)

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert only(result, NEW_MEETING, 27, "resolutions[1].doc_number", warning=True).message == (
        "决议、决定的发文字号代字应为“澄人常发”（见 renda.yaml），实际为“澄人常函”"
    )


def test_committee_member_missing_from_the_attendance_is_a_warning(write: Write, renda: Renda) -> None:
    text = replace_once(MEETING, "[d001, d002, d003]", "[d001, d002]")
    write(NEW_MEETING, replace_once(text, "{for: 3, against: 0, abstain: 0}", "{for: 2, against: 0, abstain: 0}"))

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert only(result, NEW_MEETING, 17, "attendance", warning=True).message == (
        "常委会组成人员 林晓岚（d003）未列入出席、请假或缺席"
    )


def test_reference_to_a_record_with_its_own_errors_does_not_cascade(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, replace_once(MEETING, "sitting: 27", "sitting: 二十七"))
    write(NEW, replace_once(OPINION, "meeting: meeting-2025-01", "meeting: meeting-2025-02"))

    result = renda("validate")

    assert result.exit_code == 1
    assert [(p.source, p.line, p.field) for p in problems(result)] == [(NEW_MEETING, 10, "sitting")]


# -- 表决 ------------------------------------------------------------------------------------------------


def test_votes_exceeding_those_present_are_an_error(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, replace_once(MEETING, "{for: 3, against: 0, abstain: 0}", "{for: 3, against: 1, abstain: 0}"))

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW_MEETING, 15, "agenda[0].vote").message == (
        "表决票数合计 4（赞成 3、反对 1、弃权 0）超过出席人数 3"
    )


def test_votes_equal_to_those_present_are_fine(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, MEETING)

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert problems(result) == []


# -- 出席 ------------------------------------------------------------------------------------------------


def test_attendance_naming_a_record_that_is_not_a_deputy_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, replace_once(MEETING, "[d001, d002, d003]", "[d001, d002, d003, opinion-2025-01]"))

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW_MEETING, 18, "attendance.present[3]").message == (
        "“opinion-2025-01”是审议意见记录，这里应引用代表"
    )


def test_attendance_naming_a_deputy_of_another_term_is_a_warning(ws: Path, write: Write, renda: Renda) -> None:
    add_term_16(ws)
    write(NEW_DEPUTY, replace_once(DEPUTY, "term: 17", "term: 16"))
    write(NEW_MEETING, replace_once(MEETING, "[d001, d002, d003]", "[d001, d002, d003, d004]"))

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert only(result, NEW_MEETING, 18, "attendance.present[3]", warning=True).message == (
        "代表 赵志远（d004）不是第17届代表"
    )


def test_attendance_after_a_deputy_left_office_is_a_warning(write: Write, renda: Renda) -> None:
    write(NEW_DEPUTY, DEPUTY + "    end: 2025-03-01\n    end_reason: 辞职\n")
    write(NEW_MEETING, replace_once(MEETING, "[d001, d002, d003]", "[d001, d002, d003, d004]"))

    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert only(result, NEW_MEETING, 18, "attendance.present[3]", warning=True).message == (
        "代表 赵志远（d004）已于 2025-03-01 终止代表资格"
    )


def test_a_deputy_both_present_and_on_leave_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW_MEETING, MEETING + "  absent_on_leave:\n    - deputy: d003\n      reason: 因病\n")

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW_MEETING, 20, "attendance.absent_on_leave[0].deputy").message == "“d003”同时列在出席和请假中"


# -- 引用和编号 ---------------------------------------------------------------------------------------------


def test_opinion_dated_before_its_meeting_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW, replace_once(OPINION, "date: 2025-05-06", "date: 2025-04-01"))

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, NEW, 4, "date").message == "成文日期 2025-04-01 早于审议会议日期 2025-04-24"


def test_file_name_must_equal_the_id(write: Write, renda: Renda) -> None:
    write("records/2025/opinion-draft.yaml", OPINION)

    result = renda("validate")

    assert result.exit_code == 1
    assert only(result, "records/2025/opinion-draft.yaml", 1, "id").message == (
        "文件名应与编号一致：编号为“opinion-2025-02”，文件名却是“opinion-draft.yaml”"
    )


def test_unknown_organ_code_is_an_error(write: Write, renda: Renda) -> None:
    write(NEW, OPINION + "organ: XYZ\n")

    result = renda("validate")

    assert result.exit_code == 1
    assert "机构代码“XYZ”不在 renda.yaml 的 organs 表中" in only(result, NEW, 22, "organ").message


# -- exit codes: warnings, --strict, --json ------------------------------------------------------------------


@pytest.fixture
def warning_only(write: Write) -> str:
    """A workspace whose only problem is one warning (a record filed under the wrong year)."""
    write("records/2024/opinion-2025-02.yaml", OPINION)
    return "records/2024/opinion-2025-02.yaml"


def test_warnings_alone_exit_zero(warning_only: str, renda: Renda) -> None:
    result = renda("validate")

    assert result.exit_code == 0, result.output
    assert [(p.source, p.line, p.field, p.warning) for p in problems(result)] == [(warning_only, 4, "date", True)]
    assert "0 个错误，1 个警告" in result.output


def test_strict_turns_a_warning_into_exit_one(warning_only: str, renda: Renda) -> None:
    result = renda("validate", "--strict")

    assert result.exit_code == 1
    assert [(p.source, p.line, p.field) for p in problems(result)] == [(warning_only, 4, "date")]
    assert "1 个错误，0 个警告" in result.output


def test_json_output_separates_errors_from_warnings(warning_only: str, write: Write, renda: Renda) -> None:
    write("records/2025/broken.yaml", "")

    result = renda("validate", "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(e["source"], e["line"], e["severity"]) for e in report["errors"]] == [
        ("records/2025/broken.yaml", 1, "error")
    ]
    assert [(w["source"], w["field"], w["severity"]) for w in report["warnings"]] == [(warning_only, "date", "warning")]


# -- validate PATH -------------------------------------------------------------------------------------------------


@pytest.fixture
def mixed(ws: Path, write: Write) -> Path:
    """A new meeting, an opinion that refers to it, and an unrelated broken file."""
    write(NEW_MEETING, MEETING)
    write(
        NEW,
        replace_once(
            replace_once(OPINION, "meeting: meeting-2025-01", "meeting: meeting-2025-02"),
            "date: 2025-05-06",
            "date: 2025-06-30",
        ),
    )
    write("records/2025/broken.yaml", "id: [\n")
    return ws


def test_validate_path_reports_only_that_file_but_resolves_references(mixed: Path, renda: Renda) -> None:
    result = renda("validate", str(mixed / NEW))

    assert result.exit_code == 0, result.output
    assert "broken.yaml" not in result.output
    assert problems(result) == []
    assert "检查了 1 个文件、1 条记录" in result.output


def test_validate_path_of_the_broken_file_fails(mixed: Path, renda: Renda) -> None:
    result = renda("validate", str(mixed / "records/2025/broken.yaml"))

    assert result.exit_code == 1
    assert {p.source for p in problems(result)} == {"records/2025/broken.yaml"}


def test_validate_folder_reports_the_files_below_it(mixed: Path, write: Write, renda: Renda) -> None:
    write("records/2024/empty.yaml", "")

    result = renda("validate", str(mixed / "records/2024"))

    assert result.exit_code == 1
    assert {p.source for p in problems(result)} == {"records/2024/empty.yaml"}


def test_validate_path_that_does_not_exist_is_an_error(ws: Path, renda: Renda) -> None:
    result = renda("validate", str(ws / "records/2025/nope.yaml"))

    assert result.exit_code == 1
    assert "路径不存在" in result.output
    assert "Traceback" not in result.output


def test_validate_path_outside_the_workspace_is_an_error(tmp_path: Path, renda: Renda) -> None:
    stray = tmp_path / "elsewhere.yaml"
    stray.write_text(OPINION, encoding="utf-8")

    result = renda("validate", str(stray))

    assert result.exit_code == 1
    assert "不是本工作区 records/ 下的记录文件" in result.output
