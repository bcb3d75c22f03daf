"""`renda track assign` (issue 15 item 4): the 交办函 to one organ for the suggestions and motions assigned to it
on a day — a ``letter`` record (kind 交办函) plus its .docx and PDF on the letter template — refused in Chinese when
nothing matches, classified at the highest level of what it lists.  Expected lists come from the YAML files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from click.testing import Result
from samples import snapshot

Run = Callable[..., Result]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")
DAY = "2024-02-20"


def _records(root: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in (root / "records").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[data["id"]] = {**data, "_path": path}
    return out


def _assigned(root: Path, organ: str, day: str) -> tuple[list[str], list[str]]:
    """(主办, 会办) ids of the final suggestions and motions assigned to ``organ`` on ``day``, from the YAML."""
    lead, co = [], []
    for rid, data in _records(root).items():
        handling = data.get("handling") or {}
        if data["type"] not in ("suggestion", "motion") or data["status"] != "final":
            continue
        if str(handling.get("assigned")) != day:
            continue
        if handling["lead_organ"] == organ:
            lead.append(rid)
        elif organ in handling.get("co_organs", []):
            co.append(rid)
    return sorted(lead), sorted(co)


def _letters(root: Path) -> dict[str, dict[str, Any]]:
    return {rid: d for rid, d in _records(root).items() if d["type"] == "letter" and d.get("kind") == "交办函"}


def _mark(path: Path, level: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("classification: 公开", f"classification: {level}"), encoding="utf-8")


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join((p.extract_text() or "") for p in pdf.pages).replace(" ", "").replace("\n", "")


@needs_soffice
def test_assign_writes_a_letter_record_listing_what_the_organ_leads_and_co_handles(
    root: Path, run: Run, tmp_path: Path
) -> None:
    organ = "区教育局"
    lead, co = _assigned(root, organ, DAY)
    assert lead and co  # the sample assigns both kinds to this organ that day
    out = tmp_path / "out"

    result = run("track", "assign", "--organ", "教育局", "--date", DAY, "-o", str(out), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (sorted(report["lead"]), sorted(report["co"])) == (lead, co)
    (letter,) = _letters(root).values()
    assert letter["id"] == report["record"]["id"]
    assert letter["addressee"] == organ and letter["classification"] == "公开"
    assert sorted(letter["suggestions"]) == sorted(lead + co)
    assert str(letter["date"]) == DAY and letter["doc_number"] == report["record"]["doc_number"]
    assert run("validate").exit_code == 0
    pdf = out / f"{letter['id']}.pdf"
    assert sorted(p.name for p in out.iterdir()) == sorted([pdf.name, f"{letter['id']}.docx"])
    text = _pdf_text(pdf)
    records = _records(root)
    for rid in lead + co:
        assert f"《{records[rid]['title']}》" in text
    assert "由你单位主办的" in text and "由你单位会办的" in text and "3个月内" in text
    checked = run("check", str(pdf))
    assert checked.exit_code == 0, checked.output

    again = run("track", "assign", "--organ", organ, "--date", DAY, "-o", str(out))
    assert again.exit_code == 0, again.output
    assert f"同一天的交办函已有记录 {letter['id']}" in again.output
    assert len(_letters(root)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--organ", "区教育局", "--date", "2024-02-21"), "2024年2月21日没有交办给“区教育局”的代表建议或议案"),
        (("--organ", "区教育局", "--date", DAY, "--session", "5"), "（第五次会议）没有交办给“区教育局”"),
        (("--organ", "区不存在局", "--date", DAY), "没有交办给“区不存在局”"),
        (("--organ", "局", "--date", DAY), "“局”对应多个承办单位："),
        (("--organ", "区教育局", "--date", "2024-02-30"), "--date 的值无效"),
        (("--organ", "区教育局", "--date", DAY, "--session", "第x次"), "--session 应为会议次数"),
    ],
)
def test_assign_refuses_in_chinese_and_writes_nothing(
    root: Path, run: Run, args: tuple[str, ...], message: str
) -> None:
    before = snapshot(root)

    result = run("track", "assign", *args)

    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(root) == before


def test_the_session_filter_keeps_the_items_of_that_session(root: Path, run: Run, tmp_path: Path) -> None:
    lead, co = _assigned(root, "区教育局", DAY)
    records = _records(root)
    session = records[lead[0]]["session"]

    result = run(
        "track", "assign", "--organ", "区教育局", "--date", DAY, "--session", f"第{session}次会议",
        "--format", "docx", "-o", str(tmp_path / "out"), "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert sorted(report["lead"] + report["co"]) == sorted(r for r in lead + co if records[r]["session"] == session)


def test_a_secret_suggestion_is_left_out_unless_cleared_and_then_marks_the_letter(
    root: Path, run: Run, tmp_path: Path
) -> None:
    lead, co = _assigned(root, "区教育局", DAY)
    _mark(_records(root)[lead[0]]["_path"], "秘密")
    assign = ("track", "assign", "--organ", "区教育局", "--date", DAY, "--format", "docx")

    default = run(*assign, "-o", str(tmp_path / "a"))

    assert default.exit_code == 0, default.output
    assert "另有 1 条密级更高的记录未列入" in default.output
    (letter,) = _letters(root).values()
    assert sorted(letter["suggestions"]) == sorted(lead[1:] + co)
    assert letter["classification"] == "公开"
    assert lead[0] not in letter["_path"].read_text(encoding="utf-8")

    letter["_path"].unlink()
    cleared = run(*assign, "--classification", "秘密", "-o", str(tmp_path / "b"))
    assert cleared.exit_code == 0, cleared.output
    (letter,) = _letters(root).values()
    assert sorted(letter["suggestions"]) == sorted(lead + co)
    assert letter["classification"] == "秘密" and letter["copy_number"]

    # the marked letter is not rendered again at a lower level: it would show what that level may not see
    refused = run(*assign, "-o", str(tmp_path / "c"))
    assert refused.exit_code == 1
    assert f"交办函已有记录 {letter['id']}，其密级“秘密”高于“内部”" in refused.output


def test_assign_refuses_when_everything_assigned_is_above_the_clearance(root: Path, run: Run) -> None:
    organ = "区卫生健康委员会"
    lead, co = _assigned(root, organ, DAY)
    for rid in lead + co:
        _mark(_records(root)[rid]["_path"], "机密")
    before = snapshot(root)

    result = run("track", "assign", "--organ", organ, "--date", DAY)

    assert result.exit_code == 1, result.output
    assert f"交办给{organ}的 {len(lead + co)} 件代表建议或议案密级均高于“内部”，未生成交办函" in result.output
    assert snapshot(root) == before


def _supervised(root: Path, year: int) -> list[str]:
    """Ids of the final suggestions and motions raised in ``year`` with a 重点督办 leader, from the YAML."""
    return sorted(
        rid
        for rid, data in _records(root).items()
        if data["type"] in ("suggestion", "motion")
        and data["status"] == "final"
        and str(data["date"]).startswith(str(year))
        and (data.get("handling") or {}).get("supervision")
    )


@needs_soffice
def test_supervise_writes_the_notice_of_the_years_key_items_to_their_organs(
    root: Path, run: Run, tmp_path: Path
) -> None:
    expected = _supervised(root, 2023)
    assert len(expected) >= 2
    out = tmp_path / "out"

    result = run("track", "supervise", "--date", "2023-03-01", "-o", str(out), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert sorted(report["items"]) == expected
    (notice,) = (d for d in _records(root).values() if d["type"] == "letter" and d.get("kind") == "督办通知")
    records = _records(root)
    organs = [o for rid in report["items"] for o in [records[rid]["handling"]["lead_organ"]]]
    organs += [o for rid in report["items"] for o in records[rid]["handling"].get("co_organs", [])]
    assert set(notice["addressee"].split("、")) == set(organs)
    assert sorted(notice["suggestions"]) == expected
    text = _pdf_text(out / f"{notice['id']}.pdf")
    for rid in expected:
        assert f"《{records[rid]['title']}》" in text
        assert records[rid]["handling"]["supervision"]["by"].replace(" ", "") in text
    assert run("check", str(out / f"{notice['id']}.pdf")).exit_code == 0
    assert run("validate").exit_code == 0

    again = run("track", "supervise", "--date", "2023-03-01", "--format", "docx", "-o", str(out))
    assert again.exit_code == 0 and f"同一天的督办通知已有记录 {notice['id']}" in again.output


def test_supervise_refuses_a_year_without_key_items(root: Path, run: Run) -> None:
    assert _supervised(root, 2022) == []
    before = snapshot(root)

    result = run("track", "supervise", "--date", "2022-03-01")

    assert result.exit_code == 1
    assert "2022年没有列为重点督办的代表建议或议案（handling.supervision），未生成督办通知" in result.output
    assert snapshot(root) == before


def test_supervise_leaves_out_a_secret_key_item_at_the_default_level(root: Path, run: Run, tmp_path: Path) -> None:
    expected = _supervised(root, 2023)
    _mark(_records(root)[expected[0]]["_path"], "机密")

    result = run("track", "supervise", "--date", "2023-03-01", "--format", "docx", "-o", str(tmp_path), "--json")

    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["items"]) == expected[1:]
    assert "另有 1 条密级更高的记录未列入" in result.stderr
    (notice,) = (d for d in _records(root).values() if d["type"] == "letter" and d.get("kind") == "督办通知")
    assert expected[0] not in notice["_path"].read_text(encoding="utf-8")


def test_an_assignment_letter_is_not_counted_as_a_reminder(root: Path, run: Run, tmp_path: Path) -> None:
    lead, co = _assigned(root, "区教育局", DAY)
    made = run("track", "assign", "--organ", "区教育局", "--date", DAY, "--format", "docx", "-o", str(tmp_path))
    assert made.exit_code == 0, made.output

    tracked = run("track", "--kind", "suggestion", "--json")

    assert tracked.exit_code == 0, tracked.output
    items = {i["id"]: i for i in json.loads(tracked.stdout)["suggestions"]}
    assert all(items[rid]["reminders"] == [] for rid in lead + co)
