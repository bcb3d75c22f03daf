"""The follow-up section of the annual statistics: opinions issued, answered on time or late, unanswered,
satisfaction — every figure with the opinion ids behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from archive.catalog import Catalog
from archive.followup.compute import track_opinions
from archive.followup.model import SATISFACTORY, VOTE_CHOICES, OpinionFollowUp, Status


@dataclass(frozen=True)
class FollowUpFigures:
    """The follow-up section of the annual statistics; every figure with the opinion ids behind it."""

    as_of: dt.date
    year: int | None
    issued: tuple[str, ...]
    answered_on_time: tuple[str, ...]
    answered_late: tuple[str, ...]
    unanswered: tuple[str, ...]
    overdue: tuple[str, ...]
    reopened: tuple[str, ...]
    evaluations: Mapping[str, tuple[str, ...]]  # final result → opinions
    votes: Mapping[str, int] = field(default_factory=dict)  # the final evaluations' votes, by choice

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of evaluated opinions whose final result is 满意 or 基本满意."""
        evaluated = sum(len(v) for v in self.evaluations.values())
        if not evaluated:
            return None
        return sum(len(self.evaluations.get(r, ())) for r in SATISFACTORY) / evaluated

    def as_dict(self) -> dict[str, Any]:
        def entry(ids: Sequence[str]) -> dict[str, Any]:
            return {"count": len(ids), "records": list(ids)}

        return {
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            "issued": entry(self.issued),
            "answered_on_time": entry(self.answered_on_time),
            "answered_late": entry(self.answered_late),
            "unanswered": entry(self.unanswered),
            "overdue": entry(self.overdue),
            "reopened": entry(self.reopened),
            "evaluations": {k: entry(v) for k, v in self.evaluations.items()},
            "votes": dict(self.votes),
            "satisfaction_rate": self.satisfaction_rate,
        }


def followup_figures(catalog: Catalog, year: int | None = None, as_of: dt.date | None = None) -> FollowUpFigures:
    """Opinions issued (in ``year``, or all), answered on time, late, unanswered, and satisfaction.

    "On time" and "late" judge the first report against its deadline; the evaluation counted is the final
    one of each opinion (after a reopened loop, the last).
    """
    report = track_opinions(catalog, as_of)
    return figures_of(report.items, report.as_of, year)


def figures_of(items: Iterable[OpinionFollowUp], as_of: dt.date, year: int | None = None) -> FollowUpFigures:
    chosen = [
        i
        for i in items
        if i.status is not Status.DRAFT and (year is None or (i.date is not None and i.date.year == year))
    ]
    chosen.sort(key=lambda i: (i.date or dt.date.min, i.id))
    evaluations: dict[str, list[str]] = {r: [] for r in VOTE_CHOICES}
    votes = dict.fromkeys(VOTE_CHOICES, 0)
    for item in chosen:
        evaluated = [r for r in item.rounds if r.evaluation]
        if evaluated:
            final = evaluated[-1]
            evaluations[final.evaluation or ""].append(item.id)
            for choice, count in zip(VOTE_CHOICES, final.votes or (0, 0, 0), strict=True):
                votes[choice] += count
    return FollowUpFigures(
        as_of=as_of,
        year=year,
        issued=tuple(i.id for i in chosen),
        answered_on_time=tuple(i.id for i in chosen if i.first_on_time is True),
        answered_late=tuple(i.id for i in chosen if i.first_on_time is False),
        unanswered=tuple(i.id for i in chosen if not i.rounds or i.rounds[0].received is None),
        overdue=tuple(i.id for i in chosen if i.status is Status.OVERDUE),
        reopened=tuple(i.id for i in chosen if i.reopened),
        evaluations={k: tuple(v) for k, v in evaluations.items()},
        votes=votes,
    )
