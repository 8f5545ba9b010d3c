"""The public job supply list (岗位供给清单): live, or as it stood at Monday 00:00 of an ISO week.

``GET /api/v1/supply?week=2026-W48`` (JSON), ``GET /exports/supply.csv`` and the page ``GET /supply``. Public:
the rows hold employers, trades, positions, wages, dates and places — no personal data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway.problems import dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views.reports import csv_response
from services import clock, geography, quotas
from services.readmodels import supply_views as sv
from services.readmodels.views import load
from services.reports import export, periods

COLUMNS = ("source", "county", "where", "employer", "trade_zh", "positions", "wage", "date", "time", "place")
HEADERS = {
    "source": "来源 source",
    "county": "县区 county",
    "where": "市场/招聘会 where",
    "employer": "用人单位 employer",
    "trade_zh": "工种/岗位 trade",
    "positions": "空缺人数 open positions",
    "wage": "工资 wage",
    "date": "日期 date",
    "time": "时间 time",
    "place": "地点 place",
}


async def supply_list(request: web.Request) -> dict[str, Any]:
    """The list: live (no ``week``), or the snapshot of ``week`` (an ISO week already begun)."""
    prefix = request.app[SETTINGS].topic_prefix
    redis = request.app[REDIS]
    now = request.app[CLOCK]()
    gig_keys, fair_keys = sv.supply_sources(prefix)
    live = [load(v) for v in await redis.mget([*gig_keys, *fair_keys])]
    week_code = request.query.get("week")
    if week_code is None:
        grace = timedelta(minutes=request.app[SETTINGS].late_start_grace_minutes)
        rows = sv.rows(live[: len(gig_keys)], live[len(gig_keys) :], now, grace)
        return {"week": None, "as_of": now.isoformat(), "summary": sv.summary(rows), "rows": rows}
    week = periods.parse_period("week", week_code, "week")
    this_week = quotas.iso_week(clock.local_date(now))
    if week.first_day > this_week.first_day:
        week = this_week  # a week not yet begun has no snapshot: show this week's
    names = [sv.snapshot_key(prefix, week.code, k[len(prefix) :]) for k in [*gig_keys, *fair_keys]]
    snapshots = [load(v) for v in await redis.mget(names)]
    views = [
        sv.snapshot_or_live(snap, view, week, sv.gig_open_at if i < len(gig_keys) else sv.fair_open_at)
        for i, (snap, view) in enumerate(zip(snapshots, live, strict=True))
    ]
    rows = sv.rows(views[: len(gig_keys)], views[len(gig_keys) :], week.start)
    return {"week": week.code, "as_of": week.start.isoformat(), "summary": sv.summary(rows), "rows": rows}


async def get_supply(request: web.Request) -> web.Response:
    """``GET /api/v1/supply?week=`` (public)."""
    return web.json_response(await supply_list(request), dumps=dumps)


async def get_supply_csv(request: web.Request) -> web.Response:
    """``GET /exports/supply.csv?week=`` (public)."""
    answer = await supply_list(request)
    name = answer["week"] or clock.local_date(request.app[CLOCK]()).isoformat()
    return csv_response(export.to_csv(answer["rows"], COLUMNS, HEADERS), f"supply-{name}.csv")


@aiohttp_jinja2.template("supply.html")
async def supply_page(request: web.Request) -> dict[str, Any]:
    """``GET /supply?week=`` (public page)."""
    answer = await supply_list(request)
    names = {c.code: c.name_zh for c in geography.COUNTIES}
    return {**answer, "week_code": request.query.get("week", ""), "county_names": names}
