"""`renda track draft-report` (issue 15 item 4): the annual report on how suggestions were handled, drafted as a
``report`` record from the `track stats` figures for the clerk to finish.  Every figure is recounted here from the
YAML files, not taken from the library."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from samples import snapshot

Run = Callable[..., Result]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")
YEAR = 2024
AS_OF = "2025-01-15"  # after every answer and evaluation of the 2024 suggestions in the sample


def _suggestions(root: Path, year: int, levels: tuple[str, ...] = ("公开", "内部")) -> list[dict[str, Any]]:
    out = []
    for path in sorted((root / "records" / str(year)).glob("suggestion-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["status"] == "final" and data["classification"] in levels:
            out.append({**data, "_path": path})
    return out


def _rounds(data: dict[str, Any]) -> list[dict[str, Any]]:
    handling = data.get("handling") or {}
    if not handling:
        return []
    first = {"answer": handling.get("answer"), "evaluation": handling.get("evaluation")}
    return [first, *handling.get("rehandling", [])]


def _recount(suggestions: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures the report quotes, counted from the raw YAML."""
    latest = [(_rounds(s) or [{}])[-1] for s in suggestions]
    answered = [r["answer"] for r in latest if r.get("answer")]
    return {
        "received": len(suggestions),
        "completed": len(answered),
        "classes": {c: sum(1 for a in answered if a["class"] == c) for c in "ABC"},
        "rehandled": sum(
            1 for s in suggestions if any((r.get("evaluation") or {}).get("result") == "不满意" for r in _rounds(s))
        ),
        "organs": sorted({s["handling"]["lead_organ"] for s in suggestions if s.get("handling")}),
    }


def _draft(root: Path) -> dict[str, Any]:
    (path,) = (root / "records").rglob("workreport-*.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {**data, "_path": path}


def _text(body: list[Any]) -> str:
    return "\n".join(b if isinstance(b, str) else next(iter(b.values())) for b in body)


def test_the_draft_quotes_the_figures_of_the_years_suggestions(root: Path, run: Run) -> None:
    counted = _recount(_suggestions(root, YEAR))

    result = run("track", "draft-report", "--year", str(YEAR), "--as-of", AS_OF)

    assert result.exit_code == 0, result.output
    draft = _draft(root)
    assert (draft["type"], draft["kind"], draft["status"], draft["year"]) == (
        "report",
        "代表建议办理情况报告",
        "draft",
        YEAR,
    )
    assert str(draft["date"]) == AS_OF and draft["classification"] == "公开"
    assert draft["title"] == f"关于{YEAR}年代表建议、批评和意见办理情况的报告"
    text = _text(draft["body"])
    n = counted["received"]
    assert f"共提出建议、批评和意见{n}件" in text
    assert f"{n}件建议已办结{counted['completed']}件" in text
    for c, count in counted["classes"].items():
        assert f"{c}类（" in text and f"）{count}件，占{count / counted['completed'] * 100:.1f}%" in text
    assert f"重新办理的{counted['rehandled']}件" in text
    for organ in counted["organs"]:
        assert f"\n{organ}主办" in text
    assert text.count("（待填写）") == 3

    checked = run("validate")
    assert checked.exit_code == 0, checked.output  # a draft may keep its （待填写）
    text_file = draft["_path"].read_text(encoding="utf-8")
    draft["_path"].write_text(text_file.replace("status: draft", "status: final"), encoding="utf-8")
    refused = run("validate")
    assert refused.exit_code == 1
    assert f"{draft['_path'].relative_to(root).as_posix()}:" in refused.output and "定稿前必须填写" in refused.output


def test_a_second_draft_of_the_same_year_is_refused_and_nothing_is_overwritten(root: Path, run: Run) -> None:
    assert run("track", "draft-report", "--year", str(YEAR), "--as-of", AS_OF).exit_code == 0
    before = snapshot(root)

    again = run("track", "draft-report", "--year", str(YEAR), "--as-of", AS_OF)

    assert again.exit_code == 1
    assert f"{YEAR}年的代表建议办理情况报告已有记录 {_draft(root)['id']}" in again.output and "不会覆盖" in again.output
    assert snapshot(root) == before


def test_a_year_without_suggestions_is_refused(root: Path, run: Run) -> None:
    raised = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (root / "records").rglob("suggestion-*.yaml")]
    assert raised and not any(str(d["date"]).startswith("2019") for d in raised)
    before = snapshot(root)

    result = run("track", "draft-report", "--year", "2019")

    assert result.exit_code == 1
    assert "2019年没有可统计的代表建议，未起草办理情况报告" in result.output
    assert snapshot(root) == before


def test_a_secret_suggestion_is_counted_only_when_cleared_and_then_marks_the_draft(root: Path, run: Run) -> None:
    every = _suggestions(root, YEAR)
    secret = every[0]["_path"]
    secret.write_text(
        secret.read_text(encoding="utf-8").replace("classification: 公开", "classification: 秘密"), "utf-8"
    )

    default = run("track", "draft-report", "--year", str(YEAR), "--as-of", AS_OF)

    assert default.exit_code == 0, default.output
    assert "另有 1 条密级更高的记录未列入" in default.stderr
    draft = _draft(root)
    assert f"共提出建议、批评和意见{len(every) - 1}件" in _text(draft["body"])
    assert draft["classification"] == "公开"

    draft["_path"].unlink()
    cleared = run("track", "draft-report", "--year", str(YEAR), "--as-of", AS_OF, "--classification", "秘密")
    assert cleared.exit_code == 0, cleared.output
    draft = _draft(root)
    assert f"共提出建议、批评和意见{len(every)}件" in _text(draft["body"])
    assert draft["classification"] == "秘密" and draft["copy_number"]


@needs_soffice
def test_the_finished_report_renders_and_meets_gb_t_9704(root: Path, run: Run, tmp_path: Path) -> None:
    assert run("track", "draft-report", "--year", str(YEAR), "--as-of", AS_OF).exit_code == 0
    draft = _draft(root)
    text = draft["_path"].read_text(encoding="utf-8").replace("status: draft", "status: final")
    draft["_path"].write_text(text.replace("（待填写）", "各承办单位落实办理责任，加强与代表沟通。"), encoding="utf-8")
    assert run("validate").exit_code == 0

    rendered = run("render", draft["id"], "-o", str(tmp_path))

    assert rendered.exit_code == 0, rendered.output
    checked = run("check", str(tmp_path / f"{draft['id']}.pdf"))
    assert checked.exit_code == 0, checked.output
