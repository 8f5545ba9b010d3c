"""The public job supply list (岗位供给清单): live, or as it stood at Monday 00:00 of an ISO week.

``GET /api/v1/supply?week=2026-W48`` (JSON), ``GET /exports/supply.csv`` and the page ``GET /supply``. Public:
the rows hold employers, trades, positions, wages, dates and places — no personal data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway.operation import Operation, Param
from gateway.problems import dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views.reports import csv_response
from gateway.wire.common import IsoWeek
from gateway.wire.reports import SupplyList
from services import clock, geography, trades
from services.errors import FieldError, InvalidInput
from services.fairs import quotas
from services.readmodels import supply_views as sv
from services.readmodels.views import load
from services.reports import export, labels, periods
from services.supply import search as supply_search
from web import i18n


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


SUPPLY = Operation(
    "GET",
    "/api/v1/supply",
    "supply",
    "The public job supply list (岗位供给清单): live, or the weekly list as of Monday 00:00",
    handler=get_supply,
    response=SupplyList,
    tags=("reports",),
    params=(Param("week", IsoWeek, checked=True, description="an ISO week already begun"),),
)


async def get_supply_csv(request: web.Request) -> web.Response:
    """``GET /exports/supply.csv?week=`` (public): Chinese headers and names (零工市场 / 招聘会, 钟山区)."""
    answer = await supply_list(request)
    name = answer["week"] or clock.local_date(request.app[CLOCK]()).isoformat()
    headers, rows = labels.supply_table(answer["rows"])
    return csv_response(export.to_csv(rows, headers, {}), f"supply-{name}.csv")


# ---------------------------------------------------------------- the page (filters, sort, how to apply)

#: Weeks offered by the page's week picker: this one and the ones before it.
WEEKS_OFFERED = 8


def _week_label(week: quotas.Period, lang: labels.Lang = "zh_CN") -> str:
    """``2026年第48周（11月23日—11月29日）``: the ISO week in words with its dates (English: the dashboard's
    ``23 Nov – 29 Nov 2026 (week 48)``)."""
    if lang == "en":
        return labels.period_label("week", week, "en")
    year, number = week.code.split("-W")
    first, last = week.first_day, week.last_day
    return f"{year}年第{int(number)}周（{first.month}月{first.day}日—{last.month}月{last.day}日）"


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _local_time(at: datetime, lang: labels.Lang = "zh_CN") -> str:
    """``11月26日 08:30`` (English ``26 Nov 08:30``): an instant as the local date and time."""
    local = at.astimezone(clock.ZONE)
    if lang == "en":
        return f"{local.day} {MONTHS_EN[local.month - 1]} {local:%H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _card(row: Mapping[str, Any], county_names: Mapping[str, str]) -> dict[str, Any]:
    apply_zh, apply_en = supply_search.how_to_apply(row)
    return {
        **row,
        "county_zh": county_names.get(row["county"], ""),
        "date_zh": supply_search.date_zh(row["date"]),
        "apply_zh": apply_zh,
        "apply_en": apply_en,
    }


def _refused(request: web.Request, refused: InvalidInput) -> web.Response:
    """The friendly page for a bad week or filter: each rule in words, Chinese first, and a way back."""
    errors = [_in_words(e) for e in refused.errors]
    return aiohttp_jinja2.render_template("supply_refused.html", request, {"errors": errors}, status=422)


#: A person picks a week from the list; a week that is not one (a hand-made or old link) is said in words, without
#: the ISO week code the API's answer shows as the format.
_WEEK_IN_WORDS = {
    "message_zh": "没有这一周的岗位清单，请看本周或从列表中选一周",
    "message_en": "There is no list for that week: see this week's, or pick a week from the list",
}


def _in_words(error: FieldError) -> FieldError:
    return dataclasses.replace(error, **_WEEK_IN_WORDS) if error.rule == "period_format" else error


async def supply_page(request: web.Request) -> web.Response:
    """``GET /supply?week=&county=&trade=&wage_min=&sort=`` (public page): cards on a phone, a table on a laptop;
    a bad week or filter answers 422 with a page saying which and why (``period_format``, ``county_unknown``,
    ``trade_unknown``, ``wage_min_format``, ``sort_unknown``), never JSON."""
    try:
        query = supply_search.parse_query(request.query)
        answer = await supply_list(request)
    except InvalidInput as refused:
        return _refused(request, refused)
    county_names = {c.code: c.name_zh for c in geography.COUNTIES}
    lang: labels.Lang = "en" if i18n.language(request) == "en" else "zh_CN"
    now = request.app[CLOCK]()
    this_week = quotas.iso_week(clock.local_date(now))
    weeks = [quotas.iso_week(this_week.first_day - timedelta(days=7 * n)) for n in range(WEEKS_OFFERED)]
    shown = supply_search.select(answer["rows"], query)
    week = periods.parse_period("week", answer["week"], "week") if answer["week"] else None
    context = {
        **answer,
        "rows": [_card(row, county_names) for row in shown],
        "summary": sv.summary(shown),
        "total": answer["summary"],
        "query": query,
        "week_label": _week_label(week, lang) if week else None,
        "as_of_local": _local_time(datetime.fromisoformat(answer["as_of"]), lang),
        "weeks": [(w.code, _week_label(w, lang)) for w in weeks],
        "counties": geography.COUNTIES,
        "trades": trades.TRADES,
        "query_string": request.query_string,
    }
    return aiohttp_jinja2.render_template("supply.html", request, context)


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (SUPPLY,)
