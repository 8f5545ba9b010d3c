"""Working days by the State Council's holiday calendar (国务院办公厅 放假安排), make-up working days included.

The source is the PyPI package ``chinesecalendar`` (imported as ``chinese_calendar``), which ships each year's
notice as data; 1.11.0 covers 2004 to 2026. A working day is a Monday to Friday that is not a holiday, or a
weekend day the notice makes a working day (调休上班, e.g. Sunday 2026-09-20).

**Its limit, loudly:** a date in a year the package does not cover is refused with :class:`CalendarNotCovered`;
it is never guessed at as a plain Monday-to-Friday week (that would put deadlines on 春节 or 国庆). When the State
Council publishes the next year's notice (usually in November), upgrade the package (``make lock``) before the
first deadline that reaches into that year; :func:`covered_years` says what is known now.

Deadlines count whole working days *after* the day of the event: "within 3 working days" of a registration made
on Wednesday 2026-09-30 ends at the end of Saturday 2026-10-10 (8, 9 and 10 October, the 10th a make-up working
day). An event on a rest day starts counting from the next working day the same way.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _official


class CalendarNotCovered(ValueError):
    """The date lies in a year whose State Council holiday notice the calendar does not hold."""

    def __init__(self, day: date) -> None:
        first, last = covered_years()
        super().__init__(
            f"{day.isoformat()}: the working-day calendar covers {first}-{last} only; "
            "upgrade chinesecalendar once the State Council's notice for that year is out"
        )
        self.day = day


@cache
def covered_years() -> tuple[int, int]:
    """The first and last year whose official holiday notice the package holds."""
    years = {d.year for d in _official.holidays} | {d.year for d in _official.workdays}
    return min(years), max(years)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day; raises :class:`CalendarNotCovered` outside :func:`covered_years`."""
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarNotCovered(day)
    return bool(chinese_calendar.is_workday(day))


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself never counted; ``count`` ≥ 1).

    Raises :class:`CalendarNotCovered` when the walk reaches a year the calendar does not hold.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    current = day
    left = count
    while left:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days lie in (``start``, ``end``]: 0 when ``end`` ≤ ``start``."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
