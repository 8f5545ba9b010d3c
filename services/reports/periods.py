"""Report periods: a local day, an ISO week, a calendar month or a quarter, all in Asia/Shanghai time.

An instant belongs to the period of its local date (:func:`services.clock.local_date`): 2026-11-29T15:59:59Z is
Sunday 23:59:59 in Liupanshui (``2026-W48``), one second later it is Monday (``2026-W49``).
Codes: ``2026-11-26`` (day), ``2026-W48`` (ISO week; the ISO year may differ from the calendar year),
``2026-11`` (month), ``2026-Q4`` (quarter). Rule code of :func:`parse_period`: ``period_format``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Literal

from services import clock
from services.errors import FieldError, InvalidInput
from services.fairs import quotas
from services.fairs.quotas import Period

Kind = Literal["day", "week", "month", "quarter"]
KINDS: tuple[Kind, ...] = ("day", "week", "month", "quarter")

#: The years a period may name (the OpenAPI document's patterns say the same).
YEARS = range(2000, 2100)
_YEAR = "20[0-9]{2}"
_LEAP_YEARS = "20(?:[02468][048]|[13579][26])"
_LONG_YEARS = "|".join(str(y) for y in YEARS if date(y, 12, 28).isocalendar()[1] == 53)

#: Patterns of the codes (ASCII digits only, no spaces: exactly what ``parse_period`` accepts), unanchored.
DAY_PATTERN = (
    f"{_YEAR}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|{_YEAR}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    f"|{_YEAR}-02-(?:0[1-9]|1[0-9]|2[0-8])|{_LEAP_YEARS}-02-29"
)
WEEK_PATTERN = f"{_YEAR}-W(?:0[1-9]|[1-4][0-9]|5[0-2])|(?:{_LONG_YEARS})-W53"
MONTH_PATTERN = f"{_YEAR}-(?:0[1-9]|1[0-2])"
QUARTER_PATTERN = f"{_YEAR}-Q[1-4]"
PATTERNS: dict[Kind, str] = {
    "day": DAY_PATTERN,
    "week": WEEK_PATTERN,
    "month": MONTH_PATTERN,
    "quarter": QUARTER_PATTERN,
}
_COMPILED = {kind: re.compile(pattern) for kind, pattern in PATTERNS.items()}


def day_period(day: date) -> Period:
    return Period(day.isoformat(), day, day)


def quarter(day: date) -> Period:
    """The calendar quarter of a local date, coded ``2026-Q4``."""
    index = (day.month - 1) // 3
    first = date(day.year, index * 3 + 1, 1)
    last = quotas.calendar_month(date(day.year, index * 3 + 3, 1)).last_day
    return Period(f"{day.year}-Q{index + 1}", first, last)


def period_of(kind: Kind, day: date) -> Period:
    """The period of ``kind`` that holds the local date ``day``."""
    if kind == "day":
        return day_period(day)
    if kind == "week":
        return quotas.iso_week(day)
    if kind == "month":
        return quotas.calendar_month(day)
    return quarter(day)


def period_at(kind: Kind, at: datetime) -> Period:
    """The period of ``kind`` holding the instant ``at`` (aware), by its Asia/Shanghai date."""
    return period_of(kind, clock.local_date(at))


def days(period: Period) -> Iterator[date]:
    """Every local date of ``period``, first to last."""
    day = period.first_day
    while day <= period.last_day:
        yield day
        day += timedelta(days=1)


def _bad(field: str, kind: str) -> InvalidInput:
    examples = {"day": "2026-11-26", "week": "2026-W48", "month": "2026-11", "quarter": "2026-Q4"}
    return InvalidInput(
        FieldError(
            field,
            "period_format",
            f"{kind} 期间的写法应为 {examples.get(kind, '2026-11-26')}",
            f"a {kind} period is written like {examples.get(kind, '2026-11-26')}",
        )
    )


def parse_kind(raw: object, field: str = "period") -> Kind:
    """A period kind (``day``, ``week``, ``month``, ``quarter``); rule ``period_kind`` otherwise."""
    for kind in KINDS:
        if raw == kind:
            return kind
    raise InvalidInput(
        FieldError(
            field,
            "period_kind",
            "期间类型应为 day、week、month 或 quarter",
            "period must be one of day, week, month, quarter",
        )
    )


def parse_period(kind: Kind, raw: object, field: str = "at") -> Period:
    """The period of ``kind`` named by the code ``raw`` (matching :data:`PATTERNS`); :class:`InvalidInput`
    (``period_format``) otherwise."""
    text = raw if isinstance(raw, str) else ""
    if _COMPILED[kind].fullmatch(text):
        year = int(text[:4])
        if kind == "day":
            return day_period(date(year, int(text[5:7]), int(text[8:10])))
        if kind == "week":
            return quotas.iso_week(date.fromisocalendar(year, int(text[6:8]), 1))
        if kind == "month":
            return quotas.calendar_month(date(year, int(text[5:7]), 1))
        return quarter(date(year, (int(text[6]) - 1) * 3 + 1, 1))
    raise _bad(field, kind)
