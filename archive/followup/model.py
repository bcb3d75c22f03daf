"""The follow-up's values: statuses, rounds, one opinion's state and the whole report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from archive.errors import TrackingError as TrackingError

DEFAULT_DUE_SOON_DAYS = 15
SATISFACTORY = ("满意", "基本满意")
VOTE_CHOICES = ("满意", "基本满意", "不满意")
RULE_LABELS = {
    "opinion_report": "研究处理情况报告期限",
    "opinion_plan": "研究处理方案期限",
    "opinion_rereport": "不满意后再次报告期限",
    "suggestion_answer": "建议答复期限",
    "suggestion_extended": "延期后的答复期限",
    "suggestion_rehandle": "重新办理的答复期限",
}


class Status(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NO_DEADLINE = "no_deadline"
    PENDING = "pending"
    UNASSIGNED = "unassigned"
    ANSWERED_LATE = "answered_late"
    ANSWERED_ON_TIME = "answered_on_time"
    EVALUATED = "evaluated"
    DRAFT = "draft"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def urgency(self) -> int:
        """0 is the most urgent: the order of ``Status`` itself."""
        return list(Status).index(self)


STATUS_LABELS: Mapping[Status, str] = {
    Status.OVERDUE: "已逾期",
    Status.DUE_SOON: "即将到期",
    Status.NO_DEADLINE: "期限未定",
    Status.PENDING: "待报告",
    Status.UNASSIGNED: "待交办",
    Status.ANSWERED_LATE: "逾期报告待测评",
    Status.ANSWERED_ON_TIME: "按期报告待测评",
    Status.EVALUATED: "已测评",
    Status.DRAFT: "草稿",
}


# A suggestion or motion is answered (答复) and evaluated by its deputy (评价), not reported on and voted on.
PROPOSAL_STATUS_LABELS: Mapping[Status, str] = {
    **STATUS_LABELS,
    Status.PENDING: "待答复",
    Status.ANSWERED_LATE: "逾期答复待评价",
    Status.ANSWERED_ON_TIME: "按期答复待评价",
    Status.EVALUATED: "已评价",
}
KIND_LABELS: Mapping[str, str] = {"opinion": "审议意见", "suggestion": "代表建议", "motion": "议案"}
KIND_ALIASES: Mapping[str, str] = {
    **{k: k for k in KIND_LABELS},
    **{label: k for k, label in KIND_LABELS.items()},
    "意见": "opinion",
    "建议": "suggestion",
}


@dataclass(frozen=True)
class Round:
    """One report the addressee owes: round 1 the first, round 2 after the first 不满意, …"""

    number: int
    rule: str  # opinion_report / opinion_rereport, or "deadline" when the opinion sets its own date
    start: dt.date | None
    due: dt.date | None
    received: dt.date | None = None
    evaluation: str | None = None  # 满意 / 基本满意 / 不满意
    evaluation_date: dt.date | None = None
    votes: tuple[int, int, int] | None = None  # 满意, 基本满意, 不满意
    nominal_due: dt.date | None = None  # the period's last day when it fell on a rest day and moved to ``due``

    @property
    def on_time(self) -> bool | None:
        if self.received is None or self.due is None:
            return None
        return self.received <= self.due

    @property
    def days_late(self) -> int | None:
        if self.received is None or self.due is None:
            return None
        return max(0, (self.received - self.due).days)

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "rule": self.rule,
            "start": _iso(self.start),
            "due": _iso(self.due),
            "received": _iso(self.received),
            "on_time": self.on_time,
            "days_late": self.days_late,
            "evaluation": self.evaluation,
            "evaluation_date": _iso(self.evaluation_date),
            "votes": dict(zip(VOTE_CHOICES, self.votes, strict=True)) if self.votes else None,
            "nominal_due": _iso(self.nominal_due),
        }


@dataclass(frozen=True)
class Reminder:
    """A 催办函 on file for an opinion (a ``letter`` record)."""

    id: str
    date: dt.date | None
    doc_number: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": _iso(self.date), "doc_number": self.doc_number}


@dataclass(frozen=True)
class OpinionFollowUp:
    """Where one opinion's loop stands on ``as_of``."""

    id: str
    source: str
    title: str
    addressee: str
    report_organ: str
    date: dt.date | None
    meeting: str
    assigned: dt.date | None
    status: Status
    as_of: dt.date
    rounds: tuple[Round, ...] = ()
    plan_due: dt.date | None = None
    plan_received: dt.date | None = None
    notes: tuple[str, ...] = ()
    reminders: tuple[Reminder, ...] = ()  # 催办函 sent by ``as_of``, oldest first
    # a suggestion or motion (addressee and report_organ are then its 主办单位, meeting is empty)
    kind: str = "opinion"
    category: str | None = None
    co_organs: tuple[str, ...] = ()
    supervised_by: str | None = None  # 重点督办
    answer_class: str | None = None  # A / B / C of the latest answer

    @property
    def status_label(self) -> str:
        return (STATUS_LABELS if self.kind == "opinion" else PROPOSAL_STATUS_LABELS)[self.status]

    def handled_by(self, organ: str) -> bool:
        """Whether ``organ`` (part of a name) is the addressee, the reporting organ, or a 主办/会办 unit."""
        return any(organ in name for name in (self.report_organ, self.addressee, *self.co_organs))

    @property
    def current(self) -> Round | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def due(self) -> dt.date | None:
        return self.current.due if self.current else None

    @property
    def reopened(self) -> bool:
        return len(self.rounds) > 1

    @property
    def first_on_time(self) -> bool | None:
        """Whether the first report came by its deadline (None: not yet, or no deadline)."""
        return self.rounds[0].on_time if self.rounds else None

    @property
    def days_left(self) -> int | None:
        """Days from ``as_of`` to the open deadline; negative when overdue; None when nothing is owed."""
        current = self.current
        if current is None or current.due is None or current.received is not None:
            return None
        return (current.due - self.as_of).days

    def as_dict(self) -> dict[str, Any]:
        current = self.current
        out = {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "addressee": self.addressee,
            "report_organ": self.report_organ,
            "date": _iso(self.date),
            "meeting": self.meeting,
            "assigned": _iso(self.assigned),
            "status": self.status.value,
            "status_label": self.status_label,
            "due": _iso(self.due),
            "received": _iso(current.received if current else None),
            "on_time": current.on_time if current else None,
            "first_on_time": self.first_on_time,
            "days_left": self.days_left,
            "reopened": self.reopened,
            "evaluation": current.evaluation if current else None,
            "plan_due": _iso(self.plan_due),
            "plan_received": _iso(self.plan_received),
            "rounds": [r.as_dict() for r in self.rounds],
            "notes": list(self.notes),
            "reminders": [r.as_dict() for r in self.reminders],
            "kind": self.kind,
        }
        if self.kind != "opinion":
            out |= {
                "category": self.category,
                "lead_organ": self.addressee,
                "co_organs": list(self.co_organs),
                "supervised_by": self.supervised_by,
                "answer_class": self.answer_class,
            }
        return out


