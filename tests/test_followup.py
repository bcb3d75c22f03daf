"""`renda track`: follow-up of the sample's 审议意见 at its reference date, checked against dates worked out by hand.

renda.yaml of the sample: report due 3 months from 交办 (assigned), a second report 3 months from a 不满意
evaluation, reference date 2025-06-30, "due soon" within 15 days.  Each expected due date below is the
assigned date plus three months, moved to the next working day when that day is a rest day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from samples import REPO, replace_once

import archive.cli.oversight
import cli
from archive.catalog import load_catalog
from archive.followup import followup_figures
from archive.workspace import Workspace

# id: (assigned, due, received of the current round, on_time of the current round, status)
EXPECTED: dict[str, tuple[str | None, str | None, str | None, bool | None, str]] = {
    "opinion-2021-01": ("2021-04-08", "2021-07-08", "2021-06-28", True, "evaluated"),
    # 2021-10-07 is inside the National Day holiday (1–7 Oct): due Friday 2021-10-08.
    "opinion-2021-02": ("2021-07-07", "2021-10-08", "2021-09-24", True, "evaluated"),
    "opinion-2021-03": ("2021-10-11", "2022-01-11", "2022-01-20", False, "evaluated"),
    "opinion-2022-01": ("2022-05-09", "2022-08-09", "2022-07-29", True, "evaluated"),
    "opinion-2022-02": ("2022-09-08", "2022-12-08", "2022-11-30", True, "evaluated"),
    # Reopened: 不满意 on 2023-08-29, second report due 2023-11-29 (Wednesday), received 2023-11-24.
    "opinion-2023-01": ("2023-05-08", "2023-11-29", "2023-11-24", True, "evaluated"),
    "opinion-2023-02": ("2023-09-07", "2023-12-07", "2023-12-01", True, "evaluated"),
    "opinion-2024-01": ("2024-05-08", "2024-08-08", "2024-09-20", False, "evaluated"),
    # 2024-10-01 is National Day; the holiday runs to 10-07, so the report of 10-08 is on time.
    "opinion-2024-02": ("2024-07-01", "2024-10-08", "2024-10-08", True, "evaluated"),
    "opinion-2024-03": ("2024-09-06", "2024-12-06", None, None, "overdue"),
    "opinion-2024-04": ("2025-01-08", "2025-04-08", None, None, "overdue"),
    "opinion-2025-01": ("2025-05-08", "2025-08-08", None, None, "pending"),
    "opinion-2025-02": ("2025-06-26", "2025-09-26", None, None, "pending"),
    "opinion-2025-03": (None, None, None, None, "draft"),
}
FIRST_ON_TIME = {"opinion-2021-03": False, "opinion-2024-01": False}


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def track_json(root: Path, *args: str) -> dict[str, Any]:
    result = run(root, "track", "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def copy_sample(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(REPO / "renda.yaml", target / "renda.yaml")
    shutil.copytree(REPO / "records", target / "records")
    return target


def test_every_sample_opinion_has_the_hand_computed_due_date_and_status() -> None:
    report = track_json(REPO)

    assert report["as_of"] == "2025-06-30"
    got = {o["id"]: o for o in report["opinions"]}
    assert set(got) == set(EXPECTED)
    for rid, (assigned, due, received, on_time, status) in EXPECTED.items():
        row = got[rid]
        assert (row["assigned"], row["due"], row["received"], row["on_time"], row["status"]) == (
            assigned,
            due,
            received,
            on_time,
            status,
        ), rid
        if due:
            assert dt.date.fromisoformat(due).weekday() < 5, rid  # every expected due date is a weekday
        if status != "draft":
            assert row["first_on_time"] is FIRST_ON_TIME.get(rid, None if received is None else True), rid


def test_the_holiday_deadline_records_the_day_it_was_moved_from() -> None:
    row = next(o for o in track_json(REPO)["opinions"] if o["id"] == "opinion-2024-02")

    (only,) = row["rounds"]
    assert only["nominal_due"] == "2024-10-01"
    assert only["due"] == "2024-10-08"
    assert only["on_time"] is True
    assert only["days_late"] == 0


def test_an_unsatisfactory_evaluation_reopens_the_loop_with_a_second_report() -> None:
    row = next(o for o in track_json(REPO)["opinions"] if o["id"] == "opinion-2023-01")

    assert row["reopened"] is True
    first, second = row["rounds"]
    assert (first["due"], first["received"], first["evaluation"]) == ("2023-08-08", "2023-08-02", "不满意")
    assert first["votes"] == {"满意": 3, "基本满意": 7, "不满意": 11}
    assert (second["rule"], second["start"], second["due"]) == ("opinion_rereport", "2023-08-29", "2023-11-29")
    assert (second["received"], second["evaluation"]) == ("2023-11-24", "基本满意")


def test_before_the_second_report_the_reopened_opinion_is_owed_again() -> None:
    row = next(o for o in track_json(REPO, "--as-of", "2023-11-20")["opinions"] if o["id"] == "opinion-2023-01")

    assert row["status"] == "due_soon"  # 9 days before 2023-11-29
    assert row["days_left"] == 9
    assert row["due"] == "2023-11-29"
    assert row["received"] is None


def test_events_after_the_reference_date_are_ignored() -> None:
    rows = {o["id"]: o for o in track_json(REPO, "--as-of", "2024-09-01")["opinions"]}

    assert rows["opinion-2024-02"]["status"] == "pending"  # its report came on 2024-10-08
    assert rows["opinion-2024-02"]["days_left"] == (dt.date(2024, 10, 8) - dt.date(2024, 9, 1)).days
    assert rows["opinion-2024-01"]["status"] == "overdue"  # due 08-08, report only on 09-20
    assert "opinion-2024-03" not in rows  # not yet written on 2024-09-01
    assert rows["opinion-2024-01"]["rounds"][0]["received"] is None


def test_a_report_without_evaluation_is_answered_and_awaits_the_vote() -> None:
    rows = {o["id"]: o for o in track_json(REPO, "--as-of", "2024-10-10")["opinions"]}

    assert rows["opinion-2024-01"]["status"] == "answered_late"
    assert rows["opinion-2024-01"]["rounds"][0]["days_late"] == (dt.date(2024, 9, 20) - dt.date(2024, 8, 8)).days
    assert rows["opinion-2024-02"]["status"] == "answered_on_time"


def test_the_table_lists_overdue_first_and_filters_by_status_and_organ() -> None:
    result = run(REPO, "track")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("opinion-2024-03") and "已逾期（逾期206天）" in lines[1]
    assert lines[2].startswith("opinion-2024-04") and "已逾期（逾期83天）" in lines[2]
    assert "\x1b[" not in result.output  # not a terminal: no colour
    assert "2024-10-08（节假日顺延）" in result.output

    only = track_json(REPO, "--status", "已逾期", "--organ", "法院")
    assert [o["id"] for o in only["opinions"]] == ["opinion-2024-03"]


def test_overdue_rows_are_red_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive.cli.oversight, "use_color", lambda: True)

    result = CliRunner().invoke(cli.cli, ["--root", str(REPO), "track"], color=True)

    red = [line for line in result.output.splitlines() if "\x1b[31" in line]
    assert len(red) == 5  # two opinions and three 2025 suggestions (due 2025-05-19)
    assert all("已逾期" in line for line in red)


def test_track_without_a_rereport_rule_names_the_missing_rule(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    config = root / "renda.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(replace_once(text, "  opinion_rereport:\n    months: 3\n    from: evaluation\n", ""), "utf-8")

    result = run(root, "track", "--json", "--as-of", "2023-10-01")

    assert result.exit_code == 0, result.output
    row = next(o for o in json.loads(result.stdout)["opinions"] if o["id"] == "opinion-2023-01")
    assert row["status"] == "no_deadline"
    assert any("deadlines.opinion_rereport" in note for note in row["notes"])
    assert "警告：opinion-2023-01：renda.yaml 没有期限规则 deadlines.opinion_rereport" in result.stderr


def test_a_working_day_rule_counts_on_the_official_calendar(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    config = root / "renda.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        replace_once(text, "    months: 3\n    from: assigned", "    working_days: 5\n    from: assigned"),
        encoding="utf-8",
    )

    rows = {o["id"]: o for o in track_json(root)["opinions"]}

    # Assigned Friday 2024-09-06: 9, 10, 11, 12, 13 September (no holiday in that week).
    assert rows["opinion-2024-03"]["due"] == "2024-09-13"
    # Assigned Monday 2024-07-01: 2, 3, 4, 5, 8 July.
    assert rows["opinion-2024-02"]["due"] == "2024-07-08"


def test_an_explicit_deadline_on_a_holiday_moves_too(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = root / "records/2024/opinion-2024-03.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        replace_once(text, "addressee: 区人民法院\n", "addressee: 区人民法院\ndeadline: 2025-01-01\n"), encoding="utf-8"
    )

    row = next(o for o in track_json(root)["opinions"] if o["id"] == "opinion-2024-03")

    assert row["rounds"][0]["rule"] == "deadline"
    assert row["rounds"][0]["nominal_due"] == "2025-01-01"  # New Year's Day
    assert row["due"] == "2025-01-02"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-13-01"], "--as-of 的值无效：应为日期 YYYY-MM-DD，实际为 '2025-13-01'"),
        (["--as-of", "2025-02-30"], "日期不存在：2025年2月没有30日"),
        (["--status", "逾期"], "未知的状态“逾期”"),
        (["--organ", "税务局"], "没有主送或报告机关、承办单位为“税务局”的审议意见、建议或议案"),
        (["remind", "--as-of", "昨天"], "--as-of 的值无效：应为日期"),
    ],
)
def test_bad_track_input_is_a_chinese_error_with_exit_one(args: list[str], message: str) -> None:
    result = run(REPO, "track", *args)

    assert result.exit_code == 1
    assert result.stderr.startswith("错误：")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_followup_figures_for_the_annual_statistics() -> None:
    catalog = load_catalog(Workspace(REPO))

    every = followup_figures(catalog)
    y2024 = followup_figures(catalog, year=2024)

    assert len(every.issued) == 13  # 14 opinions, one of them a draft
    assert set(every.answered_late) == {"opinion-2021-03", "opinion-2024-01"}
    assert len(every.answered_on_time) == 7
    assert set(every.unanswered) == {"opinion-2024-03", "opinion-2024-04", "opinion-2025-01", "opinion-2025-02"}
    assert set(every.overdue) == {"opinion-2024-03", "opinion-2024-04"}
    assert every.reopened == ("opinion-2023-01",)
    assert y2024.issued == ("opinion-2024-01", "opinion-2024-02", "opinion-2024-03", "opinion-2024-04")
    assert (y2024.answered_on_time, y2024.answered_late) == (("opinion-2024-02",), ("opinion-2024-01",))
    assert y2024.evaluations["满意"] == ("opinion-2024-02",)
    assert y2024.evaluations["基本满意"] == ("opinion-2024-01",)
    assert y2024.satisfaction_rate == 1.0


def test_followup_votes_equal_the_final_evaluations_in_the_yaml() -> None:
    totals = {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0}
    for path in sorted(REPO.glob("records/*/opinion-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        evaluated = [r["evaluation"] for r in (data.get("follow_up") or {}).get("reports", []) if "evaluation" in r]
        if data["status"] == "final" and evaluated:
            for key in totals:
                totals[key] += evaluated[-1][key]

    votes = followup_figures(load_catalog(Workspace(REPO))).votes

    assert votes == {
        "满意": totals["satisfied"],
        "基本满意": totals["basically_satisfied"],
        "不满意": totals["unsatisfied"],
    }


def test_remind_writes_a_letter_per_overdue_opinion(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    out = tmp_path / "out"

    result = run(root, "track", "remind", "--format", "docx", "-o", str(out), "--json")

    assert result.exit_code == 0, result.output
    written = sorted(Path(f).name for d in json.loads(result.stdout)["documents"] for f in d["files"])
    # two overdue opinions, then one letter for each organ with overdue suggestions (tests/test_suggestions.py)
    assert written == [f"letter-2025-0{n}.docx" for n in range(1, 6)]
    text = _docx_text(out / "letter-2025-01.docx")
    assert "区人民法院：" in text
    assert "2024年12月6日前书面报告" in text
    assert "截至2025年6月30日" in text and "已逾期206天" in text


def test_each_reminder_is_kept_as_a_letter_record_numbered_in_the_office_series(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    # a number of the office's series already written in a record (here a draft) is not taken again
    draft = root / "records/2025/opinion-2025-03.yaml"
    draft.write_text(
        replace_once(
            draft.read_text(encoding="utf-8"), "status: draft\n", "status: draft\ndoc_number: 澄人常办函〔2025〕1号\n"
        ),
        encoding="utf-8",
    )
    opinion = root / "records/2024/opinion-2024-03.yaml"
    opinion.write_text(
        replace_once(opinion.read_text(encoding="utf-8"), "classification: 公开", "classification: 内部"),
        encoding="utf-8",
    )

    result = run(root, "track", "remind", "--format", "docx", "-o", str(tmp_path / "out"))

    assert result.exit_code == 0, result.output
    assert "已建立函件记录 records/2025/letter-2025-01.yaml（发文字号 澄人常办函〔2025〕2号）" in result.output
    letter = yaml.safe_load((root / "records/2025/letter-2025-01.yaml").read_text(encoding="utf-8"))
    assert letter["type"] == "letter" and letter["kind"] == "催办函"
    assert letter["opinion"] == "opinion-2024-03" and letter["addressee"] == "区人民法院"
    assert letter["classification"] == "内部"  # copied from the opinion
    second = yaml.safe_load((root / "records/2025/letter-2025-02.yaml").read_text(encoding="utf-8"))
    assert second["doc_number"] == "澄人常办函〔2025〕3号"
    # the letters validate, are listed, and are found by search
    assert run(root, "validate").exit_code == 0
    listed = run(root, "list", "--type", "催办函")
    assert "letter-2025-01" in listed.output and "letter-2025-02" in listed.output


def test_reminding_twice_on_one_day_writes_no_second_record(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    first = run(root, "track", "remind", "--format", "docx", "-o", str(tmp_path / "out"))

    again = run(root, "track", "remind", "--format", "docx", "-o", str(tmp_path / "out"))

    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert "同一天的催办函已有记录 letter-2025-01" in again.output
    # two opinions and three organs with overdue suggestions
    assert sorted(p.name for p in (root / "records/2025").glob("letter-*.yaml")) == [
        f"letter-2025-0{n}.yaml" for n in range(1, 6)
    ]


def test_a_letter_record_takes_the_next_free_number_after_existing_letters(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    assert run(root, "track", "remind", "--format", "docx", "-o", str(tmp_path / "o1")).exit_code == 0

    later = run(root, "track", "remind", "--as-of", "2025-07-30", "--format", "docx", "-o", str(tmp_path / "o2"))

    assert later.exit_code == 0, later.output
    # five letters of 2025-06-30 (two opinions, three organs with overdue suggestions) come first
    assert "letter-2025-06.yaml（发文字号 澄人常办函〔2025〕6号）" in later.output
    assert "letter-2025-07.yaml（发文字号 澄人常办函〔2025〕7号）" in later.output


def test_remind_with_nothing_overdue_says_so(tmp_path: Path) -> None:
    result = run(REPO, "track", "remind", "--as-of", "2021-05-01", "-o", str(tmp_path / "o"))

    assert result.exit_code == 0, result.output
    assert "没有已逾期的审议意见" in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_track_help_names_every_status() -> None:
    result = CliRunner().invoke(cli.cli, ["track", "-h"])

    assert result.exit_code == 0
    for status in ("overdue", "due_soon", "pending", "answered_on_time", "answered_late", "evaluated"):
        assert re.search(rf"\b{status}\b", result.output), status


def test_reminder_pdf_passes_the_gbt9704_checker(tmp_path: Path) -> None:
    from archive.conformance import check_file
    from archive.render.conversion import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path / "out"

    result = run(copy_sample(tmp_path / "ws"), "track", "remind", "-o", str(out))

    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    # two opinions' letters and three organs' letters for overdue suggestions
    assert [p.name for p in pdfs] == [f"letter-2025-0{n}.pdf" for n in range(1, 6)]
    for pdf in pdfs:
        report = check_file(pdf)
        assert report.errors == (), [f.message for f in report.errors]


def _set_rule(root: Path, old: str, new: str) -> None:
    config = root / "renda.yaml"
    config.write_text(replace_once(config.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def test_a_handling_plan_rule_gives_each_opinion_a_plan_deadline(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    _set_rule(
        root, "  opinion_rereport:\n", "  opinion_plan:\n    months: 1\n    from: assigned\n  opinion_rereport:\n"
    )

    rows = {o["id"]: o for o in track_json(root)["opinions"]}

    # 2024-09-06 + 1 month = Sunday 2024-10-06, inside the National Day holiday: 2024-10-08.
    assert rows["opinion-2024-03"]["plan_due"] == "2024-10-08"
    assert rows["opinion-2024-03"]["plan_received"] is None
    assert rows["opinion-2024-03"]["due"] == "2024-12-06"  # the report deadline is unchanged


def test_a_deadline_beyond_the_calendar_is_kept_unshifted_with_a_warning(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    _set_rule(root, "    months: 3\n    from: assigned", "    months: 20\n    from: assigned")

    result = run(root, "track", "--json")

    assert result.exit_code == 0, result.output
    row = next(o for o in json.loads(result.stdout)["opinions"] if o["id"] == "opinion-2025-02")
    assert row["due"] == "2027-02-26"  # 2025-06-26 + 20 months, not checked against holidays
    assert row["status"] == "pending"
    assert any("2027-02-26" in n and "chinese-calendar" in n for n in row["notes"])
    assert "警告：opinion-2025-02：" in result.stderr


def test_working_days_beyond_the_calendar_leave_the_deadline_open(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    _set_rule(root, "    months: 3\n    from: assigned", "    working_days: 400\n    from: assigned")

    row = next(o for o in track_json(root)["opinions"] if o["id"] == "opinion-2025-02")

    assert (row["due"], row["status"]) == (None, "no_deadline")
    assert any("无法判断" in n for n in row["notes"])


def test_the_group_reference_date_carries_over_to_remind(tmp_path: Path) -> None:
    result = run(REPO, "track", "--as-of", "2021-05-01", "remind", "-o", str(tmp_path / "o"))

    assert result.exit_code == 0, result.output
    assert "参考日期 2021-05-01 没有已逾期的审议意见" in result.output


def test_list_options_before_a_subcommand_are_a_usage_error() -> None:
    result = run(REPO, "track", "--status", "overdue", "remind")

    assert result.exit_code == 2
    assert "--status、--organ、--kind、--category、--key 和 --json 只用于列出督办事项" in result.output


def test_track_and_attendance_work_on_a_fresh_workspace(renda: Any) -> None:
    listed = renda("track", "--json", "--as-of", "2025-06-30")
    attendance = renda("deputy", "attendance", "--json", "--as-of", "2025-06-30")

    assert listed.exit_code == 0, listed.output
    assert [o["id"] for o in json.loads(listed.stdout)["opinions"]] == ["opinion-2025-01"]
    assert attendance.exit_code == 0, attendance.output
    assert json.loads(attendance.stdout)["period"]["term"] == 17


def test_a_rule_counted_from_the_sitting_needs_no_assignment_date(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    _set_rule(root, "    months: 3\n    from: assigned", "    months: 3\n    from: meeting")

    rows = {o["id"]: o for o in track_json(root)["opinions"]}

    # opinion-2024-03 was deliberated at cwh-17-21 on 2024-08-28: due Thursday 2024-11-28.
    assert rows["opinion-2024-03"]["due"] == "2024-11-28"
    assert rows["opinion-2024-03"]["rounds"][0]["start"] == "2024-08-28"


def test_a_final_opinion_not_yet_assigned_waits_for_assignment(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = root / "records/2025/opinion-2025-02.yaml"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), "follow_up:\n  assigned: 2025-06-26\n", ""), "utf-8")

    row = next(o for o in track_json(root)["opinions"] if o["id"] == "opinion-2025-02")

    assert (row["status"], row["status_label"], row["due"]) == ("unassigned", "待交办", None)


def test_a_reopened_opinion_without_its_second_report_gets_a_reminder_for_it(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = root / "records/2023/opinion-2023-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("    - received: 2023-11-24")], encoding="utf-8")
    out = tmp_path / "out"

    rows = {o["id"]: o for o in track_json(root, "--as-of", "2023-12-10")["opinions"]}
    result = run(root, "track", "remind", "--as-of", "2023-12-10", "--format", "docx", "-o", str(out))

    assert rows["opinion-2023-01"]["status"] == "overdue"
    assert rows["opinion-2023-01"]["days_left"] == -11  # due 2023-11-29
    assert result.exit_code == 0, result.output
    text = _docx_text(out / "letter-2023-01.docx")
    assert "2023年8月29日测评结果为不满意" in text
    assert "2023年11月29日前再次书面报告" in text
    assert "已逾期11天" in text


def test_remind_with_a_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run(REPO, "track", "remind", "--format", "odt", "-o", str(tmp_path / "o"))

    assert result.exit_code == 2
    assert "不支持的格式“odt”" in result.output
    assert not (tmp_path / "o").exists()


def test_track_shows_the_reminders_sent_for_an_opinion(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    assert run(root, "track", "remind", "--format", "docx", "-o", str(tmp_path / "out")).exit_code == 0

    rows = {o["id"]: o for o in track_json(root)["opinions"]}
    listed = run(root, "track")
    earlier = {o["id"]: o for o in track_json(root, "--as-of", "2025-06-29")["opinions"]}

    assert rows["opinion-2024-03"]["reminders"] == [
        {"id": "letter-2025-01", "date": "2025-06-30", "doc_number": "澄人常办函〔2025〕1号"}
    ]
    assert rows["opinion-2025-01"]["reminders"] == []
    assert "已逾期（逾期206天），已催办1次" in listed.output
    assert earlier["opinion-2024-03"]["reminders"] == []  # not yet sent on that day
