"""Relevance over the sample workspace: recall@10 and nDCG@10 on judged queries, per engine; the share of
judged slips (typos.yaml) whose first suggestion is what was meant; and precision@3 / recall@5 of
`renda related` on judged pairs (related.yaml, test_related_relevance.py).

The test fails when either engine falls below the baseline recorded in baseline.yaml.  After a change
that improves ranking, record the new figures with:

    .venv/bin/python tests/relevance/test_relevance.py --record
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ (samples) when run as a script

from samples import copy_sample  # noqa: E402

from archive.search import search_workspace, update_index  # noqa: E402
from archive.search.engine import ENGINES  # noqa: E402
from archive.workspace import Workspace  # noqa: E402

K = 10
JUDGED: list[dict[str, Any]] = yaml.safe_load((HERE / "queries.yaml").read_text(encoding="utf-8"))
BASELINE_FILE = HERE / "baseline.yaml"


def dcg(gains: list[int]) -> float:
    return sum((2.0**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate(workspace: Workspace, engine: str) -> dict[str, float]:
    """Mean recall@10 and nDCG@10 over the judged queries."""
    recalls, ndcgs = [], []
    for item in JUDGED:
        relevant: dict[str, int] = item["relevant"]
        found = [h.id for h in search_workspace(workspace, item["query"], limit=K, engine=engine).hits]
        recalls.append(sum(1 for rid in found if rid in relevant) / len(relevant))
        ideal = dcg(sorted(relevant.values(), reverse=True)[:K])
        ndcgs.append(dcg([relevant.get(rid, 0) for rid in found]) / ideal)
    return {"recall_at_10": sum(recalls) / len(recalls), "ndcg_at_10": sum(ndcgs) / len(ndcgs)}


TYPOS: list[dict[str, Any]] = yaml.safe_load((HERE / "typos.yaml").read_text(encoding="utf-8"))


def suggestion_accuracy(workspace: Workspace) -> float:
    """Share of the judged slips whose first suggestion is what was meant (and of correct queries with none)."""
    right = 0
    for item in TYPOS:
        offered = search_workspace(workspace, item["typed"]).suggestions
        first = offered[0].text if offered else None
        right += first == item["meant"]
    return right / len(TYPOS)


def judged_corpus(root: Path) -> Path:
    """The sample as the queries were judged on: without the suggestions and motions (issue 15), which no
    judgment covers yet, so a relevant suggestion would count as noise.  Judging them is the search work's."""
    for path in [*root.glob("records/*/suggestion-*.yaml"), *root.glob("records/*/motion-*.yaml")]:
        path.unlink()
    return root


def test_slips_get_what_was_meant_as_the_first_suggestion(tmp_path: Path) -> None:
    workspace = Workspace(copy_sample(tmp_path / "ws"))
    update_index(workspace)
    assert suggestion_accuracy(workspace) >= yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8"))["suggestions"]


def test_the_judged_set_is_big_enough_and_names_real_records() -> None:
    root = Path(__file__).resolve().parents[2]
    ids = {p.stem for p in (root / "records").rglob("*.yaml")}
    assert len(JUDGED) >= 30
    for item in JUDGED:
        assert item["relevant"] and set(item["relevant"]) <= ids, item["query"]


@pytest.mark.parametrize("engine", ENGINES)
def test_ranking_is_no_worse_than_the_recorded_baseline(tmp_path: Path, engine: str) -> None:
    workspace = Workspace(judged_corpus(copy_sample(tmp_path / "ws", engine)))
    update_index(workspace)
    scores = evaluate(workspace, engine)
    baseline = yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8"))[engine]

    for metric, floor in baseline.items():
        assert scores[metric] >= floor - 1e-6, f"{engine} {metric} {scores[metric]:.4f} < baseline {floor:.4f}"


def main() -> None:
    import tempfile

    results: dict[str, Any] = {}  # per engine its scores; "suggestions" and "related" their own figures
    for engine in ENGINES:
        with tempfile.TemporaryDirectory() as tmp:
            workspace = Workspace(judged_corpus(copy_sample(Path(tmp) / "ws", engine)))
            update_index(workspace)
            results[engine] = {k: math.floor(v * 10000) / 10000 for k, v in evaluate(workspace, engine).items()}
        print(engine, results[engine])
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace(copy_sample(Path(tmp) / "ws"))
        update_index(workspace)
        results["suggestions"] = math.floor(suggestion_accuracy(workspace) * 10000) / 10000
    print("suggestions (first suggestion is what was meant)", results["suggestions"])
    # related records (issue 17): precision@3, recall@5; apart, the held-out subjects judged after the tuning
    from test_related_relevance import evaluate as evaluate_related
    from test_related_relevance import evaluate_held_out

    with tempfile.TemporaryDirectory() as tmp:
        related = evaluate_related(copy_sample(Path(tmp) / "ws"))
        held_out = evaluate_held_out(copy_sample(Path(tmp) / "held-out"))
    results["related"] = {k: math.floor(v * 10000) / 10000 for k, v in related.items()}
    print("related", results["related"])
    print("related, held out", {k: v if v is None else round(v, 4) for k, v in held_out.items()})
    results["related_held_out"] = {"unrelated_listed": held_out["unrelated_listed"]}  # a ceiling, not a floor
    if "--record" in sys.argv:
        header = (
            "# Recorded by tests/relevance/test_relevance.py --record; the test fails below these\n"
            "# (related_held_out.unrelated_listed: above it).\n"
        )
        BASELINE_FILE.write_text(header + yaml.safe_dump(results, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