@dataclass(frozen=True)
class FollowUpReport:
    """Every opinion's follow-up on ``as_of``, most urgent first."""

    as_of: dt.date
    items: tuple[OpinionFollowUp, ...]
    notes: tuple[str, ...] = ()

    def filter(
        self,
        status: str | None = None,
        organ: str | None = None,
        kind: str | None = None,
        category: str | None = None,
        supervised: bool = False,
    ) -> FollowUpReport:
        """Only the items with ``status`` (English key or Chinese label), addressed or assigned to ``organ`` (主送,
        报告机关, 主办 or 会办), of ``kind`` (opinion/suggestion/motion or 审议意见/建议/议案), in ``category``, and
        under 重点督办 when ``supervised``."""
        items = list(self.items)
        if kind is not None:
            wanted_kind = parse_kind(kind)
            items = [i for i in items if i.kind == wanted_kind]
        if status is not None:
            wanted = parse_status(status)
            items = [i for i in items if i.status is wanted]
        if organ is not None:
            known = sorted({n for i in self.items for n in (i.report_organ, i.addressee, *i.co_organs)})
            if not any(organ in name for name in known):
                raise TrackingError(
                    f"没有主送或报告机关、承办单位为“{organ}”的审议意见、建议或议案；已有：{'、'.join(known) or '无'}"
                )
            items = [i for i in items if i.handled_by(organ)]
        if category is not None:
            categories = sorted({i.category for i in self.items if i.category})
            if category not in categories:
                raise TrackingError(f"没有类别为“{category}”的建议或议案；已有：{'、'.join(categories) or '无'}")
            items = [i for i in items if i.category == category]
        if supervised:
            items = [i for i in items if i.supervised_by]
        return FollowUpReport(self.as_of, tuple(items), self.notes)

    def overdue(self) -> FollowUpReport:
        """Only the opinions overdue on ``as_of``: those a 催办函 is written for."""
        return FollowUpReport(self.as_of, tuple(i for i in self.items if i.status is Status.OVERDUE), self.notes)

    @property
    def sources(self) -> tuple[str, ...]:
        """The records the report shows: each opinion and the sitting that issued it."""
        return tuple(dict.fromkeys(x for i in self.items for x in (i.id, i.meeting) if x))

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "opinions": [i.as_dict() for i in self.items if i.kind == "opinion"],
            "suggestions": [i.as_dict() for i in self.items if i.kind == "suggestion"],
            "motions": [i.as_dict() for i in self.items if i.kind == "motion"],
            "notes": list(self.notes),
        }


def parse_kind(text: str) -> str:
    kind = KIND_ALIASES.get(text.strip())
    if kind is None:
        known = "、".join(f"{k}（{label}）" for k, label in KIND_LABELS.items())
        raise TrackingError(f"未知的类型“{text}”，可用：{known}")
    return kind


def parse_status(text: str) -> Status:
    for status in Status:
        if text in (status.value, status.label, PROPOSAL_STATUS_LABELS[status]):
            return status
    known = "、".join(f"{s.value}（{s.label}）" for s in Status)
    raise TrackingError(f"未知的状态“{text}”，可用：{known}")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
