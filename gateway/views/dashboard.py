"""The live county dashboard for staff: a JSON snapshot, the page, and server-sent events.

The projector publishes a notice on Redis pub/sub after each transaction that changed a dashboard view (or the
quota board); each SSE client waits for a notice, then at most once per ``dashboard_push_interval_seconds``
reads the views and pushes one ``dashboard`` event — notices in between are coalesced into that push, so the
page stays smooth however fast the events come. A comment line every 15 s keeps proxies from closing the stream.
When Redis goes away the pub/sub connection ends and so does the stream: the page's ``EventSource`` reconnects
and, once Redis is back, gets a fresh snapshot and notices again (tests/faults/test_redis_killed.py).
Authentication is one call, :func:`page_staff` (a staff bearer credential, else the page session).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway.auth import authenticate
from gateway.operation import Operation, declared_roles
from gateway.problems import dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import jobseekers, reports
from gateway.views.reports import county_scope, parse_county
from gateway.wire.reports import STAFF_COUNTY, Dashboard
from services import clock, geography
from services.fairs import quotas
from services.readmodels import dashboard_views as dv
from services.readmodels import fair_views, keys
from services.readmodels.views import View, load
from services.reports import labels, periods, trends
from web import i18n

KEEPALIVE_SECONDS = 15.0


page_staff = reports.staff_or_page


async def _quota_board(request: web.Request, now: datetime) -> dict[str, Any]:
    prefix = request.app[SETTINGS].topic_prefix
    redis = request.app[REDIS]
    raw = await redis.mget(
        [fair_views.quota_board_key(prefix), *(fair_views.fair_index_key(prefix, s) for s in quotas.SCOPES)]
    )
    board = load(raw[0])
    indexes = {s: load(v) for s, v in zip(quotas.SCOPES, raw[1:], strict=True)}
    today = clock.local_date(now)
    entries: list[View] = []
    for rule, period in (("county_week", quotas.iso_week(today)), ("city_month", quotas.calendar_month(today))):
        ids = fair_views.board_fair_ids(board, indexes, rule=rule, period=period.code)
        fairs = (
            {
                i: load(v)
                for i, v in zip(ids, await redis.mget([fair_views.fair_key(prefix, i) for i in ids]), strict=True)
            }
            if ids
            else {}
        )
        entries.extend(fair_views.compose_board(board, indexes, fairs, rule=rule, period=period.code)["entries"])
    return {"entries": entries}


async def snapshot(request: web.Request, county: str | None) -> dict[str, Any]:
    """Markets, counties, the city, the quota board of this week and month, and the alerts."""
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    async with request.app[REDIS].pipeline(transaction=False) as pipe:
        for market in geography.MARKETS:
            pipe.hget(dv.market_key(settings.topic_prefix, market.market_id), dv.HEAD)
        values = await pipe.execute()
    views = {m.market_id: load(v) for m, v in zip(geography.MARKETS, values, strict=True)}
    answer = dv.compose(
        views,
        clock.local_date(now).isoformat(),
        settings.dashboard_waiting_alert,
        now=now,
        unpaid_after=timedelta(hours=settings.unpaid_alert_hours),
    )
    board = await _quota_board(request, now)
    answer["quota_board"] = board["entries"]
    answer["alerts"] = [*dv.quota_alerts(board), *answer["alerts"], *await jobseekers.overdue_alerts(request)]
    if county is not None:
        answer["unpaid_placements"] = {county: answer["unpaid_placements"].get(county, 0)}
        answer["wage_disputes"] = {county: answer["wage_disputes"].get(county, [])}
        answer["markets"] = [m for m in answer["markets"] if m["county"] == county]
        answer["counties"] = [c for c in answer["counties"] if c["county"] == county]
        answer["quota_board"] = [e for e in answer["quota_board"] if e["scope"] == county]
        answer["alerts"] = [a for a in answer["alerts"] if a["county"] == county]
    answer["quota_board"] = [dv.label_board_entry(e) for e in answer["quota_board"]]
    answer["as_of"] = now.isoformat()
    answer["as_of_local"] = labels.local_hhmm(now)
    answer["county"] = county
    return answer


async def get_dashboard(request: web.Request) -> web.Response:
    """``GET /api/v1/dashboard?county=`` (staff): the dashboard's figures now."""
    principal = await authenticate(request, *declared_roles(request))
    county = county_scope(principal, parse_county(request.query.get("county")))
    return web.json_response(await snapshot(request, county), dumps=dumps)


DASHBOARD = Operation(
    "GET",
    "/api/v1/dashboard",
    "dashboard",
    "The live dashboard's figures now (staff)",
    handler=get_dashboard,
    roles=(
        "officer",
        "organiser",
    ),
    response=Dashboard,
    tags=("reports",),
    params=(STAFF_COUNTY,),
)


#: How many periods of each kind the period picker offers, newest first.
PICKER_DEPTH = {"day": 14, "week": 12, "month": 12, "quarter": 8}
#: The trend by day of a day or a week shows the four weeks ending with it.
TREND_DAYS = 28


def _trend_window(kind: periods.Kind, period: quotas.Period) -> tuple[date, date]:
    if kind in ("day", "week"):
        return period.last_day - timedelta(days=TREND_DAYS - 1), period.last_day
    return period.first_day, period.last_day


