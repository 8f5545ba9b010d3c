"""The grade (四级) at every boundary, on the Asia/Shanghai date; the categories (三类)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.jobseekers.grade import (
    GRADE_ORDER,
    Category,
    Grade,
    add_months,
    first_day_of,
    grade_at,
    grade_on,
    next_crossing,
)

S, MS, ML, L = Grade.SHORT, Grade.MID_SHORT, Grade.MID_LONG, Grade.LONG


@pytest.mark.parametrize(
    ("registered", "today", "grade"),
    [
        # the day itself and exactly one month: short-term
        (date(2026, 3, 10), date(2026, 3, 10), S),
        (date(2026, 3, 10), date(2026, 4, 10), S),
        # one month and one day: mid-short
        (date(2026, 3, 10), date(2026, 4, 11), MS),
        # six months exactly: still mid-short; and a day: mid-long
        (date(2026, 3, 10), date(2026, 9, 10), MS),
        (date(2026, 3, 10), date(2026, 9, 11), ML),
        # twelve months exactly: still mid-long; and a day: long-term
        (date(2025, 3, 10), date(2026, 3, 10), ML),
        (date(2025, 3, 10), date(2026, 3, 11), L),
        # month ends: 31 January + 1 month is the last day of February
        (date(2026, 1, 31), date(2026, 2, 28), S),
        (date(2026, 1, 31), date(2026, 3, 1), MS),
        (date(2024, 1, 31), date(2024, 2, 29), S),
        (date(2024, 1, 31), date(2024, 3, 1), MS),
        # 31 August + 6 months = 28 February; 31 March + 6 months = 30 September
        (date(2025, 8, 31), date(2026, 2, 28), MS),
        (date(2025, 8, 31), date(2026, 3, 1), ML),
        (date(2026, 3, 31), date(2026, 9, 30), MS),
        (date(2026, 3, 31), date(2026, 10, 1), ML),
        # 29 February: + 12 months is 28 February of the next year
        (date(2024, 2, 29), date(2025, 2, 28), ML),
        (date(2024, 2, 29), date(2025, 3, 1), L),
        (date(2024, 2, 29), date(2024, 3, 29), S),
        (date(2024, 2, 29), date(2024, 3, 30), MS),
        # a short month start: 30 November + 3 months... and 28 February + 1 month = 28 March
        (date(2026, 2, 28), date(2026, 3, 28), S),
        (date(2026, 2, 28), date(2026, 3, 29), MS),
        # year ends
        (date(2025, 12, 31), date(2026, 1, 31), S),
        (date(2025, 12, 31), date(2026, 2, 1), MS),
        (date(2025, 12, 31), date(2026, 12, 31), ML),
        (date(2025, 12, 31), date(2027, 1, 1), L),
    ],
)
def test_boundaries(registered: date, today: date, grade: Grade) -> None:
    assert grade_on(registered, today) is grade


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 5, 31), 1) == date(2026, 6, 30)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    with pytest.raises(ValueError):
        add_months(date(2026, 1, 1), -1)


def test_grade_is_on_the_shanghai_date() -> None:
    registered = date(2026, 3, 31)
    # 2026-04-30 15:59 UTC is 23:59 on 30 April in Liupanshui: one month exactly, short-term
    assert grade_at(registered, datetime(2026, 4, 30, 15, 59, tzinfo=UTC)) is S
    # 16:00 UTC the same UTC day is already 1 May there: one month and a day
    assert grade_at(registered, datetime(2026, 4, 30, 16, 0, tzinfo=UTC)) is MS
    with pytest.raises(ValueError):
        grade_at(registered, datetime(2026, 4, 30, 16, 0))


def test_no_grade_before_registering() -> None:
    with pytest.raises(ValueError):
        grade_on(date(2026, 3, 10), date(2026, 3, 9))


def test_names() -> None:
    assert [g.zh for g in GRADE_ORDER] == ["短期", "中短期", "中长期", "长期"]
    assert {c.zh for c in Category} == {"具备初级技能", "缺乏基本技能", "存在就业困难"}


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def _months_between_reached(registered: date, today: date) -> tuple[int, bool]:
    """Whole calendar months reached by ``today`` and whether ``today`` is past that exact anniversary.

    An independent formulation: count months by year and month, then compare days, treating a registration day
    the month lacks as that month's last day.
    """
    months = (today.year - registered.year) * 12 + today.month - registered.month
    anniversary_day = min(registered.day, calendar.monthrange(today.year, today.month)[1])
    if today.day < anniversary_day:
        months -= 1
        past = True
    else:
        past = today.day > anniversary_day
    return months, past


@given(dates, st.integers(min_value=0, max_value=800))
def test_grade_agrees_with_month_counting(registered: date, days: int) -> None:
    today = registered + timedelta(days=days)
    months, past = _months_between_reached(registered, today)
    expected = (
        S
        if months < 1 or (months == 1 and not past)
        else (
            MS
            if months < 6 or (months == 6 and not past)
            else (ML if months < 12 or (months == 12 and not past) else L)
        )
    )
    assert grade_on(registered, today) is expected


@given(dates, st.integers(min_value=0, max_value=800))
def test_grade_never_goes_back(registered: date, days: int) -> None:
    today = registered + timedelta(days=days)
    assert GRADE_ORDER.index(grade_on(registered, today)) <= GRADE_ORDER.index(
        grade_on(registered, today + timedelta(days=1))
    )


@given(dates, st.sampled_from(GRADE_ORDER[1:]))
def test_first_day_of_a_grade_is_the_day_after_the_bound(registered: date, grade: Grade) -> None:
    first = first_day_of(registered, grade)
    assert grade_on(registered, first) is grade
    assert grade_on(registered, first - timedelta(days=1)) is GRADE_ORDER[GRADE_ORDER.index(grade) - 1]


@given(dates, st.integers(min_value=0, max_value=800))
def test_next_crossing_is_the_next_change(registered: date, days: int) -> None:
    today = registered + timedelta(days=days)
    crossing = next_crossing(registered, today)
    if crossing is None:
        assert grade_on(registered, today) is L
        return
    day, grade = crossing
    assert day > today
    assert grade_on(registered, day) is grade
    assert grade_on(registered, day - timedelta(days=1)) is grade_on(registered, today)


@given(dates, st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)))
def test_grade_at_uses_utc_plus_8(registered: date, at: datetime) -> None:
    local = (at + timedelta(hours=8)).date()
    if local < registered:
        with pytest.raises(ValueError):
            grade_at(registered, at)
    else:
        assert grade_at(registered, at) is grade_on(registered, local)
