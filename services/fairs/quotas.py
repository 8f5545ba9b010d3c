"""Job-fair quotas ("周周有招聘", plan clause 35 and 附件4 (十六)) as a table of rules.

- ``county_week``: every county (钟山区, 六枝特区, 盘州市, 水城区, 六盘水高新区) holds at least one
  county-level fair in every ISO week, Monday to Sunday;
- ``city_month``: the city (市本级) holds at least two comprehensive city-level fairs in every calendar month.

A county fair never counts toward the city's monthly quota, and a city fair never toward a county's week:
each scope (a county, or ``"city"``) has its own rule. Every boundary is Asia/Shanghai; a fair belongs to the
period of the local date on which it starts, and counts as *held* once attendance was recorded.

Status of a period at an instant ``now``:

- ``met``: at least ``target`` fairs held;
- ``missed``: the period is over and it is not met;
- ``on_track``: held fairs plus fairs still to come (not cancelled, not yet held, last day not past) reach
  the target;
- ``at_risk``: they do not ("nothing scheduled in the days left").

Nothing here reads the clock: ``now`` is a parameter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal

from services import clock, geography
from services.fairs.records import QuotaPolicy, QuotaStatus

CITY = "city"
COUNTY_SCOPES: tuple[str, ...] = tuple(c.code for c in geography.COUNTIES)
#: Every partition key of ``fair-commands``: the city and the five counties.
SCOPES: tuple[str, ...] = (CITY, *COUNTY_SCOPES)
STATUSES: tuple[QuotaStatus, ...] = ("met", "on_track", "at_risk", "missed")
DEFAULT_POLICY = QuotaPolicy()


@dataclasses.dataclass(frozen=True, slots=True)
class Period:
    """A quota period: local calendar days ``first_day`` to ``last_day`` inclusive, named by ``code``."""

    code: str
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        """The instant (UTC) the period begins: local midnight of its first day."""
        return clock.local_midnight_utc(self.first_day)

    @property
    def end(self) -> datetime:
        """The instant (UTC) the period is over: local midnight after its last day."""
        return clock.local_midnight_utc(self.last_day + timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def iso_week(day: date) -> Period:
    """The ISO 8601 week (Monday to Sunday) of a local date, coded ``2026-W53``.

    The ISO year can differ from the calendar year: 2027-01-01 is in ``2026-W53``, 2025-12-29 in ``2026-W01``.
    """
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    return Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=6))


def calendar_month(day: date) -> Period:
    """The calendar month of a local date, coded ``2027-03``."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(f"{day.year}-{day.month:02d}", first, following - timedelta(days=1))


@dataclasses.dataclass(frozen=True, slots=True)
class CountedFair:
    """What a quota rule needs to know of a fair. Days are local dates of its start and end."""

    fair_id: str
    level: Literal["city", "county"]
    kind: str
    first_day: date
    last_day: date
    cancelled: bool
    held: bool


def _weekly_warning(period: Period, policy: QuotaPolicy) -> datetime:
    day = period.first_day + timedelta(days=policy.warn_weekday - 1)
    return clock.local_midnight_utc(day) + timedelta(hours=policy.warn_hour)


def _monthly_warning(period: Period, policy: QuotaPolicy) -> datetime:
    day = period.first_day.replace(day=min(policy.warn_month_day, period.last_day.day))
    return clock.local_midnight_utc(day) + timedelta(hours=policy.warn_hour)


@dataclasses.dataclass(frozen=True, slots=True)
class QuotaRule:
    """One quota: which scopes it binds, which fairs count, its period and target, when to warn."""

    code: str
    name_zh: str
    name_en: str
    binds: Callable[[str], bool]
    counts: Callable[[CountedFair], bool]
    period_of: Callable[[date], Period]
    target: int
    warn_at: Callable[[Period, QuotaPolicy], datetime]


QUOTA_RULES: tuple[QuotaRule, ...] = (
    QuotaRule(
        code="county_week",
        name_zh="各县（市、特区、区）每周至少开展1次招聘活动",
        name_en="every county holds at least one fair in every ISO week",
        binds=lambda scope: scope in COUNTY_SCOPES,
        counts=lambda fair: fair.level == "county",
        period_of=iso_week,
        target=1,
        warn_at=_weekly_warning,
    ),
    QuotaRule(
        code="city_month",
        name_zh="市本级每月至少开展2次综合性招聘活动",
        name_en="the city holds at least two comprehensive city-level fairs in every calendar month",
        binds=lambda scope: scope == CITY,
        counts=lambda fair: fair.level == "city" and fair.kind == "comprehensive",
        period_of=calendar_month,
        target=2,
        warn_at=_monthly_warning,
    ),
)
RULES_BY_CODE: Mapping[str, QuotaRule] = MappingProxyType({q.code: q for q in QUOTA_RULES})


def rules_for(scope: str) -> tuple[QuotaRule, ...]:
    """The rules that bind ``scope`` (a county code or ``"city"``)."""
    return tuple(q for q in QUOTA_RULES if q.binds(scope))


@dataclasses.dataclass(frozen=True, slots=True)
class QuotaCount:
    status: QuotaStatus
    held: int
    pending: int
    target: int


def evaluate(rule: QuotaRule, period: Period, fairs: Iterable[CountedFair], now: datetime) -> QuotaCount:
    """The status of ``period`` under ``rule`` at the instant ``now`` (aware), from the scope's fairs."""
    today = clock.local_date(now)
    counted = [f for f in fairs if rule.counts(f) and not f.cancelled and period.contains(f.first_day)]
    held = sum(1 for f in counted if f.held)
    pending = sum(1 for f in counted if not f.held and f.last_day >= today)
    status: QuotaStatus
    if held >= rule.target:
        status = "met"
    elif now >= period.end:
        status = "missed"
    elif held + pending >= rule.target:
        status = "on_track"
    else:
        status = "at_risk"
    return QuotaCount(status, held, pending, rule.target)


def periods_through(rule: QuotaRule, after: date | None, until: date, limit: int) -> Iterator[Period]:
    """The periods after the one holding ``after`` up to the one holding ``until`` (the last ``limit``).

    With ``after`` ``None``, only the period of ``until``. Used to walk the clock forward without gaps.
    """
    last = rule.period_of(until)
    if after is None:
        yield last
        return
    found: list[Period] = []
    period = rule.period_of(after)
    while period.last_day < last.last_day:
        period = rule.period_of(period.last_day + timedelta(days=1))
        found.append(period)
        if len(found) > limit:
            del found[0]
    yield from found


def should_warn(rule: QuotaRule, period: Period, count: QuotaCount, policy: QuotaPolicy, now: datetime) -> bool:
    """True when the period is at risk and ``now`` lies between its warning moment and its end."""
    return count.status == "at_risk" and rule.warn_at(period, policy) <= now < period.end
