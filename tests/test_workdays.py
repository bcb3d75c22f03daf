"""archive.workdays: deadlines on the official holiday calendar (chinese-calendar)."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.workdays import (
    CalendarError,
    add_months,
    add_working_days,
    calendar_years,
    due_date,
    is_working_day,
    roll_forward,
)
from archive.workspace import DeadlineRule

D = dt.date


def test_the_calendar_covers_every_year_of_the_sample_terms() -> None:
    first, last = calendar_years()

    assert first <= 2016
    assert last >= 2026


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 10, 1), False),  # National Day
        (D(2024, 10, 7), False),
        (D(2024, 10, 8), True),  # Tuesday after the holiday
        (D(2024, 9, 29), True),  # Sunday, make-up working day (调休)
        (D(2024, 10, 12), True),  # Saturday, make-up working day
        (D(2024, 10, 13), False),  # an ordinary Sunday
        (D(2025, 1, 26), True),  # Sunday before Spring Festival 2025, make-up working day
        (D(2025, 1, 29), False),  # Spring Festival
    ],
)
def test_working_days_follow_the_state_council_notice(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_a_deadline_on_national_day_moves_to_the_next_working_day() -> None:
    assert roll_forward(D(2024, 10, 1)) == D(2024, 10, 8)
    assert roll_forward(D(2024, 10, 8)) == D(2024, 10, 8)


def test_months_keep_the_day_or_clamp_to_the_month_end() -> None:
    assert add_months(D(2024, 7, 1), 3) == D(2024, 10, 1)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert add_months(D(2023, 11, 30), 3) == D(2024, 2, 29)  # leap year
    assert add_months(D(2024, 10, 31), 14) == D(2025, 12, 31)


def test_working_days_skip_holidays_and_count_make_up_days() -> None:
    # From Friday 2024-09-27: 29th (Sun, make-up) is day 1, 30th day 2, then 1–7 Oct off, 8th day 3.
    assert add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 8)
    # The start day itself is never counted.
    assert add_working_days(D(2024, 10, 8), 1) == D(2024, 10, 9)


def test_due_date_applies_the_rule() -> None:
    assert due_date(D(2024, 7, 1), DeadlineRule(3, None, "assigned")) == D(2024, 10, 8)
    assert due_date(D(2024, 9, 27), DeadlineRule(None, 3, "assigned")) == D(2024, 10, 8)


def test_a_year_the_calendar_does_not_know_is_a_chinese_error_naming_it() -> None:
    _, last = calendar_years()

    with pytest.raises(CalendarError) as caught:
        is_working_day(D(last + 1, 3, 2))

    assert f"{last + 1}-03-02" in str(caught.value)
    assert "chinese-calendar" in str(caught.value)
