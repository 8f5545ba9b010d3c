"""Reporting, the job supply list and the live dashboard (issue 5): the answers and their query values."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from gateway.operation import Param
from gateway.wire.common import HHMM, Day, Instant
from services.fairs import quotas

# ---------------------------------------------------------------- reporting, supply list, dashboard (issue 5)

Count = Annotated[int, Meta(ge=0)]
Seconds = Annotated[int, Meta(ge=0)] | None
PeriodKind = Literal["day", "week", "month", "quarter"]
CountyOrCity = Annotated[
    str,
    Meta(description="a county code or `city`", extra_json_schema={"enum": list(quotas.SCOPES)}),
]
#: The staff's county filter of the reports and the dashboard.
STAFF_COUNTY = Param("county", CountyOrCity, checked=True, description="only this county (a county officer: their own)")


class ReportPeriod(msgspec.Struct):
    kind: PeriodKind
    code: str
    first_day: Day
    last_day: Day
    start: Instant
    end: Instant


class ReportRow(msgspec.Struct):
    """One value of the dimension (or ``total``). ``wage_paid_rate``: wages_paid / completed (null without
    completed placements), on the placement's day."""

    key: str
    checkins: Count
    unique_workers: Count
    requests: Count
    positions: Count
    offers: Count
    acceptances: Count
    placements: Count
    no_shows: Count
    completed: Count
    wages_paid: Count
    fairs_held: Count
    attendance: Count
    intents: Count
    hires: Count
    fill_rate: float | None
    time_to_fill_p50: Seconds
    time_to_fill_p90: Seconds
    wage_paid_rate: float | None


class TargetProgress(msgspec.Struct):
    target: Literal["reemployment_unemployed", "people_in_difficulty", "returnees"]
    groups: list[str]
    actual: Count
    annual_target: Count
    share: float | None


class Report(msgspec.Struct):
    """Figures of one period (Asia/Shanghai boundaries) by one dimension, with the annual targets' progress
    (distinct workers placed this year to the period's end). CSV: ``GET /exports/reports.csv``, same query."""

    period: ReportPeriod
    by: Literal["county", "market", "trade", "group"]
    county: str | None
    columns: list[str]
    rows: list[ReportRow]
    targets: list[TargetProgress]
    notes: dict[str, str]


class ListEntry(msgspec.Struct):
    worker_masked: str
    county: str
    market_id: str
    last_check_in: Day
    trades: list[str]
    groups: list[str]
    willing_to_travel: bool
    placements: Count


class OneThreeLists(msgspec.Struct):
    """The "1+3" lists of the last ``days`` local days: placed, looking (checked in, not placed), willing to
    work elsewhere. CSV: ``GET /exports/lists.csv?list=placed|looking|willing``."""

    days: Count
    first_day: Day
    last_day: Day
    county: str | None
    placed: list[ListEntry]
    looking: list[ListEntry]
    willing: list[ListEntry]


class SupplyRow(msgspec.Struct):
    source: Literal["gig", "fair"]
    id: str
    county: str
    where: str
    employer: str
    trade: str
    trade_zh: str
    trade_en: str
    positions: Annotated[int, Meta(ge=1)]
    wage: Annotated[str, Meta(description="the wage in words: `180 元/天`, `3000-4000 元/月`")]
    wage_low: Annotated[int, Meta(description="the lowest wage, yuan per `wage_unit` (the page's wage filter)")]
    wage_unit: Annotated[str, Meta(description="`day`, `month` or `hour`")]
    where_en: Annotated[str, Meta(description="the market, or the fair's title, in English")]
    date: Day
    start: Annotated[HHMM, Meta(description="local start time (the page's sort)")]
    time: str
    place: str
    hours: Annotated[int, Meta(description="a gig's hours")] | msgspec.UnsetType = msgspec.UNSET
    fair_title: Annotated[str, Meta(description="a fair's title")] | msgspec.UnsetType = msgspec.UNSET


class SupplySummary(msgspec.Struct):
    rows: Count
    positions: Count


class SupplyList(msgspec.Struct):
    """Open positions from gig requests and fairs, no personal data: live, or as of Monday 00:00 of ``week``.
    CSV: ``GET /exports/supply.csv``; page: ``GET /supply``."""

    week: str | None
    as_of: Instant
    summary: SupplySummary
    rows: list[SupplyRow]


class DashboardFigures(msgspec.Struct, forbid_unknown_fields=False):
    workers_waiting: Count
    open_positions: Count
    offers_out: Count
    fills_today: Count
    median_match_seconds: Seconds
    unpaid_placements: Annotated[Count, Meta(description="placements completed and not recorded paid in time")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    wage_disputes: Annotated[Count, Meta(description='open "没拿到工资" reports')] | msgspec.UnsetType = msgspec.UNSET


class DashboardAlert(msgspec.Struct, forbid_unknown_fields=False):
    kind: Literal[
        "quota_at_risk",
        "waiting_without_jobs",
        "unpaid_placements",
        "wage_disputes",
        "jobseeker_obligations_overdue",
    ]
    county: str
    message_zh: str
    message_en: str


class Dashboard(msgspec.Struct):
    """The live dashboard's figures now: city-wide, per county, per market; the quota board of this week and
    month; alerts. Live updates: the staff page ``GET /dashboard`` (server-sent events ``/dashboard/events``)."""

    day: Day
    as_of: Instant
    as_of_local: Annotated[str, Meta(description="the time of the figures, local HH:MM")]
    county: str | None
    city: DashboardFigures
    counties: list[dict[str, Any]]
    markets: list[dict[str, Any]]
    alerts: list[DashboardAlert]
    quota_board: list[dict[str, Any]]
    unpaid_placements: Annotated[
        dict[str, Count],
        Meta(
            description="per county: placements completed and not recorded paid after LINGONG_UNPAID_ALERT_HOURS "
            "(default 4) or past the local midnight after completion"
        ),
    ]
    wage_disputes: Annotated[
        dict[str, list[dict[str, Any]]],
        Meta(
            description='per county: open wage disputes (a worker\'s "没拿到工资" after the scheduled end, until they '
            "confirm the wage received): employer, trade, day wage, start, hours, masked ID, time reported"
        ),
    ]
