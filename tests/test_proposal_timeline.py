"""archive.followup.timeline: every suggestion and motion of the sample as one dated list, checked against the
raw YAML (each contact, answer, evaluation and progress report is an event, in date order)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import yaml
from samples import REPO

from archive.catalog import load_catalog
from archive.followup import track_proposals
from archive.followup.timeline import KINDS, proposal_timeline
from archive.proposals import Proposal
from archive.workspace import Workspace


def _yaml() -> dict[str, dict[str, Any]]:
    found = {}
    for kind in ("suggestion", "motion"):
        for path in sorted((REPO / "records").glob(f"*/{kind}-*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            found[data["id"]] = data
    return found


def _counts(data: dict[str, Any]) -> Counter[str]:
    """The events the YAML says must be there, by kind."""
    h = data.get("handling") or {}
    rounds = [h, *h.get("rehandling", [])] if h else []
    return Counter(
        {
            "raised": 1,
            "decision": 1 if data.get("decision") else 0,
            "assigned": 1 if h else 0,
            "supervision": 1 if h.get("supervision") else 0,
            "extension": 1 if h.get("extension") else 0,
            "contact": len(h.get("contacts", [])),
            "answer": sum(1 for r in rounds if r.get("answer")),
            "evaluation": sum(1 for r in rounds if r.get("evaluation")),
            "rehandling": sum(1 for r in rounds if (r.get("evaluation") or {}).get("result") == "不满意"),
            "progress": len(data.get("progress", [])),
        }
    )


@pytest.fixture(scope="module")
def timelines() -> dict[str, Any]:
    catalog = load_catalog(Workspace(REPO))
    followed = {i.id: i for i in track_proposals(catalog)}
    return {p.id: proposal_timeline(p, followed.get(p.id)) for p in catalog.records if isinstance(p, Proposal)}


def test_every_step_of_the_yaml_is_one_event_and_the_list_runs_oldest_first(timelines: dict[str, Any]) -> None:
    raw = _yaml()
    assert sorted(timelines) == sorted(raw)
    assert len(raw) == 63
    for rid, events in timelines.items():
        got = Counter(e.kind for e in events if e.kind not in ("due", "reminder"))
        assert +got == +_counts(raw[rid]), rid
        days = [e.date for e in events if e.date is not None]
        assert days == sorted(days), rid
        assert all(e.kind in KINDS for e in events)


def test_what_is_still_owed_is_the_last_event_with_the_days_left_or_late(timelines: dict[str, Any]) -> None:
    raw = _yaml()
    unanswered = [rid for rid, d in raw.items() if (d.get("handling") or {}) and not d["handling"].get("answer")]
    assert unanswered
    for rid in unanswered:
        last = timelines[rid][-1]
        assert last.kind == "due", rid
        assert "尚未答复" in last.text and ("已逾期" in last.text or "还剩" in last.text)
