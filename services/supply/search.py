"""What a member of the public asks of the job supply list (岗位供给清单): which county, which trade, the lowest
wage they would take, and the order (soonest start first, or best wage first); and how the page words each job.

Pure: rows come from :func:`services.readmodels.supply_views.rows` (fields ``source``, ``county``, ``trade``,
``wage_low``, ``wage_unit``, ``date``, ``start``, ``where``, ``place``). A query is parsed from the page's query
string; each broken filter is a :class:`~services.errors.FieldError` with its rule code:

- ``county_unknown`` (``county``), ``trade_unknown`` (``trade``): not a county or trade of the city;
- ``wage_min_format`` (``wage_min``): not a whole number of 元/天 from 0 to :data:`WAGE_MIN_LIMIT`;
- ``sort_unknown`` (``sort``): neither ``start`` nor ``wage``.

Wages compare per day: a monthly wage counts as its amount ÷ :data:`PAID_DAYS_PER_MONTH` (21.75, the paid days
of a month of the labour law's wage rules), an hourly wage × :data:`HOURS_PER_DAY`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from services import geography, trades
from services.errors import FieldError, InvalidInput

Sort = Literal["start", "wage"]
SORTS: tuple[Sort, ...] = ("start", "wage")
PAID_DAYS_PER_MONTH = Decimal("21.75")
HOURS_PER_DAY = 8
WAGE_MIN_LIMIT = 100_000
UNITS_ZH = {"day": "元/天", "month": "元/月", "hour": "元/小时"}
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclasses.dataclass(frozen=True, slots=True)
class SupplyQuery:
    """Filters and order. ``None`` filters everything in; the default order is the soonest start first."""

    county: str | None = None
    trade: str | None = None
    wage_min: int | None = None
    sort: Sort = "start"

    @property
    def filtered(self) -> bool:
        return self.county is not None or self.trade is not None or self.wage_min is not None


def _given(query: Mapping[str, str], name: str) -> str | None:
    raw = query.get(name, "").strip()
    return raw or None


def parse_query(query: Mapping[str, str]) -> SupplyQuery:
    """The query of ``?county=&trade=&wage_min=&sort=`` (empty means any); :class:`InvalidInput` naming every
    broken filter otherwise."""
    errors: list[FieldError] = []
    county = _given(query, "county")
    if county is not None and county not in geography.COUNTIES_BY_CODE:
        errors.append(FieldError("county", "county_unknown", "没有这个区县", "no such county"))
    trade = _given(query, "trade")
    if trade is not None and trade not in trades.TRADES_BY_CODE:
        errors.append(FieldError("trade", "trade_unknown", "没有这个工种", "no such trade"))
    wage_raw = _given(query, "wage_min")
    wage_min: int | None = None
    if wage_raw is not None:
        if wage_raw.isascii() and wage_raw.isdigit() and int(wage_raw) <= WAGE_MIN_LIMIT:
            wage_min = int(wage_raw)
        else:
            errors.append(
                FieldError(
                    "wage_min",
                    "wage_min_format",
                    f"最低工资请填 0 到 {WAGE_MIN_LIMIT} 之间的整数（元/天）",
                    f"lowest wage: a whole number of yuan a day from 0 to {WAGE_MIN_LIMIT}",
                )
            )
    sort_raw = _given(query, "sort") or "start"
    sort: Sort = "start"
    if sort_raw == "wage":
        sort = "wage"
    elif sort_raw != "start":
        errors.append(FieldError("sort", "sort_unknown", "排序只能按开工时间或按工资", "sort by start or by wage only"))
    if errors:
        raise InvalidInput(errors)
    return SupplyQuery(county=county, trade=trade, wage_min=wage_min, sort=sort)


def day_wage(amount: int, unit: str) -> Decimal:
    """``amount`` in ``unit`` (``day``, ``month``, ``hour``) as yuan a day, for comparing and sorting."""
    if unit == "month":
        return Decimal(amount) / PAID_DAYS_PER_MONTH
    if unit == "hour":
        return Decimal(amount * HOURS_PER_DAY)
    return Decimal(amount)


def _matches(row: Mapping[str, Any], query: SupplyQuery) -> bool:
    if query.county is not None and row["county"] != query.county:
        return False
    if query.trade is not None and row["trade"] != query.trade:
        return False
    return query.wage_min is None or day_wage(row["wage_low"], row["wage_unit"]) >= query.wage_min


def select(rows: Iterable[Mapping[str, Any]], query: SupplyQuery) -> list[Mapping[str, Any]]:
    """The rows ``query`` lets in, soonest start first (``start``) or highest wage a day first (``wage``, then
    soonest start); ties keep the list's own order."""
    kept = [row for row in rows if _matches(row, query)]
    if query.sort == "wage":
        return sorted(kept, key=lambda row: (-day_wage(row["wage_low"], row["wage_unit"]), row["date"], row["start"]))
    return sorted(kept, key=lambda row: (row["date"], row["start"]))


def date_zh(day: str) -> str:
    """``2026-12-07`` as ``12月7日（周一）``."""
    found = date.fromisoformat(day)
    return f"{found.month}月{found.day}日（{WEEKDAYS_ZH[found.weekday()]}）"


def how_to_apply(row: Mapping[str, Any]) -> tuple[str, str]:
    """Where and how to apply for the job of ``row``, in Chinese and in English.

    A gig request: at the market's self-service kiosk (自助机) on the day, before the start; a fair position: at the
    fair's venue on its date."""
    when = f"{date_zh(row['date'])} {row['start']}"
    if row["source"] == "fair":
        return (
            f"{when}到{row['place']}参加{row['fair_title']}，到“{row['employer']}”展位现场应聘",
            f"go to the fair at {row['place']} on {row['date']} at {row['start']} and apply at the employer's booth",
        )
    county = geography.COUNTIES_BY_CODE.get(row["county"])
    county_zh = county.name_zh if county else ""
    return (
        f"{when}开工前，到{county_zh}{row['where'].removeprefix(county_zh)}的自助机登记（带身份证），"
        "选这个工种，等市场派工",
        f"check in at the self-service kiosk of {row['where_en']} (bring your ID card) before the start, "
        "choose this trade and wait for the market's offer",
    )
