"""Where each suggestion and motion stands on the reference date, on the same rounds, deadlines and statuses as
opinions (:mod:`archive.followup.compute` counts every deadline).

Round 1 is the answer due ``deadlines.suggestion_answer`` after 交办 (``suggestion_extended`` once an extension
is approved, or the record's own ``deadline``); a 不满意 evaluation starts another round, due
``deadlines.suggestion_rehandle`` after the evaluation.  A motion turned into a suggestion (转为建议) is followed
as that suggestion; an accepted motion is also owed a progress report for every year it is supervised and
followed (``proposals.supervise_years`` + ``follow_years``), due by the end of the next year's first month
(the next session hears it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from archive.catalog import Catalog
from archive.followup.compute import due_on_calendar, reference_date, status_of
from archive.followup.model import (
    DEFAULT_DUE_SOON_DAYS,
    RULE_LABELS,
    SATISFACTORY,
    OpinionFollowUp,
    Reminder,
    Round,
    Status,
)
from archive.proposals import Motion, Proposal
from archive.records import Letter
from archive.workspace import Config


def track_proposals(catalog: Catalog, as_of: dt.date | None = None) -> list[OpinionFollowUp]:
    """The follow-up of every suggestion and motion raised by the reference date (unsorted)."""
    config = catalog.workspace.config
    day = reference_date(config, as_of)
    configured = config.oversight.due_soon_days
    soon = DEFAULT_DUE_SOON_DAYS if configured is None else configured
    reminders: dict[str, list[Reminder]] = {}
    for letter in sorted(
        # only a 催办函 is a reminder: a 交办函 or 督办通知 lists suggestions too
        (
            r
            for r in catalog.records
            if isinstance(r, Letter) and r.kind == "催办函" and r.suggestions and (r.date is None or r.date <= day)
        ),
        key=lambda r: (r.date or dt.date.min, r.id),
    ):
        for rid in letter.suggestions:
            reminders.setdefault(rid, []).append(Reminder(letter.id, letter.date, letter.doc_number))
    return [
        replace(proposal_follow_up(p, config, day, soon), reminders=tuple(reminders.get(p.id, ())))
        for p in catalog.records
        if isinstance(p, Proposal)
        and (p.date is None or p.date <= day)
        and not (isinstance(p, Motion) and p.decision and p.decision.result == "转为建议" and p.decision.date <= day)
    ]


def proposal_follow_up(
    p: Proposal, config: Config, as_of: dt.date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> OpinionFollowUp:
    """Where the suggestion or motion ``p`` stands on ``as_of``."""
    h = p.handling
    assigned = h.assigned if h and h.assigned <= as_of else None
    base: dict[str, Any] = {
        "id": p.id,
        "source": p.source,
        "title": p.title,
        "addressee": h.lead_organ if h else "",
        "report_organ": h.lead_organ if h else "",
        "date": p.date,
        "meeting": "",
        "as_of": as_of,
        "assigned": assigned,
        "kind": p.type,
        "category": p.category,
        "co_organs": h.co_organs if h else (),
        "supervised_by": h.supervised_by if h else None,
    }
    if not p.is_final:
        return OpinionFollowUp(**base, status=Status.DRAFT)
    if h is None or assigned is None:
        return OpinionFollowUp(**base, status=Status.UNASSIGNED)
    notes: list[str] = []

    def due(rule_name: str, start: dt.date) -> tuple[dt.date | None, dt.date | None]:
        rule = config.deadline_rule(rule_name)
        if rule is None:  # pragma: no cover - the typed config gives these rules defaults
            notes.append(f"renda.yaml 没有期限规则 deadlines.{rule_name}（{RULE_LABELS[rule_name]}）")
            return None, None
        return due_on_calendar(start, rule, notes)

    if h.deadline is not None:
        on, nominal = due_on_calendar(h.deadline, None, notes)
        first = Round(1, "deadline", None, on, nominal_due=nominal)
    else:
        extended = h.extension_approved is not None and h.extension_approved <= as_of
        rule = "suggestion_extended" if extended else "suggestion_answer"
        on, nominal = due(rule, assigned)
        first = Round(1, rule, assigned, on, nominal_due=nominal)
    rounds = [first]
    answer_class = None
    for handled in h.rounds:
        answer = handled.answer if handled.answer and handled.answer.date <= as_of else None
        if answer is None:
            break
        answer_class = answer.answer_class
        ev = handled.evaluation if handled.evaluation and handled.evaluation.date <= as_of else None
        current = rounds[-1]
        rounds[-1] = replace(
            current,
            received=answer.date,
            evaluation=ev.result if ev else None,
            evaluation_date=ev.date if ev else None,
        )
        if ev is None or ev.result in SATISFACTORY:
            break
        on, nominal = due("suggestion_rehandle", ev.date)
        rounds.append(Round(current.number + 1, "suggestion_rehandle", ev.date, on, nominal_due=nominal))
    if isinstance(p, Motion):
        notes.extend(_missing_progress(p, config, as_of))
    return OpinionFollowUp(
        **base,
        status=status_of(rounds[-1], as_of, due_soon_days),
        rounds=tuple(rounds),
        notes=tuple(dict.fromkeys(notes)),
        answer_class=answer_class,
    )


def _missing_progress(m: Motion, config: Config, as_of: dt.date) -> list[str]:
    """Each supervised year whose progress report is overdue on ``as_of``."""
    if not m.accepted or m.decision is None:
        return []
    first = m.decision.date.year
    years = config.proposals.supervise_years + config.proposals.follow_years
    reported = {r.year for r in m.progress if r.date <= as_of}
    return [
        f"缺少 {year} 年度办理进展报告（应在 {year + 1} 年 1 月底前报送）"
        for year in range(first, first + years)
        if year not in reported and as_of > dt.date(year + 1, 1, 31)
    ]
