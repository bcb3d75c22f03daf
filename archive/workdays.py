"""Working days and deadlines on the official Chinese holiday calendar.

The calendar is the State Council's annual holiday notice as kept by the maintained ``chinese-calendar``
package: public holidays are days off even on a weekday, and make-up working days (调休上班) are working
days even on a Saturday or Sunday.  The package knows a fixed range of years; a date outside it raises
:class:`CalendarError` naming the year, never a guess.

How a deadline is counted (民法典 第二百零一条至第二百零三条, which local rules on 审议意见 follow):

* the start day itself is not counted;
* N months: the deadline is the same day of the month N months later, or the last day of that month when
  it has no such day (2024-11-30 + 3 months → 2025-02-28);
* N working days: the N-th working day after the start day;
* a deadline that falls on a rest day (weekend or public holiday) moves forward to the next working day:
  2024-07-01 + 3 months = 2024-10-01, National Day, so the report is due on Tuesday 2024-10-08.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cache
from typing import Any

from archive.errors import CalendarError as CalendarError
from archive.workspace import DeadlineRule

MAX_SCAN_DAYS = 60  # the longest run of rest days in any year is far shorter


@cache
def _package() -> tuple[Any, str]:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a declared dependency
        raise CalendarError("缺少节假日日历 chinese-calendar；请运行 pip install chinese-calendar") from None
    return chinese_calendar, getattr(chinese_calendar, "__version__", "?")


def calendar_years() -> tuple[int, int]:
    """The first and last year the installed calendar knows."""
    module, _ = _package()
    holidays = module.holidays
    return min(holidays).year, max(holidays).year


@cache  # a few thousand deadlines fall on the same few days; the package checks its range on every call
def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is an official working day (make-up working days included)."""
    module, version = _package()
    try:
        return bool(module.is_workday(day))
    except NotImplementedError:
        first, last = calendar_years()
        raise CalendarError(
            f"节假日日历（chinese-calendar {version}）只有 {first}—{last} 年的数据，"
            f"无法判断 {day.isoformat()} 是否为工作日；请升级：pip install -U chinese-calendar"
        ) from None


def roll_forward(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the next working day."""
    for offset in range(MAX_SCAN_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise CalendarError(f"{day.isoformat()} 之后 {MAX_SCAN_DAYS} 天内没有工作日，节假日日历数据可能有误")


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
    day, left = start, count
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def nominal_due_date(start: dt.date, rule: DeadlineRule) -> dt.date:
    """The last day of the period ``rule`` sets from ``start``, before any move off a rest day."""
    if rule.working_days is not None:
        return add_working_days(start, rule.working_days)
    if rule.months is None:  # the schema requires one of the two
        raise CalendarError("期限规则既没有 months 也没有 working_days")
    return add_months(start, rule.months)


def due_date(start: dt.date, rule: DeadlineRule) -> dt.date:
    """The deadline ``rule`` sets from ``start``, on a working day."""
    return roll_forward(nominal_due_date(start, rule))


def rule_text(rule: DeadlineRule) -> str:
    """``3个月`` / ``60个工作日``: how the rule reads in a document."""
    return f"{rule.working_days}个工作日" if rule.working_days is not None else f"{rule.months}个月"
