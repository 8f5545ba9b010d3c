"""The quota panel of the organiser's home page: for a county and for the city, this week and this month, the
status in words (已完成 / 按计划 / 有风险 / 未完成) and what is still needed to meet it.

Computed from the scopes' fair indexes (``fairs:<scope>``, :mod:`services.readmodels.fair_views`) with the rules
of :mod:`services.fairs.quotas` at the page's instant ``now``, so the panel agrees with the fair list beside it. Only
Chinese (and English) names and local dates are produced, never county codes or ISO week codes.

- a county's **week**: the ``county_week`` rule for the ISO week of today;
- a county's **month**: the ISO weeks whose Thursday lies in this month (each belongs to one month); met when
  every one of them is met, missed when one was missed, at risk when one still has nothing scheduled;
- the city's **month**: the ``city_month`` rule (two comprehensive city-level fairs);
- the city's **week**: no rule binds the city by the week; the line counts this week's comprehensive
  city-level fairs held and still to come, toward the month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from services import clock, geography
from services.fairs import quotas

STATUS_ZH = {"met": "已完成", "on_track": "按计划", "at_risk": "有风险", "missed": "未完成"}
STATUS_EN = {"met": "met", "on_track": "on track", "at_risk": "at risk", "missed": "missed"}
_WORST_FIRST = ("missed", "at_risk", "on_track", "met")


@dataclasses.dataclass(frozen=True, slots=True)
class QuotaLine:
    """One cell of the panel: a scope in a period, its status (``None`` where no rule binds) and what is needed."""

    scope: str
    scope_zh: str
    scope_en: str
    period_zh: str
    period_en: str
    status: str | None
    held: int
    pending: int
    needed_zh: str
    needed_en: str

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status or "", "")

    @property
    def status_en(self) -> str:
        return STATUS_EN.get(self.status or "", "")


@dataclasses.dataclass(frozen=True, slots=True)
class QuotaRow:
    """A scope's week and month."""

    week: QuotaLine
    month: QuotaLine


def counted_fairs(index: Mapping[str, Any] | None) -> list[quotas.CountedFair]:
    """The fairs of a scope's index view as the quota rules see them."""
    found = []
    for entry in ((index or {}).get("fairs") or {}).values():
        found.append(
            quotas.CountedFair(
                entry["fair_id"],
                entry["level"],
                entry["kind"],
                date.fromisoformat(entry["date"]),
                date.fromisoformat(entry.get("end_date") or entry["date"]),
                entry["status"] == "cancelled",
                bool(entry.get("held")),
            )
        )
    return found


def _days_zh(period: quotas.Period) -> str:
    first, last = period.first_day, period.last_day
    return f"{first.month}月{first.day}日—{last.month}月{last.day}日"


def _days_en(period: quotas.Period) -> str:
    return f"{period.first_day:%-d %b} – {period.last_day:%-d %b}"


def _scope_names(scope: str) -> tuple[str, str]:
    if scope == quotas.CITY:
        return "市本级", "City level"
    county = geography.COUNTIES_BY_CODE[scope]
    return county.name_zh, county.name_en


def county_week(scope: str, fairs: Iterable[quotas.CountedFair], now: datetime) -> QuotaLine:
    rule = quotas.RULES_BY_CODE["county_week"]
    period = rule.period_of(clock.local_date(now))
    count = quotas.evaluate(rule, period, list(fairs), now)
    missing = max(count.target - count.held, 0)
    if count.status == "met":
        zh, en = f"本周已举办 {count.held} 场县级招聘会", f"{count.held} county-level fair(s) held this week"
    elif count.status == "missed":
        zh, en = "本周没有举办县级招聘会", "no county-level fair was held this week"
    else:
        zh = f"本周还需举办 {missing} 场县级招聘会"
        en = f"{missing} more county-level fair(s) to hold this week"
        if count.pending:
            zh += f"（已安排 {count.pending} 场）"
            en += f" ({count.pending} scheduled)"
        else:
            zh += "，还没有安排"
            en += "; none scheduled yet"
    name_zh, name_en = _scope_names(scope)
    return QuotaLine(
        scope, name_zh, name_en, f"本周（{_days_zh(period)}）", f"This week ({_days_en(period)})",
        count.status, count.held, count.pending, zh, en,
    )  # fmt: skip


