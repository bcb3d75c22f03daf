"""Oversight follow-up of 审议意见: due dates and where each opinion's loop stands on a reference date.

The loop (DOMAIN.md §2): 审议 → 交办 → 研究处理 → 报告 → 满意度测评.  Each opinion has one or more *rounds*:
round 1 is the first 研究处理情况报告, due by ``deadlines.opinion_report`` (or the opinion's own ``deadline``);
an evaluation of 不满意 reopens the loop and starts another round, due by ``deadlines.opinion_rereport``
counted from the evaluation date.  Deadlines are counted on the official calendar (:mod:`archive.workdays`):
a deadline on a rest day moves to the next working day.

Everything is computed *as of* a reference date: events after it are ignored, so ``--as-of 2024-09-01``
shows the state of that day.  The reference date is ``--as-of``, else ``oversight.as_of`` in renda.yaml,
else today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .catalog import Catalog
from .errors import ArchiveError
from .records import Meeting, Opinion
from .schema import date_problem
from .workdays import CalendarError, nominal_due_date, roll_forward, rule_text
from .workspace import Config, DeadlineRule

DEFAULT_DUE_SOON_DAYS = 15
SATISFACTORY = ("满意", "基本满意")
VOTE_CHOICES = ("满意", "基本满意", "不满意")
RULE_LABELS = {
    "opinion_report": "研究处理情况报告期限",
    "opinion_plan": "研究处理方案期限",
    "opinion_rereport": "不满意后再次报告期限",
}


class TrackingError(ArchiveError):
    """A follow-up question cannot be answered as asked (bad date, unknown status or organ)."""


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
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "addressee": self.addressee,
            "report_organ": self.report_organ,
            "date": _iso(self.date),
            "meeting": self.meeting,
            "assigned": _iso(self.assigned),
            "status": self.status.value,
            "status_label": self.status.label,
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
        }


@dataclass(frozen=True)
class FollowUpReport:
    """Every opinion's follow-up on ``as_of``, most urgent first."""

    as_of: dt.date
    items: tuple[OpinionFollowUp, ...]
    notes: tuple[str, ...] = ()

    def filter(self, status: str | None = None, organ: str | None = None) -> FollowUpReport:
        """Only the opinions with ``status`` (English key or Chinese label) and addressed to ``organ``."""
        items = list(self.items)
        if status is not None:
            wanted = parse_status(status)
            items = [i for i in items if i.status is wanted]
        if organ is not None:
            known = sorted({i.report_organ for i in self.items} | {i.addressee for i in self.items})
            if not any(organ in name for name in known):
                raise TrackingError(f"没有主送或报告机关为“{organ}”的审议意见；已有：{'、'.join(known) or '无'}")
            items = [i for i in items if organ in i.report_organ or organ in i.addressee]
        return FollowUpReport(self.as_of, tuple(items), self.notes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "opinions": [i.as_dict() for i in self.items],
            "notes": list(self.notes),
        }


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


# -- inputs -----------------------------------------------------------------------------------------


def parse_date_option(text: str, option: str = "--as-of") -> dt.date:
    """A date given on the command line, or :class:`TrackingError` in Chinese."""
    problem = date_problem(text.strip())
    if problem:
        raise TrackingError(f"{option} 的值{problem}")
    return dt.date.fromisoformat(text.strip())


def parse_status(text: str) -> Status:
    for status in Status:
        if text in (status.value, status.label):
            return status
    known = "、".join(f"{s.value}（{s.label}）" for s in Status)
    raise TrackingError(f"未知的状态“{text}”，可用：{known}")


def oversight_settings(config: Config) -> Mapping[str, Any]:
    """The ``oversight`` section of renda.yaml (already schema-checked), or an empty mapping."""
    section = config.raw.get("oversight")
    return section if isinstance(section, Mapping) else {}


def reference_date(config: Config, explicit: dt.date | None = None) -> dt.date:
    """``--as-of`` wins, then ``oversight.as_of`` in renda.yaml, then today."""
    if explicit is not None:
        return explicit
    configured = oversight_settings(config).get("as_of")
    return dt.date.fromisoformat(configured) if isinstance(configured, str) else dt.date.today()


# -- the computation ----------------------------------------------------------------------------------


def track_opinions(catalog: Catalog, as_of: dt.date | None = None) -> FollowUpReport:
    """The follow-up of every opinion of the catalog on the reference date, most urgent first."""
    config = catalog.workspace.config
    day = reference_date(config, as_of)
    soon = int(oversight_settings(config).get("due_soon_days", DEFAULT_DUE_SOON_DAYS))
    meetings = {r.id: r for r in catalog.records if isinstance(r, Meeting)}
    items = [
        follow_up(o, config, day, meetings, soon)
        for o in catalog.records
        if isinstance(o, Opinion) and (o.date is None or o.date <= day)
    ]
    items.sort(key=_urgency)
    notes: list[str] = []
    broken = len(catalog.files) - len(catalog.records)
    if broken:
        notes.append(f"{broken} 个记录文件有错误，未计入；运行 renda validate 查看详情")
    return FollowUpReport(day, tuple(items), tuple(notes))


def _urgency(item: OpinionFollowUp) -> tuple[int, int, str, str]:
    left = item.days_left
    due = item.due.isoformat() if item.due else "9999"
    return (item.status.urgency, left if left is not None else 1 << 30, due, item.id)


