"""代表建议 (suggestions, criticisms and opinions) and 议案 (motions): the record model of the second loop.

A deputy raises it (lead deputy and co-signers), the office assigns it (交办) to a lead organ (主办) and
co-organs (会办), the organ answers (class A/B/C), the lead deputy evaluates; 不满意 sends it back for another
round (重新办理).  A motion is also decided on by the 主席团 (列入议程 or 转为建议) and, when accepted, reported
on every year while it is supervised.  Parsing is pure, like :mod:`archive.records`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from archive.records import Block, Record, envelope_fields, parse_body

PROPOSAL_TYPES: tuple[str, ...] = ("suggestion", "motion")
ANSWER_CLASSES: Mapping[str, str] = {
    "A": "已经解决或基本解决",
    "B": "正在解决或列入计划逐步解决",
    "C": "因条件限制暂时不能解决",
}
BETWEEN_SESSIONS = "闭会期间"


@dataclass(frozen=True)
class Answer:
    date: dt.date
    answer_class: str  # A / B / C
    doc_number: str | None = None
    summary: str | None = None
    file: str | None = None
    sha256: str | None = None  # of the file, when the organ uploaded it on the platform


@dataclass(frozen=True)
class DeputyEvaluation:
    date: dt.date
    result: str  # 满意 / 基本满意 / 不满意
    note: str | None = None


@dataclass(frozen=True)
class HandlingRound:
    """One answer the organ owes: round 0 after 交办, then one per 重新办理."""

    answer: Answer | None = None
    evaluation: DeputyEvaluation | None = None


@dataclass(frozen=True)
class Contact:
    date: dt.date
    kind: str
    note: str | None = None


@dataclass(frozen=True)
class Handling:
    assigned: dt.date
    lead_organ: str
    co_organs: tuple[str, ...] = ()
    deadline: dt.date | None = None
    extension_approved: dt.date | None = None
    extension_reason: str | None = None
    supervised_by: str | None = None  # 重点督办 led by
    supervised_on: dt.date | None = None  # when the 主任会议 chose it for 重点督办
    contacts: tuple[Contact, ...] = ()
    rounds: tuple[HandlingRound, ...] = (HandlingRound(),)

    @property
    def organs(self) -> tuple[str, ...]:
        return (self.lead_organ, *self.co_organs)


@dataclass(frozen=True, kw_only=True)
class Proposal(Record):
    """What a suggestion and a motion share."""

    number: int
    session: int | None  # 第N次会议; None between sessions (闭会期间)
    lead: str
    cosigners: tuple[str, ...] = ()
    category: str
    body: tuple[Block, ...] = ()
    handling: Handling | None = None
    public: bool = False

    @property
    def signers(self) -> tuple[str, ...]:
        return (self.lead, *self.cosigners)

    @property
    def final_answer(self) -> Answer | None:
        answers = [r.answer for r in self.handling.rounds if r.answer] if self.handling else []
        return answers[-1] if answers else None

    @property
    def final_evaluation(self) -> DeputyEvaluation | None:
        evaluations = [r.evaluation for r in self.handling.rounds if r.evaluation] if self.handling else []
        return evaluations[-1] if evaluations else None


@dataclass(frozen=True, kw_only=True)
class Suggestion(Proposal):
    from_motion: str | None = None


@dataclass(frozen=True)
class MotionDecision:
    date: dt.date
    result: str  # 列入议程 / 转为建议
    suggestion: str | None = None


@dataclass(frozen=True)
class ProgressReport:
    year: int
    date: dt.date
    summary: str
    reported_to: str | None = None


@dataclass(frozen=True, kw_only=True)
class Motion(Proposal):
    delegation: str | None = None
    decision: MotionDecision | None = None
    progress: tuple[ProgressReport, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.decision is not None and self.decision.result == "列入议程"


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value)


def _answer(raw: Mapping[str, Any] | None) -> Answer | None:
    if not raw:
        return None
    return Answer(
        _date(raw["date"]), raw["class"], raw.get("doc_number"), raw.get("summary"), raw.get("file"), raw.get("sha256")
    )


def _evaluation(raw: Mapping[str, Any] | None) -> DeputyEvaluation | None:
    return DeputyEvaluation(_date(raw["date"]), raw["result"], raw.get("note")) if raw else None


def _handling(raw: Mapping[str, Any] | None) -> Handling | None:
    if not raw:
        return None
    rounds = [HandlingRound(_answer(raw.get("answer")), _evaluation(raw.get("evaluation")))]
    rounds += [
        HandlingRound(_answer(r.get("answer")), _evaluation(r.get("evaluation"))) for r in raw.get("rehandling", ())
    ]
    extension = raw.get("extension")
    supervision = raw.get("supervision")
    return Handling(
        assigned=_date(raw["assigned"]),
        lead_organ=raw["lead_organ"],
        co_organs=tuple(raw.get("co_organs", ())),
        deadline=_date(raw["deadline"]) if raw.get("deadline") else None,
        extension_approved=_date(extension["approved"]) if extension else None,
        extension_reason=extension.get("reason") if extension else None,
        supervised_by=supervision["by"] if supervision else None,
        supervised_on=_date(supervision["date"]) if supervision and supervision.get("date") else None,
        contacts=tuple(Contact(_date(c["date"]), c["kind"], c.get("note")) for c in raw.get("contacts", ())),
        rounds=tuple(rounds),
    )


def _common(data: Mapping[str, Any]) -> dict[str, Any]:
    session = data["session"]
    return {
        "number": data["number"],
        "session": session if isinstance(session, int) else None,
        "lead": data["lead"],
        "cosigners": tuple(data.get("cosigners", ())),
        "category": data["category"],
        "body": parse_body(data.get("body")),
        "handling": _handling(data.get("handling")),
        "public": bool(data.get("public", False)),
    }


def parse_proposal(data: Mapping[str, Any], source: str) -> Proposal:
    """A suggestion or motion from data that already passed its schema."""
    base = envelope_fields(data, source)
    if data["type"] == "suggestion":
        return Suggestion(**base, **_common(data), from_motion=data.get("from_motion"))
    raw = data.get("decision")
    decision = MotionDecision(_date(raw["date"]), raw["result"], raw.get("suggestion")) if raw else None
    progress = tuple(
        ProgressReport(p["year"], _date(p["date"]), p["summary"], p.get("reported_to"))
        for p in data.get("progress", ())
    )
    return Motion(**base, **_common(data), delegation=data.get("delegation"), decision=decision, progress=progress)


def assigned_to(records: Iterable[Record], organ: str) -> list[Proposal]:
    """The suggestions and motions ``organ`` handles (主办 or 会办; the name or part of it), oldest first."""
    return _ordered(p for p in _proposals(records) if p.handling and any(organ in n for n in p.handling.organs))


def raised_by(records: Iterable[Record], deputy: str) -> tuple[list[Proposal], list[Proposal]]:
    """The suggestions and motions ``deputy`` (a registry id) led and those they co-signed, oldest first."""
    proposals = list(_proposals(records))
    return _ordered(p for p in proposals if p.lead == deputy), _ordered(p for p in proposals if deputy in p.cosigners)


def _proposals(records: Iterable[Record]) -> Iterator[Proposal]:
    return (r for r in records if isinstance(r, Proposal))


def _ordered(proposals: Iterable[Proposal]) -> list[Proposal]:
    return sorted(proposals, key=lambda p: (p.date or dt.date.min, p.type, p.number, p.id))