def _weeks_of_month(month: quotas.Period) -> list[quotas.Period]:
    """The ISO weeks whose Thursday lies in ``month``."""
    weeks = []
    monday = month.first_day - timedelta(days=month.first_day.weekday())
    while monday <= month.last_day:
        if month.contains(monday + timedelta(days=3)):
            weeks.append(quotas.iso_week(monday))
        monday += timedelta(days=7)
    return weeks


def county_month(scope: str, fairs: Iterable[quotas.CountedFair], now: datetime) -> QuotaLine:
    rule = quotas.RULES_BY_CODE["county_week"]
    today = clock.local_date(now)
    month = quotas.calendar_month(today)
    fairs = list(fairs)
    weeks = _weeks_of_month(month)
    counts = [quotas.evaluate(rule, week, fairs, now) for week in weeks]
    statuses = {c.status for c in counts}
    status = next((s for s in _WORST_FIRST if s in statuses), "met")
    met = sum(1 for c in counts if c.status == "met")
    uncovered = sum(1 for c in counts if c.status == "at_risk")
    held, pending = sum(c.held for c in counts), sum(c.pending for c in counts)
    zh = f"本月 {len(weeks)} 周中已完成 {met} 周"
    en = f"{met} of this month's {len(weeks)} weeks met"
    if uncovered:
        zh += f"，还有 {uncovered} 周没有安排县级招聘会"
        en += f"; {uncovered} week(s) with no county-level fair scheduled"
    missed = sum(1 for c in counts if c.status == "missed")
    if missed:
        zh += f"，{missed} 周未完成"
        en += f"; {missed} week(s) missed"
    name_zh, name_en = _scope_names(scope)
    return QuotaLine(
        scope, name_zh, name_en, f"本月（{month.first_day.month}月）", f"This month ({month.first_day:%B})",
        status, held, pending, zh, en,
    )  # fmt: skip


def city_month(fairs: Iterable[quotas.CountedFair], now: datetime) -> QuotaLine:
    rule = quotas.RULES_BY_CODE["city_month"]
    period = rule.period_of(clock.local_date(now))
    count = quotas.evaluate(rule, period, list(fairs), now)
    missing = max(count.target - count.held, 0)
    if count.status == "met":
        zh = f"本月已举办 {count.held} 场市级综合性招聘会"
        en = f"{count.held} comprehensive city-level fairs held this month"
    elif count.status == "missed":
        zh = f"本月只举办了 {count.held} 场市级综合性招聘会（应为 {count.target} 场）"
        en = f"only {count.held} of {count.target} comprehensive city-level fairs held this month"
    else:
        zh = f"本月还需举办 {missing} 场市级综合性招聘会（已安排 {count.pending} 场）"
        en = f"{missing} more comprehensive city-level fair(s) to hold this month ({count.pending} scheduled)"
    return QuotaLine(
        quotas.CITY, "市本级", "City level", f"本月（{period.first_day.month}月）",
        f"This month ({period.first_day:%B})", count.status, count.held, count.pending, zh, en,
    )  # fmt: skip


def city_week(fairs: Iterable[quotas.CountedFair], now: datetime) -> QuotaLine:
    rule = quotas.RULES_BY_CODE["city_month"]
    today = clock.local_date(now)
    week = quotas.iso_week(today)
    counted = [f for f in fairs if rule.counts(f) and not f.cancelled and week.contains(f.first_day)]
    held = sum(1 for f in counted if f.held)
    pending = sum(1 for f in counted if not f.held and f.last_day >= today)
    return QuotaLine(
        quotas.CITY, "市本级", "City level", f"本周（{_days_zh(week)}）", f"This week ({_days_en(week)})", None,
        held, pending,
        f"本周已举办 {held} 场、还将举办 {pending} 场市级综合性招聘会（按月考核）",
        f"{held} comprehensive city-level fair(s) held and {pending} to come this week (counted by the month)",
    )  # fmt: skip


def panel(indexes: Mapping[str, Mapping[str, Any] | None], county: str | None, now: datetime) -> list[QuotaRow]:
    """The rows of the panel: the organiser's county (every county for city-wide staff), then the city."""
    scopes = [county] if county else list(quotas.COUNTY_SCOPES)
    rows = []
    for scope in scopes:
        fairs = counted_fairs(indexes.get(scope))
        rows.append(QuotaRow(county_week(scope, fairs, now), county_month(scope, fairs, now)))
    city = counted_fairs(indexes.get(quotas.CITY))
    rows.append(QuotaRow(city_week(city, now), city_month(city, now)))
    return rows
