"""The figures of the suggestions' loop, by 主办单位 or by category: received, 办结, answered on time, A/B/C
shares, satisfaction in the first round and in the end, re-handled — every figure with the records behind it.

Definitions (what the annual report on suggestions quotes):

* received (收到): suggestions raised in the year (all years when none is given) and final;
* 办结: the latest round has its answer (an answer evaluated 不满意 reopens the loop: not 办结 until answered again);
* on time (按期答复): the first answer came by the first deadline;
* A/B/C: the class of the latest answer, among those answered;
* first-round satisfaction: the lead deputy's first evaluation; final satisfaction: the latest evaluation;
  a rate is the share of 满意 and 基本满意 among those evaluated;
* re-handled (重新办理): evaluated 不满意 at least once.

Motions are counted where they are followed: one turned into a suggestion is that suggestion; an accepted
motion is not a suggestion and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archive.catalog import Catalog
from archive.followup.model import SATISFACTORY, OpinionFollowUp, TrackingError
from archive.followup.proposals import track_proposals

GROUPINGS = {"organ": "主办单位", "category": "类别"}
TOTAL = "合计"


@dataclass(frozen=True)
class ProposalFigures:
    """One row: a 主办单位 (or category, or the total) and its figures as record ids."""

    group: str
    received: tuple[str, ...]
    completed: tuple[str, ...]
    on_time: tuple[str, ...]
    classes: tuple[tuple[str, tuple[str, ...]], ...]  # A, B, C
    first_evaluations: tuple[tuple[str, tuple[str, ...]], ...]  # 满意, 基本满意, 不满意
    final_evaluations: tuple[tuple[str, tuple[str, ...]], ...]
    rehandled: tuple[str, ...]

    @staticmethod
    def rate(evaluations: Sequence[tuple[str, tuple[str, ...]]]) -> float | None:
        evaluated = sum(len(ids) for _, ids in evaluations)
        if not evaluated:
            return None
        return sum(len(ids) for result, ids in evaluations if result in SATISFACTORY) / evaluated

    def share(self, answer_class: str) -> float | None:
        answered = sum(len(ids) for _, ids in self.classes)
        return len(dict(self.classes)[answer_class]) / answered if answered else None

    def as_dict(self) -> dict[str, Any]:
        def entry(ids: Sequence[str]) -> dict[str, Any]:
            return {"count": len(ids), "records": list(ids)}

        return {
            "group": self.group,
            "received": entry(self.received),
            "completed": entry(self.completed),
            "on_time": entry(self.on_time),
            "classes": {k: {**entry(v), "share": _round(self.share(k))} for k, v in self.classes},
            "first_evaluations": {k: entry(v) for k, v in self.first_evaluations},
            "final_evaluations": {k: entry(v) for k, v in self.final_evaluations},
            "first_satisfaction_rate": _round(self.rate(self.first_evaluations)),
            "final_satisfaction_rate": _round(self.rate(self.final_evaluations)),
            "rehandled": entry(self.rehandled),
        }


@dataclass(frozen=True)
class ProposalStatistics:
    as_of: dt.date
    year: int | None
    by: str
    rows: tuple[ProposalFigures, ...]  # one per group, the total last

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            "by": self.by,
            "rows": [r.as_dict() for r in self.rows],
        }


def proposal_statistics(
    catalog: Catalog, year: int | None = None, by: str = "organ", as_of: dt.date | None = None
) -> ProposalStatistics:
    """The figures of every suggestion raised in ``year`` (or ever), by 主办单位 or by category, and in total."""
    if by not in GROUPINGS:
        raise TrackingError(f"未知的分组“{by}”，可用：{'、'.join(f'{k}（{v}）' for k, v in GROUPINGS.items())}")
    items = [
        i
        for i in track_proposals(catalog, as_of)
        if i.kind == "suggestion" and i.status.value != "draft" and (year is None or (i.date and i.date.year == year))
    ]
    day = items[0].as_of if items else (as_of or catalog.workspace.config.oversight.as_of or dt.date.today())
    items.sort(key=lambda i: (i.date or dt.date.min, i.id))
    groups: dict[str, list[OpinionFollowUp]] = {}
    for item in items:
        key = (item.addressee or "（未交办）") if by == "organ" else (item.category or "")
        groups.setdefault(key, []).append(item)
    rows = [figures_for(name, groups[name]) for name in sorted(groups, key=lambda g: (-len(groups[g]), g))]
    return ProposalStatistics(day, year, by, (*rows, figures_for(TOTAL, items)))


def figures_for(group: str, items: Iterable[OpinionFollowUp]) -> ProposalFigures:
    chosen = list(items)

    def ids(keep: Iterable[OpinionFollowUp]) -> tuple[str, ...]:
        return tuple(i.id for i in keep)

    def evaluations(pick: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
        out = []
        for result in ("满意", "基本满意", "不满意"):
            out.append((result, ids(i for i in chosen if _evaluated(i, pick) == result)))
        return tuple(out)

    return ProposalFigures(
        group=group,
        received=ids(chosen),
        completed=ids(i for i in chosen if i.current is not None and i.current.received is not None),
        on_time=ids(i for i in chosen if i.first_on_time is True),
        classes=tuple((c, ids(i for i in chosen if i.answer_class == c)) for c in "ABC"),
        first_evaluations=evaluations(0),
        final_evaluations=evaluations(-1),
        rehandled=ids(i for i in chosen if any(r.evaluation == "不满意" for r in i.rounds)),
    )


def _evaluated(item: OpinionFollowUp, pick: int) -> str | None:
    results = [r.evaluation for r in item.rounds if r.evaluation]
    return results[pick] if results else None


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
