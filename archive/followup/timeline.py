"""A suggestion's or motion's handling as one dated list, oldest first: what its record page and its JSON show.

The events come from the record (raised, the 主席团's decision, 交办, 重点督办, extension, contacts with the deputy,
each round's answer and evaluation, yearly progress reports) and from its follow-up on the reference date (each
round's deadline, the re-handling a 不满意 opened, what is still owed, 催办函 on file).  Deadlines are never
counted here: they are the follow-up's (:func:`archive.followup.proposal_follow_up`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from archive.followup.model import OpinionFollowUp, Round
from archive.proposals import ANSWER_CLASSES, Handling, HandlingRound, Motion, Proposal

# the order of events on one day: the loop's own order
KINDS = (
    "raised",
    "decision",
    "assigned",
    "supervision",
    "contact",
    "extension",
    "answer",
    "evaluation",
    "rehandling",
    "progress",
    "reminder",
    "due",
)


@dataclass(frozen=True)
class Event:
    """One step of the handling: ``text`` is its Chinese wording; ``record`` a record it names (the suggestion a
    motion became, a 催办函); ``round`` the handling round (1, 2, …) of a deadline, answer or evaluation."""

    date: dt.date | None
    kind: str
    text: str
    round: int | None = None
    record: str | None = None
    detail: str | None = None  # an answer's summary, a note: shown under the line

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "kind": self.kind,
            "text": self.text,
            "round": self.round,
            "record": self.record,
            "detail": self.detail,
        }


def proposal_timeline(p: Proposal, item: OpinionFollowUp | None) -> tuple[Event, ...]:
    """The events of ``p`` (with its follow-up ``item`` when it is followed), oldest first; undated ones (a
    重点督办 without its date) after the 交办."""
    events = [Event(p.date, "raised", "提出")] if p.date else []
    if isinstance(p, Motion):
        events += _motion(p)
    rounds = item.rounds if item else ()
    if p.handling is not None:
        events += _handling(p.handling, rounds)
    events += _owed(item)
    if item is not None:
        events += [Event(r.date, "reminder", f"催办函 {r.doc_number or r.id}", record=r.id) for r in item.reminders]
    assigned = p.handling.assigned if p.handling else None
    return tuple(sorted(events, key=lambda e: (e.date or assigned or dt.date.min, KINDS.index(e.kind))))


def _motion(m: Motion) -> list[Event]:
    events = []
    if m.decision is not None:
        into = "，按建议办理：" if m.decision.suggestion else ""
        events.append(
            Event(m.decision.date, "decision", f"主席团决定：{m.decision.result}{into}", record=m.decision.suggestion)
        )
    for report in m.progress:
        to = f"（报告{report.reported_to}）" if report.reported_to else ""
        events.append(Event(report.date, "progress", f"{report.year}年度办理进展报告{to}", detail=report.summary))
    return events


def _handling(h: Handling, rounds: tuple[Round, ...]) -> list[Event]:
    co = f"，会办单位 {'、'.join(h.co_organs)}" if h.co_organs else ""
    first = rounds[0] if rounds else None
    due = ""
    if first is not None and first.rule != "suggestion_extended":
        due = f"；答复期限 {_due(first)}"
    events = [Event(h.assigned, "assigned", f"交办：主办单位 {h.lead_organ}{co}{due}", round=1)]
    if h.supervised_by:
        events.append(Event(h.supervised_on, "supervision", f"列为重点督办，由{h.supervised_by}领衔督办"))
    if h.extension_approved is not None:
        until = f"，答复期限延至 {_due(first)}" if first is not None and first.rule == "suggestion_extended" else ""
        events.append(Event(h.extension_approved, "extension", f"同意延期答复{until}", detail=h.extension_reason))
    events += [Event(c.date, "contact", f"与代表联系（{c.kind}）", detail=c.note) for c in h.contacts]
    for n, handled in enumerate(h.rounds, 1):
        events += _round(n, handled, rounds[n - 1] if len(rounds) >= n else None)
    return events


def _round(n: int, handled: HandlingRound, owed: Round | None) -> list[Event]:
    events = []
    answer, evaluation = handled.answer, handled.evaluation
    if answer is not None:
        number = f"（{answer.doc_number}）" if answer.doc_number else ""
        meaning = ANSWER_CLASSES.get(answer.answer_class, "")
        timing = ""
        if owed is not None and owed.received == answer.date and owed.on_time is not None:
            timing = "，按期答复" if owed.on_time else f"，逾期答复 {owed.days_late} 天"
        text = f"第{n}轮答复{number}：{answer.answer_class}类（{meaning}）{timing}"
        events.append(Event(answer.date, "answer", text, round=n, detail=answer.summary))
    if evaluation is not None:
        events.append(
            Event(evaluation.date, "evaluation", f"代表评价：{evaluation.result}", round=n, detail=evaluation.note)
        )
    return events


def _owed(item: OpinionFollowUp | None) -> list[Event]:
    """The re-handling each 不满意 opened (with its deadline) and what is still owed on the reference date."""
    if item is None:
        return []
    events = [
        Event(
            r.start,
            "rehandling",
            f"代表不满意，交承办单位重新办理（第{r.number}轮），答复期限 {_due(r)}",
            round=r.number,
        )
        for r in item.rounds[1:]
    ]
    current = item.current
    if current is not None and current.received is None and current.due is not None and item.days_left is not None:
        left = item.days_left
        state = f"已逾期 {-left} 天" if left < 0 else f"还剩 {left} 天"
        events.append(
            Event(current.due, "due", f"第{current.number}轮答复期限：尚未答复（{state}）", round=current.number)
        )
    return events


def _due(r: Round) -> str:
    if r.due is None:
        return "未定"
    moved = f"（原为 {r.nominal_due.isoformat()}，逢节假日顺延）" if r.nominal_due else ""
    return r.due.isoformat() + moved
