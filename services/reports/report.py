"""A report for one period and one dimension, assembled from the day ledgers the caller loaded.

:func:`ledger_days` says which local dates to load (the period's, and for the annual targets the year's up to
the period's end); :func:`build` computes the answer. ``county`` restricts every figure to one county.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from services.fairs.quotas import Period
from services.reports import figures, periods

NOTES = {
    "wage_paid_rate": "已付工资（用工单位记录已付或工人确认收到）÷ 完工的上岗，按上岗当日计 / placements with "
    "the wage recorded paid (employer) or received (worker) ÷ placements completed, on the placement's day",
    "time_to_fill": "从需求发布到每一次上岗的秒数，最近秩百分位 / seconds from a request's opening to each "
    "placement, nearest-rank percentiles",
    "boundaries": "日、周、月、季度均按北京时间（Asia/Shanghai）划分 / day, week, month and quarter boundaries "
    "are Asia/Shanghai time",
}


def year_days(period: Period) -> list[date]:
    """The local dates from 1 January of the period's last year to its last day (the targets' year to date)."""
    first = date(period.last_day.year, 1, 1)
    return list(periods.days(Period("ytd", first, period.last_day)))


def _in_county(ledgers: Iterable[dict[str, Any]], county: str | None, field: str) -> list[dict[str, Any]]:
    return [x for x in ledgers if county is None or x.get(field) == county]


def describe(kind: periods.Kind, period: Period) -> dict[str, Any]:
    return {
        "kind": kind,
        "code": period.code,
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def build(
    *,
    kind: periods.Kind,
    period: Period,
    dimension: figures.Dimension,
    markets: Iterable[dict[str, Any]],
    fair_days: Iterable[dict[str, Any]],
    year_markets: Iterable[dict[str, Any]],
    targets: Mapping[str, int],
    county: str | None = None,
) -> dict[str, Any]:
    """The report: rows by ``dimension`` with a total, the annual targets' progress, and notes."""
    chosen = _in_county(markets, county, "county")
    fairs = _in_county(fair_days, county, "scope")
    return {
        "period": describe(kind, period),
        "by": dimension,
        "county": county,
        "columns": list(figures.COLUMNS),
        "rows": figures.compute(dimension, chosen, fairs),
        "targets": figures.target_progress(_in_county(year_markets, county, "county"), targets),
        "notes": dict(NOTES),
    }
