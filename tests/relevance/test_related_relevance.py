"""Relevance of `renda related` over the sample workspace: precision@3 and recall@5 on judged pairs.

The pairs (related.yaml) were judged by reading the records.  Precision@3 counts, over every record of a
judged pair, the records among its three most related that are judged related to it (an unjudged one
counts as not related); recall@5 the judged related records found among its five most related.  The test
fails below the figures pinned in baseline.yaml (``related:``), and when a judged non-pair is listed.
The held-out subjects (judged after the tuning) are measured apart; the test fails when they list more
records judged unrelated than ``related_held_out:`` allows.
Print the figures with:

    .venv/bin/python tests/relevance/test_related_relevance.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ (samples) when run as a script

from samples import copy_sample  # noqa: E402

from archive.catalog import load_catalog  # noqa: E402
from archive.clearance import Clearance  # noqa: E402
from archive.related import related_records  # noqa: E402
from archive.workspace import Workspace  # noqa: E402

JUDGED = yaml.safe_load((HERE / "related.yaml").read_text(encoding="utf-8"))
BASELINE_FILE = HERE / "baseline.yaml"


def _partners(pairs: list[list[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, b in pairs:
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return out


def evaluate(root: Path) -> dict[str, float]:
    workspace = Workspace(root)
    catalog = load_catalog(workspace)
    clearance = Clearance.of(workspace.config)
    relevant = _partners(JUDGED["pairs"])
    shown = returned = found = wanted = 0
    for subject, partners in sorted(relevant.items()):
        top3 = {r.id for r in related_records(catalog, subject, clearance, limit=3)}
        top5 = {r.id for r in related_records(catalog, subject, clearance, limit=5)}
        shown += len(top3 & partners)
        returned += len(top3)
        found += len(top5 & partners)
        wanted += len(partners)
    return {"precision_at_3": shown / max(1, returned), "recall_at_5": found / wanted}


def evaluate_held_out(root: Path) -> dict[str, float | None]:
    """The held-out subjects (judged after the tuning, see related.yaml): precision@3 over what they list
    (None when they list nothing), the unrelated records listed, and recall@5 of their judged pairs."""
    workspace = Workspace(root)
    catalog = load_catalog(workspace)
    clearance = Clearance.of(workspace.config)
    held = JUDGED["held_out"]
    relevant = _partners(held["pairs"])
    shown = returned = found = 0
    for subject in held["subjects"]:
        partners = relevant.get(subject, set())
        top3 = {r.id for r in related_records(catalog, subject, clearance, limit=3)}
        top5 = {r.id for r in related_records(catalog, subject, clearance, limit=5)}
        shown += len(top3 & partners)
        returned += len(top3)
        found += len(top5 & partners)
    wanted = sum(len(relevant.get(s, set())) for s in held["subjects"])
    return {
        "precision_at_3": shown / returned if returned else None,
        "unrelated_listed": returned - shown,
        "recall_at_5": found / wanted if wanted else None,
    }


def test_the_judged_pairs_name_real_records_of_both_terms() -> None:
    root = Path(__file__).resolve().parents[2]
    ids = {p.stem for p in (root / "records").rglob("*.yaml")}
    named = {rid for pair in JUDGED["pairs"] + JUDGED["non_pairs"] + JUDGED["held_out"]["pairs"] for rid in pair}
    assert named | set(JUDGED["held_out"]["subjects"]) <= ids
    tuned_on = {rid for pair in JUDGED["pairs"] for rid in pair}
    assert not tuned_on & set(JUDGED["held_out"]["subjects"])  # held out: no subject of the tuned pairs
    assert len(JUDGED["pairs"]) >= 8 and len(JUDGED["non_pairs"]) >= 6


def test_related_records_are_no_worse_than_the_recorded_baseline(tmp_path: Path) -> None:
    scores = evaluate(copy_sample(tmp_path / "ws"))
    baseline = yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8"))["related"]
    for metric, floor in baseline.items():
        assert scores[metric] >= floor - 1e-6, f"related {metric} {scores[metric]:.4f} < baseline {floor:.4f}"


def test_held_out_records_list_nothing_judged_unrelated(tmp_path: Path) -> None:
    scores = evaluate_held_out(copy_sample(tmp_path / "ws"))
    ceiling = yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8"))["related_held_out"]["unrelated_listed"]
    assert scores["unrelated_listed"] is not None and scores["unrelated_listed"] <= ceiling, scores


def test_no_judged_non_pair_is_listed(tmp_path: Path) -> None:
    workspace = Workspace(copy_sample(tmp_path / "ws"))
    catalog = load_catalog(workspace)
    clearance = Clearance.of(workspace.config)
    for a, b in JUDGED["non_pairs"]:
        assert b not in {r.id for r in related_records(catalog, a, clearance, limit=5)}, (a, b)
        assert a not in {r.id for r in related_records(catalog, b, clearance, limit=5)}, (b, a)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        figures = evaluate(copy_sample(Path(tmp) / "ws"))
        held_out = evaluate_held_out(copy_sample(Path(tmp) / "held-out"))
    print("related", {k: round(v, 4) for k, v in figures.items()})
    print("related, held out", {k: v if v is None else round(v, 4) for k, v in held_out.items()})
