"""Where each opinion's loop stands on the reference date: the rounds, their deadlines, the status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from archive.catalog import Catalog
from archive.followup.model import (
    DEFAULT_DUE_SOON_DAYS,
    RULE_LABELS,
    SATISFACTORY,
    FollowUpReport,
    OpinionFollowUp,
    Reminder,
    Round,
    Status,
    TrackingError,
)
from archive.records import Letter, Meeting, Opinion
from archive.schema import date_problem
from archive.workdays import CalendarError, nominal_due_date, roll_forward, rule_text
from archive.workspace import Config, DeadlineRule, OversightSettings


def parse_date_option(text: str, option: str = "--as-of") -> dt.date:
    """A date given on the command line, or :class:`TrackingError` in Chinese."""
    problem = date_problem(text.strip())
    if problem:
        raise TrackingError(f"{option} 的值无效：{problem}")
    return dt.date.fromisoformat(text.strip())


def oversight_settings(config: Config) -> OversightSettings:
    """The ``oversight`` section of renda.yaml (already schema-checked; every field optional)."""
    return config.oversight


def reference_date(config: Config, explicit: dt.date | None = None) -> dt.date:
    """``--as-of`` wins, then ``oversight.as_of`` in renda.yaml, then today."""
    if explicit is not None:
        return explicit
    return config.oversight.as_of or dt.date.today()


# -- the computation ----------------------------------------------------------------------------------


def track_opinions(catalog: Catalog, as_of: dt.date | None = None) -> FollowUpReport:
    """The follow-up of every opinion of the catalog on the reference date, most urgent first."""
    config = catalog.workspace.config
    day = reference_date(config, as_of)
    configured = config.oversight.due_soon_days
    soon = DEFAULT_DUE_SOON_DAYS if configured is None else configured
    meetings = {r.id: r for r in catalog.records if isinstance(r, Meeting)}
    reminders: dict[str, list[Reminder]] = {}
    for letter in sorted(
        (r for r in catalog.records if isinstance(r, Letter) and r.opinion and (r.date is None or r.date <= day)),
        key=lambda r: (r.date or dt.date.min, r.id),
    ):
        reminders.setdefault(str(letter.opinion), []).append(Reminder(letter.id, letter.date, letter.doc_number))
    items = [
        replace(follow_up(o, config, day, meetings, soon), reminders=tuple(reminders.get(o.id, ())))
        for o in catalog.records
        if isinstance(o, Opinion) and (o.date is None or o.date <= day)
    ]
    items.sort(key=urgency_key)
    notes: list[str] = []
    broken = len(catalog.files) - len(catalog.records)
    if broken:
        notes.append(f"{broken} 个记录文件有错误，未计入；运行 renda validate 查看详情")
    if catalog.skipped:
        notes.append(f"跳过了 {len(catalog.skipped)} 个符号链接，未计入；运行 renda validate 查看详情")
    return FollowUpReport(day, tuple(items), tuple(notes))


def urgency_key(item: OpinionFollowUp) -> tuple[int, int, str, str]:
    """Most urgent first: by status, then days left (most overdue first), due date, id."""
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

    def deadline(rule_name: str, start: dt.date | None) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
        """The day the rule counts from, the deadline, and the period's own last day if it was moved."""
        rule = config.deadline_rule(rule_name)
        if rule is None:
            notes.append(
                f"renda.yaml 没有期限规则 deadlines.{rule_name}（{RULE_LABELS[rule_name]}），无法计算期限；"
                "请在 renda.yaml 的 deadlines 下补充"
            )
            return start, None, None
        begin = _start_of(rule, start, opinion, meetings, notes)
        return (begin, *due_on_calendar(begin, rule, notes)) if begin else (start, None, None)

    plan_due = deadline("opinion_plan", assigned)[1] if config.deadline_rule("opinion_plan") else None
    plan_received = trail.plan_received if trail.plan_received and trail.plan_received <= as_of else None

    if opinion.deadline is not None:
        due, nominal = due_on_calendar(opinion.deadline, None, notes)
        first = Round(1, "deadline", None, due, nominal_due=nominal)
    else:
        rule = config.deadline_rule("opinion_report")
        if rule is not None and rule.start_from == "assigned" and assigned is None:
            return OpinionFollowUp(
                **base, assigned=None, status=Status.UNASSIGNED, plan_due=plan_due, plan_received=plan_received
            )
        begin, due, nominal = deadline("opinion_report", assigned)
        first = Round(1, "opinion_report", begin, due, nominal_due=nominal)
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
        begin, due, nominal = deadline("opinion_rereport", ev.date)
        rounds.append(Round(current.number + 1, "opinion_rereport", begin, due, nominal_due=nominal))
    status = status_of(rounds[-1], as_of, due_soon_days)
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


def due_on_calendar(
    start: dt.date, rule: DeadlineRule | None, notes: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """The deadline on a working day, and the period's own last day when the two differ (the one deadline rule
    of every follow-up: opinions, suggestions and motions)."""
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


def status_of(current: Round, as_of: dt.date, due_soon_days: int) -> Status:
    """The status of an item whose open (or last) round is ``current``."""
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