def follow_up(
    opinion: Opinion,
    config: Config,
    as_of: dt.date,
    meetings: Mapping[str, Meeting],
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> OpinionFollowUp:
    """Where ``opinion`` stands on ``as_of``: its rounds, their deadlines, and the status."""
    base: dict[str, Any] = {
        "id": opinion.id,
        "source": opinion.source,
        "title": opinion.title,
        "addressee": opinion.addressee,
        "report_organ": opinion.report_organ,
        "date": opinion.date,
        "meeting": opinion.meeting,
        "as_of": as_of,
    }
    trail = opinion.follow_up
    assigned = trail.assigned if trail.assigned and trail.assigned <= as_of else None
    if not opinion.is_final:
        return OpinionFollowUp(**base, assigned=assigned, status=Status.DRAFT)
    notes: list[str] = []

    def deadline(rule_name: str, start: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
        rule = config.deadline_rule(rule_name)
        if rule is None:
            notes.append(
                f"renda.yaml 没有期限规则 deadlines.{rule_name}（{RULE_LABELS[rule_name]}），无法计算期限；"
                "请在 renda.yaml 的 deadlines 下补充"
            )
            return None, None
        begin = _start_of(rule, start, opinion, meetings, notes)
        return _due(begin, rule, notes) if begin else (None, None)

    plan_due = deadline("opinion_plan", assigned)[0] if config.deadline_rule("opinion_plan") else None
    plan_received = trail.plan_received if trail.plan_received and trail.plan_received <= as_of else None

    if opinion.deadline is not None:
        due, nominal = _due(opinion.deadline, None, notes)
        first = Round(1, "deadline", None, due, nominal_due=nominal)
    else:
        rule = config.deadline_rule("opinion_report")
        if rule is not None and rule.start_from == "assigned" and assigned is None:
            return OpinionFollowUp(
                **base, assigned=None, status=Status.UNASSIGNED, plan_due=plan_due, plan_received=plan_received
            )
        due, nominal = deadline("opinion_report", assigned)
        first = Round(1, "opinion_report", assigned, due, nominal_due=nominal)
    rounds = [first]
    for report in trail.reports:
        if report.received > as_of:
            break
        ev = report.evaluation if report.evaluation and report.evaluation.date <= as_of else None
        current = rounds[-1]
        rounds[-1] = replace(
            current,
            received=report.received,
            evaluation=ev.result if ev else None,
            evaluation_date=ev.date if ev else None,
            votes=(ev.satisfied, ev.basically_satisfied, ev.unsatisfied) if ev else None,
        )
        if ev is None or ev.result in SATISFACTORY:
            # a later report without a 不满意 before it is a supplement, not a new round (checks.py warns)
            continue
        due, nominal = deadline("opinion_rereport", ev.date)
        rounds.append(Round(current.number + 1, "opinion_rereport", ev.date, due, nominal_due=nominal))
    status = _status(rounds[-1], as_of, due_soon_days)
    return OpinionFollowUp(
        **base,
        assigned=assigned,
        status=status,
        rounds=tuple(rounds),
        plan_due=plan_due,
        plan_received=plan_received,
        notes=tuple(dict.fromkeys(notes)),
    )


def _start_of(
    rule: DeadlineRule,
    start: dt.date | None,
    opinion: Opinion,
    meetings: Mapping[str, Meeting],
    notes: list[str],
) -> dt.date | None:
    if rule.start_from != "meeting":
        return start
    meeting = meetings.get(opinion.meeting)
    if meeting is None or meeting.date is None:
        notes.append(f"期限从审议会议之日起算，但找不到会议“{opinion.meeting}”")
        return None
    return meeting.date


def _due(start: dt.date, rule: DeadlineRule | None, notes: list[str]) -> tuple[dt.date | None, dt.date | None]:
    """The deadline on a working day, and the period's own last day when the two differ."""
    try:
        nominal = nominal_due_date(start, rule) if rule else start
    except CalendarError as exc:  # working days cannot be counted at all without the calendar
        notes.append(str(exc))
        return None, None
    try:
        due = roll_forward(nominal)
    except CalendarError as exc:  # the period's last day is known; only a holiday shift is not
        notes.append(f"{exc}；暂按 {nominal.isoformat()} 计算，未核对节假日")
        return nominal, None
    return due, (nominal if nominal != due else None)


def _status(current: Round, as_of: dt.date, due_soon_days: int) -> Status:
    if current.received is not None:
        if current.evaluation in SATISFACTORY:
            return Status.EVALUATED
        if current.on_time is None:
            return Status.NO_DEADLINE
        return Status.ANSWERED_ON_TIME if current.on_time else Status.ANSWERED_LATE
    if current.due is None:
        return Status.NO_DEADLINE
    if as_of > current.due:
        return Status.OVERDUE
    if (current.due - as_of).days <= due_soon_days:
        return Status.DUE_SOON
    return Status.PENDING


def deadline_wording(config: Config) -> str:
    """``自交办之日起3个月内``: the rule as a letter quotes it."""
    rule = config.deadline_rule("opinion_report")
    if rule is None:
        return ""
    start = {"assigned": "交办", "meeting": "审议", "evaluation": "测评"}[rule.start_from]
    return f"自{start}之日起{rule_text(rule)}内"


# -- the annual statistics ------------------------------------------------------------------------------


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


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