def _exports(kind: periods.Kind, period: quotas.Period, county: str | None) -> list[dict[str, str]]:
    """Links to every CSV export for the chosen period: the report by county, market, trade and group, the
    "1+3" lists over the period's own days (a past week exports that week), and the supply list (the week's
    snapshot for a week, else as it stands)."""
    place = f"&county={county}" if county else ""
    at = f"period={kind}&at={period.code}{place}"
    out = [
        {"what": what, "href": f"/exports/reports.csv?{at}&by={by}"}
        for by, what in (("county", "county"), ("market", "market"), ("trade", "trade"), ("group", "group"))
    ]
    out += [
        {"what": f"list_{name}", "href": f"/exports/lists.csv?list={name}&{at}"}
        for name in ("placed", "looking", "willing")
    ]
    supply_week = f"?week={period.code}" if kind == "week" else ""
    out.append({"what": "supply", "href": f"/exports/supply.csv{supply_week}"})
    return out


async def _page(request: web.Request) -> dict[str, Any]:
    """What the dashboard and the wall display render: the live snapshot, and for the chosen period its report
    by county, the trends (today by hour, the period's days by day) and the export links."""
    principal = await page_staff(request)
    county = county_scope(principal, parse_county(request.query.get("county")))
    kind, period = reports.period_query(request)
    lang: labels.Lang = "en" if i18n.language(request) == "en" else "zh_CN"
    now = request.app[CLOCK]()
    today = clock.local_date(now)
    answer = await reports.load_report(
        request, kind=kind, period=period, dimension="county", county=county, targets=False
    )
    first, last = _trend_window(kind, period)
    window = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ledgers = await reports.market_ledgers(request, sorted({*window, today}))
    rows = [{**row, "name": labels.key_name("county", row["key"], lang)} for row in answer["rows"]]
    return {
        "initial": json.dumps(await snapshot(request, county), ensure_ascii=False),
        "county": county or "",
        "county_name": labels.place_name(county, lang) if county else "",
        "counties": geography.COUNTIES,
        "unpaid_hours": f"{request.app[SETTINGS].unpaid_alert_hours:g}",
        "kind": kind,
        "kinds": periods.KINDS,
        "kind_names": {k: v[lang] for k, v in labels.PERIOD_KIND_NAME.items()},
        "period_code": period.code,
        "period_label": labels.period_label(kind, period, lang),
        "choices": labels.recent_periods(kind, today, PICKER_DEPTH[kind], lang),
        "report_rows": rows,
        "trends": json.dumps(
            {
                "today": trends.by_hour(ledgers, today, county),
                "period": trends.by_day(ledgers, first, last, county),
            }
        ),
        "exports": _exports(kind, period, county),
    }


@aiohttp_jinja2.template("dashboard.html")
async def dashboard_page(request: web.Request) -> dict[str, Any]:
    """``GET /dashboard?county=&period=&at=`` (staff page): live figures, alerts, quota board, the chosen
    period's report, trend charts and CSV exports; updated live."""
    return await _page(request)


@aiohttp_jinja2.template("dashboard_wall.html")
async def dashboard_wall(request: web.Request) -> dict[str, Any]:
    """``GET /dashboard/wall?county=`` (staff page): the 数据大屏 for a 1920x1080 wall display — big live
    numbers, today's trend by hour and the alerts, no scrolling; updated live."""
    return await _page(request)


async def dashboard_events(request: web.Request) -> web.StreamResponse:
    """``GET /dashboard/events?county=`` (staff): server-sent ``dashboard`` events, coalesced."""
    principal = await page_staff(request)
    county = county_scope(principal, parse_county(request.query.get("county")))
    settings = request.app[SETTINGS]
    prefix = settings.topic_prefix
    pubsub = request.app[REDIS].pubsub()
    await pubsub.psubscribe(
        dv.channel_pattern(prefix), keys.changes_channel(prefix, fair_views.quota_board_key(prefix))
    )
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    interval = settings.dashboard_push_interval_seconds
    dirty = asyncio.Event()
    listener = asyncio.create_task(_listen(pubsub, dirty))
    try:
        await _push(response, request, county)
        last_push = time.monotonic()
        while not listener.done():  # Redis gone (pub/sub lost): end the stream, the page's EventSource reconnects
            try:
                await asyncio.wait_for(_dirty_or_done(dirty, listener), KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if listener.done():
                break
            wait = last_push + interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)  # notices arriving meanwhile are coalesced into this push
            dirty.clear()
            await _push(response, request, county)
            last_push = time.monotonic()
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        listener.cancel()
        with contextlib.suppress(BaseException):
            await listener
        with contextlib.suppress(Exception):
            await pubsub.aclose()
    return response


async def _dirty_or_done(dirty: asyncio.Event, listener: asyncio.Task[None]) -> None:
    """Return when the view is dirty or the listener has ended (its pub/sub connection lost)."""
    waiting = asyncio.ensure_future(dirty.wait())
    try:
        await asyncio.wait({waiting, listener}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()


async def _listen(pubsub: Any, dirty: asyncio.Event) -> None:
    """Mark the client's view dirty on every change notice (however many arrive, one flag)."""
    async for message in pubsub.listen():
        if message.get("type") == "pmessage":
            dirty.set()


async def today_by_hour(request: web.Request, county: str | None) -> dict[str, Any]:
    """Today (Asia/Shanghai) by hour: check-ins, positions posted and placements, from today's market ledgers."""
    today = clock.local_date(request.app[CLOCK]())
    return trends.by_hour(await reports.market_ledgers(request, [today]), today, county)


async def _push(response: web.StreamResponse, request: web.Request, county: str | None) -> None:
    """One ``dashboard`` event: the snapshot, and today's trend by hour so the chart follows the facts."""
    answer = {**await snapshot(request, county), "today_by_hour": await today_by_hour(request, county)}
    data = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    await response.write(f"event: dashboard\ndata: {data}\n\n".encode())


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (DASHBOARD,)
