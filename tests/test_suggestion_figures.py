"""Independent recount of the suggestions' statistics (`renda track stats`) from the raw YAML.

Nothing of archive/ is used to compute the expectations: the records are read with PyYAML, deadlines are
counted here with the Civil Code rule (same day N months later, or the month's last day; a rest day moves to
the next working day of the official calendar, read from chinese_calendar directly).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
import yaml
from click.testing import CliRunner
from samples import REPO

import cli

AS_OF = dt.date(2025, 6, 30)  # the sample's oversight.as_of


def raw_suggestions() -> list[dict[str, Any]]:
    out = []
    for path in sorted((REPO / "records").glob("*/suggestion-*.yaml")):
        data = yaml.safe_load(Path(path).read_text("utf-8"))
        if data["status"] == "final":
            out.append(data)
    return out


def plus_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working(day: dt.date) -> dt.date:
    while not chinese_calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def recount(data: dict[str, Any]) -> dict[str, Any]:
    """The facts of one suggestion on AS_OF, from its YAML alone."""
    h = data.get("handling") or {}
    rounds = [{"answer": h.get("answer"), "evaluation": h.get("evaluation")}, *h.get("rehandling", [])]
    seen = []
    for r in rounds:
        answer = r.get("answer") if r.get("answer") and r["answer"]["date"] <= AS_OF else None
        evaluation = r.get("evaluation") if r.get("evaluation") and r["evaluation"]["date"] <= AS_OF else None
        seen.append((answer, evaluation))
        if answer is None or evaluation is None or evaluation["result"] != "不满意":
            break
    else:
        seen.append((None, None))  # the last round on file was 不满意: another one is owed
    extension = h.get("extension")
    months = 6 if extension and extension["approved"] <= AS_OF else 3
    due = working(plus_months(h["assigned"], months)) if h else None
    first_answer = seen[0][0]
    answers = [a for a, _ in seen if a]
    evaluations = [e["result"] for _, e in seen if e]
    return {
        "organ": h.get("lead_organ", "（未交办）"),
        "category": data["category"],
        "completed": seen[-1][0] is not None,
        "on_time": bool(first_answer and due and first_answer["date"] <= due),
        "class": answers[-1]["class"] if answers else None,
        "first": evaluations[0] if evaluations else None,
        "final": evaluations[-1] if evaluations else None,
        "rehandled": "不满意" in evaluations,
    }


def expected(by: str, year: int | None) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for data in raw_suggestions():
        if year is None or data["date"].year == year:
            facts = recount(data)
            groups[facts[by]].append((data["id"], facts))
            groups["合计"].append((data["id"], facts))
    out = {}
    for group, members in groups.items():

        def ids(keep: Any, members: list[tuple[str, dict[str, Any]]] = members) -> list[str]:
            return sorted(rid for rid, f in members if keep(f))

        def rate(key: str, members: list[tuple[str, dict[str, Any]]] = members) -> float | None:
            evaluated = [f[key] for _, f in members if f[key]]
            good = sum(1 for r in evaluated if r in ("满意", "基本满意"))
            return round(good / len(evaluated), 4) if evaluated else None

        out[group] = {
            "received": ids(lambda _: True),
            "completed": ids(lambda f: f["completed"]),
            "on_time": ids(lambda f: f["on_time"]),
            "A": ids(lambda f: f["class"] == "A"),
            "B": ids(lambda f: f["class"] == "B"),
            "C": ids(lambda f: f["class"] == "C"),
            "first_unsatisfied": ids(lambda f: f["first"] == "不满意"),
            "first_rate": rate("first"),
            "final_rate": rate("final"),
            "rehandled": ids(lambda f: f["rehandled"]),
        }
    return out


def reported(by: str, year: int | None) -> dict[str, dict[str, Any]]:
    args = ["--root", str(REPO), "track", "stats", "--json", "--by", by] + (["--year", str(year)] if year else [])
    result = CliRunner().invoke(cli.cli, args)
    assert result.exit_code == 0, result.output
    out = {}
    for row in json.loads(result.stdout)["rows"]:
        out[row["group"]] = {
            "received": sorted(row["received"]["records"]),
            "completed": sorted(row["completed"]["records"]),
            "on_time": sorted(row["on_time"]["records"]),
            **{c: sorted(row["classes"][c]["records"]) for c in "ABC"},
            "first_unsatisfied": sorted(row["first_evaluations"]["不满意"]["records"]),
            "first_rate": row["first_satisfaction_rate"],
            "final_rate": row["final_satisfaction_rate"],
            "rehandled": sorted(row["rehandled"]["records"]),
        }
    return out


@pytest.mark.parametrize("by", ["organ", "category"])
@pytest.mark.parametrize("year", [None, 2023, 2025])
def test_every_figure_matches_a_recount_from_the_raw_yaml(by: str, year: int | None) -> None:
    assert reported(by, year) == expected(by, year)


def test_the_recount_sees_what_the_sample_was_built_to_show() -> None:
    total = expected("organ", None)["合计"]

    assert len(total["received"]) == 61
    assert total["rehandled"] == ["suggestion-2023-004", "suggestion-2024-002"]
    # 2025: three unanswered and overdue, one extended and still open
    assert sorted(set(total["received"]) - set(total["completed"])) == [
        "suggestion-2025-008",
        "suggestion-2025-009",
        "suggestion-2025-010",
        "suggestion-2025-011",
    ]


def raw_proposals() -> list[dict[str, Any]]:
    out = []
    for pattern in ("*/suggestion-*.yaml", "*/motion-*.yaml"):
        for path in sorted((REPO / "records").glob(pattern)):
            data = yaml.safe_load(Path(path).read_text("utf-8"))
            if data["status"] == "final":
                out.append(data)
    return out


@pytest.mark.parametrize(("deputy", "term"), [("d011", 17), ("d042", 17), ("d046", 17), ("d041", 17), ("d020", 16)])
def test_part_six_of_the_profile_counts_what_the_deputy_led_and_co_signed(deputy: str, term: int) -> None:
    mine = [p for p in raw_proposals() if p["term"] == term]
    want = {}
    for kind in ("suggestion", "motion"):
        of_kind = [p for p in mine if p["type"] == kind]
        want[f"{kind}s.lead"] = sorted(p["id"] for p in of_kind if p["lead"] == deputy)
        want[f"{kind}s.cosigned"] = sorted(p["id"] for p in of_kind if deputy in p.get("cosigners", []))

    result = CliRunner().invoke(
        cli.cli, ["--root", str(REPO), "deputy", "profile", deputy, "--term", str(term), "--json"]
    )

    assert result.exit_code == 0, result.output
    part = json.loads(result.stdout)["sections"][5]
    got = {f["key"]: sorted(f["records"]) for f in part["figures"] if f["key"] in want}
    assert got == want
    assert all(f["count"] == len(f["records"]) for f in part["figures"])
    led = sum(len(v) for k, v in want.items() if k.endswith(".lead"))
    assert sum(p.startswith("领衔：") for p in part["paragraphs"]) == led
