"""The plan's "四级三类" (附件3 (六) 1), exactly, on the Asia/Shanghai date.

Four grades by how long a person has been registered, counted in calendar months from the registration date:

* 短期 (``short``): 1 month or less;
* 中短期 (``mid_short``): more than 1 month, up to 6 months (6 included);
* 中长期 (``mid_long``): more than 6 months, up to 12 months (12 included);
* 长期 (``long``): more than 12 months.

"``n`` months after" a date is the same day of the month ``n`` months later, or that month's last day when it has
no such day (31 January + 1 month = 28 or 29 February; 29 February 2024 + 12 months = 28 February 2025). A
person registered on ``r`` is still in a grade on the day its bound is reached and in the next one from the day
after: registered 31 January 2026, short-term up to and including 28 February, mid-short from 1 March.

Days are always local dates in Liupanshui: :func:`grade_at` takes an aware instant and converts it, so 17:00 UTC
on 31 March is 1 April there. Three categories (三类) are a separate, staff-assessed attribute (:class:`Category`).
"""

from __future__ import annotations

import calendar as _gregorian
import enum
from datetime import date, datetime, timedelta

from services.clock import local_date


class Grade(enum.StrEnum):
    """How long someone has been registered unemployed; the order of the members is the order of time."""

    SHORT = "short"
    MID_SHORT = "mid_short"
    MID_LONG = "mid_long"
    LONG = "long"

    @property
    def zh(self) -> str:
        """The plan's Chinese name."""
        return _ZH[self]


_ZH = {Grade.SHORT: "短期", Grade.MID_SHORT: "中短期", Grade.MID_LONG: "中长期", Grade.LONG: "长期"}

#: Each grade but the last with the number of months that is its upper bound (included).
UPPER_MONTHS: tuple[tuple[Grade, int], ...] = ((Grade.SHORT, 1), (Grade.MID_SHORT, 6), (Grade.MID_LONG, 12))
GRADE_ORDER: tuple[Grade, ...] = (Grade.SHORT, Grade.MID_SHORT, Grade.MID_LONG, Grade.LONG)


class Category(enum.StrEnum):
    """The three categories (三类), assessed by staff at registration."""

    BASIC_SKILLS = "basic_skills"
    LACKS_BASIC_SKILLS = "lacks_basic_skills"
    EMPLOYMENT_DIFFICULTY = "employment_difficulty"

    @property
    def zh(self) -> str:
        """The plan's Chinese name."""
        return {
            Category.BASIC_SKILLS: "具备初级技能",
            Category.LACKS_BASIC_SKILLS: "缺乏基本技能",
            Category.EMPLOYMENT_DIFFICULTY: "存在就业困难",
        }[self]


def add_months(day: date, months: int) -> date:
    """The date ``months`` calendar months after ``day`` (``months`` ≥ 0), clamped to the month's last day."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))


def grade_on(registered: date, today: date) -> Grade:
    """The grade on the local date ``today`` of a registration made on the local date ``registered``.

    Raises :class:`ValueError` when ``today`` is before ``registered`` (no grade before registering).
    """
    if today < registered:
        raise ValueError(f"{today} is before the registration on {registered}")
    for grade, months in UPPER_MONTHS:
        if today <= add_months(registered, months):
            return grade
    return Grade.LONG


def grade_at(registered: date, at: datetime) -> Grade:
    """The grade at the aware instant ``at`` (its Asia/Shanghai date); naive instants raise :class:`ValueError`."""
    return grade_on(registered, local_date(at))


def first_day_of(registered: date, grade: Grade) -> date:
    """The first local date on which a registration made on ``registered`` is in ``grade``."""
    if grade is Grade.SHORT:
        return registered
    previous = GRADE_ORDER[GRADE_ORDER.index(grade) - 1]
    months = dict(UPPER_MONTHS)[previous]
    return add_months(registered, months) + timedelta(days=1)


def next_crossing(registered: date, today: date) -> tuple[date, Grade] | None:
    """The next date (after ``today``) on which the grade changes, with the grade it changes to; ``None`` if long."""
    current = grade_on(registered, today)
    if current is Grade.LONG:
        return None
    following = GRADE_ORDER[GRADE_ORDER.index(current) + 1]
    return first_day_of(registered, following), following
