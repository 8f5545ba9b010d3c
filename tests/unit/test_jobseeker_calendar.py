"""Working days against a hand-made table of the State Council's 2025 and 2026 notices.

The table is written from the notices' content (国办发明电〔2024〕12号 for 2025, and the November 2025 notice for
2026): the holidays around 元旦, 春节, 清明, 劳动节, 端午, 中秋 and 国庆, and the weekend days made working days.
It is checked day by day against the package, and deadlines are checked across the long holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.workdays import (
    CalendarNotCovered,
    add_working_days,
    covered_years,
    is_working_day,
    working_days_between,
)


def _span(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


#: Days off by the notices (including the weekend days inside each break).
HOLIDAYS = {
    2025: (
        _span("2025-01-01", "2025-01-01")  # 元旦
        | _span("2025-01-28", "2025-02-04")  # 春节, 8 days
        | _span("2025-04-04", "2025-04-06")  # 清明
        | _span("2025-05-01", "2025-05-05")  # 劳动节
        | _span("2025-05-31", "2025-06-02")  # 端午
        | _span("2025-10-01", "2025-10-08")  # 国庆 and 中秋, 8 days
    ),
    2026: (
        _span("2026-01-01", "2026-01-03")  # 元旦
        | _span("2026-02-15", "2026-02-23")  # 春节, 9 days
        | _span("2026-04-04", "2026-04-06")  # 清明
        | _span("2026-05-01", "2026-05-05")  # 劳动节
        | _span("2026-06-19", "2026-06-21")  # 端午
        | _span("2026-09-25", "2026-09-27")  # 中秋
        | _span("2026-10-01", "2026-10-07")  # 国庆, 7 days
    ),
}

#: Weekend days made working days (调休上班).
MAKE_UP_DAYS = {
    2025: {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)},
    2026: {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    },
}


def _by_the_table(day: date) -> bool:
    if day in MAKE_UP_DAYS[day.year]:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS[day.year]


def test_the_table_is_what_the_notices_say() -> None:
    # make-up days are weekends; the breaks are as long as announced
    assert all(d.weekday() >= 5 for year in MAKE_UP_DAYS.values() for d in year)
    assert len(_span("2025-01-28", "2025-02-04")) == 8
    assert len(_span("2026-02-15", "2026-02-23")) == 9
    assert len(_span("2026-10-01", "2026-10-07")) == 7


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_the_year_agrees_with_the_package(year: int) -> None:
    day = date(year, 1, 1)
    disagreements = []
    while day.year == year:
        if is_working_day(day) != _by_the_table(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday before 春节 2025, made a working day
        (date(2025, 1, 27), True),
        (date(2025, 1, 28), False),  # 除夕
        (date(2025, 2, 4), False),
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # Saturday, made a working day
        (date(2025, 4, 4), False),  # 清明, a Friday
        (date(2025, 4, 27), True),  # Sunday before 劳动节
        (date(2025, 5, 5), False),  # Monday, still 劳动节
        (date(2025, 9, 28), True),  # Sunday before 国庆
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),  # Saturday after 国庆
        (date(2026, 1, 4), True),  # Sunday after 元旦 2026
        (date(2026, 2, 14), True),  # Saturday before 春节 2026
        (date(2026, 2, 23), False),  # Monday, last day of 春节
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday after 春节
        (date(2026, 4, 6), False),  # Monday, 清明
        (date(2026, 5, 5), False),  # Tuesday, 劳动节
        (date(2026, 5, 9), True),  # Saturday after 劳动节
        (date(2026, 9, 20), True),  # Sunday before 中秋 and 国庆
        (date(2026, 9, 25), False),  # Friday, 中秋
        (date(2026, 9, 30), True),  # Wednesday: the last working day before 国庆
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # Saturday after 国庆
        (date(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_days_around_the_long_holidays(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_registration_on_the_last_working_day_before_guoqing_2026() -> None:
    # Friday 25 September 2026 is 中秋; the last working day before 国庆 is Wednesday 30 September.
    registered = date(2026, 9, 30)
    assert not is_working_day(date(2026, 9, 25))
    assert all(not is_working_day(registered + timedelta(days=i)) for i in range(1, 8))
    # 3 working days: 8, 9 and 10 October (the 10th a make-up Saturday)
    assert add_working_days(registered, 3) == date(2026, 10, 10)
    # 5 working days: 8, 9, 10, 12, 13 October
    assert add_working_days(registered, 5) == date(2026, 10, 13)


def test_the_friday_before_the_make_up_sunday() -> None:
    # Friday 18 September 2026: Sunday the 20th is a working day, Friday the 25th is not
    assert add_working_days(date(2026, 9, 18), 3) == date(2026, 9, 22)
    assert add_working_days(date(2026, 9, 18), 5) == date(2026, 9, 24)
    assert add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 28)


def test_across_chunjie() -> None:
    # Friday 13 February 2026: the 14th is a make-up Saturday, then nine days off
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    # Monday 27 January 2025: 26 Jan was a make-up Sunday; 春节 from the 28th to 4 February
    assert add_working_days(date(2025, 1, 27), 3) == date(2025, 2, 7)
    assert add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)  # Saturday 8 February counts


def test_across_qingming_and_laodong() -> None:
    # Thursday 3 April 2025; 4-6 April off
    assert add_working_days(date(2025, 4, 3), 3) == date(2025, 4, 9)
    # Wednesday 30 April 2025: 1-5 May off
    assert add_working_days(date(2025, 4, 30), 3) == date(2025, 5, 8)
    # Thursday 30 April 2026: 1-5 May off, Saturday 9 May a working day
    assert add_working_days(date(2026, 4, 30), 5) == date(2026, 5, 11)


def test_a_registration_on_a_rest_day_counts_from_the_next_working_day() -> None:
    assert add_working_days(date(2026, 10, 3), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # Saturday to Monday


def test_years_the_package_does_not_hold_are_refused_loudly() -> None:
    first, last = covered_years()
    assert (first, last) == (2004, 2026)
    with pytest.raises(CalendarNotCovered, match="2027"):
        is_working_day(date(2027, 1, 4))
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(2003, 12, 31))
    # a deadline that walks into an uncovered year is refused, not guessed
    with pytest.raises(CalendarNotCovered):
        add_working_days(date(2026, 12, 30), 3)
    assert add_working_days(date(2026, 12, 24), 5) == date(2026, 12, 31)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30)), st.integers(min_value=1, max_value=10))
def test_add_and_count_agree(day: date, count: int) -> None:
    deadline = add_working_days(day, count)
    assert is_working_day(deadline)
    assert working_days_between(day, deadline) == count
    assert working_days_between(day, deadline - timedelta(days=1)) == count - 1
