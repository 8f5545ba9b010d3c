"""Reports and the "1+3" lists for staff (officer or organiser), as JSON and as CSV (UTF-8 with a BOM).

``GET /api/v1/reports?period=week&at=2026-W48&by=county`` and ``GET /exports/reports.csv`` (same query);
``GET /api/v1/reports/lists?days=7`` and ``GET /exports/lists.csv?list=looking``. The figures come from the day
ledgers in Redis (:mod:`services.readmodels.report_views`), computed by :mod:`services.reports`.
Who may see what is decided in :func:`staff` and :func:`county_scope` only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from gateway.auth import Principal, authenticate, require_county
from gateway.problems import dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import access, clock, geography, quotas
from services.errors import FieldError, InvalidInput
from services.readmodels.report_views import assemble_fair, assemble_market, fair_ledger_key, market_ledger_key
from services.readmodels.views import View, load_fields
from services.reports import export, figures, lists, periods, report

STAFF_ROLES = ("officer", "organiser")
MAX_LIST_DAYS = 92


async def staff(request: web.Request) -> Principal:
    """The staff principal of an API request: an officer's, an organiser's or the city administrator's; else
    401/403."""
    return await authenticate(request, "officer", "organiser")


def county_scope(principal: Principal, asked: str | None) -> str | None:
    """The county whose figures ``principal`` may see for a request that ``asked`` for one (``None``: all).

    A principal bound to a county (``principal.county``, set by county accounts) sees only that county; asking
    for another is 403 (the rule of :mod:`services.access`). City-wide staff see what they ask for.
    """
    own = principal.county
    if own:
        require_county(principal, asked or own)
        return own
    require_county(principal, asked or access.CITY)
    return asked


def parse_county(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in geography.COUNTIES_BY_CODE and raw != quotas.CITY:
        raise InvalidInput(
            FieldError("county", "county_unknown", "未知的县（区）代码", "county must be a county code or city")
        )
    return raw


def _dimension(raw: str) -> figures.Dimension:
    for dimension in figures.DIMENSIONS:
        if raw == dimension:
            return dimension
    raise InvalidInput(
        FieldError(
            "by",
            "dimension_unknown",
            "分组应为 county、market、trade 或 group",
            "by must be county, market, trade or group",
        )
    )


async def _ledgers(request: web.Request, days: list[date], *, fairs: bool) -> list[View]:
    prefix = request.app[SETTINGS].topic_prefix
    if fairs:
        names = [fair_ledger_key(prefix, s, d.isoformat()) for d in days for s in quotas.SCOPES]
    else:
        names = [market_ledger_key(prefix, m.market_id, d.isoformat()) for d in days for m in geography.MARKETS]
    assemble = assemble_fair if fairs else assemble_market
    found: list[View] = []
    redis = request.app[REDIS]
    for start in range(0, len(names), 500):
        async with redis.pipeline(transaction=False) as pipe:
            for name in names[start : start + 500]:
                pipe.hgetall(name)
            hashes = await pipe.execute()
        found.extend(v for v in (assemble(load_fields(h)) for h in hashes) if v is not None)
    return found


async def _report(request: web.Request) -> dict[str, Any]:
    principal = await staff(request)
    query = request.query
    kind = periods.parse_kind(query.get("period", "day"), "period")
    if "at" in query:
        period = periods.parse_period(kind, query["at"], "at")
    else:
        period = periods.period_at(kind, request.app[CLOCK]())
    dimension = _dimension(query.get("by", "county"))
    county = county_scope(principal, parse_county(query.get("county")))
    days = list(periods.days(period))
    return report.build(
        kind=kind,
        period=period,
        dimension=dimension,
        markets=await _ledgers(request, days, fairs=False),
        fair_days=await _ledgers(request, days, fairs=True),
        year_markets=await _ledgers(request, report.year_days(period), fairs=False),
        targets=request.app[SETTINGS].annual_targets(),
        county=county,
    )


async def get_report(request: web.Request) -> web.Response:
    """``GET /api/v1/reports?period=&at=&by=&county=`` (staff): figures of one period by one dimension."""
    return web.json_response(await _report(request), dumps=dumps)


def csv_response(body: bytes, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def get_report_csv(request: web.Request) -> web.Response:
    """``GET /exports/reports.csv?period=&at=&by=&county=`` (staff): the report's rows as CSV."""
    answer = await _report(request)
    body = export.to_csv(answer["rows"], ["key", *answer["columns"]])
    return csv_response(body, f"report-{answer['period']['code']}-{answer['by']}.csv")


def _days(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIST_DAYS:
        raise InvalidInput(
            FieldError("days", "days_range", f"天数应为 1 到 {MAX_LIST_DAYS}", f"days must be 1 to {MAX_LIST_DAYS}")
        )
    return int(raw)


async def _lists(request: web.Request) -> dict[str, Any]:
    principal = await staff(request)
    days = _days(request.query.get("days"), request.app[SETTINGS].looking_days)
    county = county_scope(principal, parse_county(request.query.get("county")))
    today = clock.local_date(request.app[CLOCK]())
    window = lists.window(today, days)
    ledgers = [x for x in await _ledgers(request, window, fairs=False) if county is None or x["county"] == county]
    return {
        "days": days,
        "first_day": window[0].isoformat(),
        "last_day": window[-1].isoformat(),
        "county": county,
        **lists.compose(ledgers),
    }


async def get_lists(request: web.Request) -> web.Response:
    """``GET /api/v1/reports/lists?days=&county=`` (staff): the "1+3" lists."""
    return web.json_response(await _lists(request), dumps=dumps)


LIST_COLUMNS = (
    "worker_masked",
    "county",
    "market_id",
    "last_check_in",
    "trades",
    "groups",
    "willing_to_travel",
    "placements",
)
LIST_HEADERS = {
    "worker_masked": "身份证号(脱敏) masked ID",
    "county": "县区 county",
    "market_id": "市场 market",
    "last_check_in": "最近登记 last check-in",
    "trades": "工种 trades",
    "groups": "人群 groups",
    "willing_to_travel": "愿意异地就业 willing to work elsewhere",
    "placements": "上岗次数 placements",
}


async def get_lists_csv(request: web.Request) -> web.Response:
    """``GET /exports/lists.csv?list=placed|looking|willing&days=`` (staff): one of the lists as CSV."""
    name = request.query.get("list", "looking")
    if name not in lists.LISTS:
        raise InvalidInput(
            FieldError(
                "list", "list_unknown", "名单应为 placed、looking 或 willing", "list must be placed, looking or willing"
            )
        )
    answer = await _lists(request)
    return csv_response(export.to_csv(answer[name], LIST_COLUMNS, LIST_HEADERS), f"{name}-{answer['last_day']}.csv")
