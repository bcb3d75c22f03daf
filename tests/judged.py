"""Expectations from the judged related-record pairs (tests/relevance/related.yaml), read with the records'
YAML and nothing of renda: which problem threads recur across years in a workspace."""

from __future__ import annotations

from pathlib import Path

import yaml
from samples import REPO

RELATED = REPO / "tests" / "relevance" / "related.yaml"
ADMITTED = ("公开", "内部")  # the sample's max_public_classification is 内部


def judged_recurring(root: Path, year: int) -> list[set[str]]:
    """The groups of judged-related records (pairs joined where they share a record) that span two or more
    years and have a record of ``year``, counting only final records at 公开 or 内部 in ``root``.

    Joining pairs would chain a record that raises two problems into both threads; in the sample only
    report-2025-d036 raises two (物业纠纷, 未成年人), and the one it would chain to (物业管理, opinion-2025-03)
    is a draft, so the sample's groups are its threads."""
    facts = {}
    for path in (root / "records").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("status", "final") == "final" and data.get("classification") in ADMITTED:
            facts[data["id"]] = int(str(data["date"])[:4])
    group: dict[str, set[str]] = {}
    for a, b in yaml.safe_load(RELATED.read_text(encoding="utf-8"))["pairs"]:
        if a in facts and b in facts:
            joined = group.get(a, {a}) | group.get(b, {b})
            for member in joined:
                group[member] = joined
    groups = {frozenset(g) for g in group.values()}
    return [set(g) for g in groups if len({facts[m] for m in g}) >= 2 and year in {facts[m] for m in g}]
