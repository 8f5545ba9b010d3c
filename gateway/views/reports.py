"""Reports and the "1+3" lists for staff (officer or organiser), as JSON and as CSV (UTF-8 with a BOM).

``GET /api/v1/reports?period=week&at=2026-W48&by=county`` and ``GET /exports/reports.csv`` (same query);
``GET /api/v1/reports/lists?days=7`` and ``GET /exports/lists.csv?list=looking``. The figures come from the day
ledgers in Redis (:mod:`services.readmodels.report_views`), computed by :mod:`services.reports`.
Who may see what is decided in :func:`staff` and :func:`county_scope` only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from aiohttp import web
from msgspec import Meta

from gateway import sessions
from gateway.auth import authenticate, require_county
from gateway.operation import Operation, Param, declared_roles
from gateway.problems import dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.wire.reports import STAFF_COUNTY, OneThreeLists, PeriodKind, Report
from services import clock, geography
from services.errors import FieldError, InvalidInput
from services.fairs import quotas
from services.people import access
from services.people.principal import Principal, Role
from services.readmodels.report_views import assemble_fair, assemble_market, fair_ledger_key, market_ledger_key
from services.readmodels.views import View, load_fields
from services.reports import export, figures, labels, lists, periods, report

STAFF_ROLES: tuple[Role, ...] = ("officer", "organiser")
MAX_LIST_DAYS = 92


async def staff(request: web.Request) -> Principal:
    """The staff principal of an API request: an officer's, an organiser's or the city administrator's; else
    401/403."""
    return await authenticate(request, "officer", "organiser")


async def staff_or_page(request: web.Request) -> Principal:
    """The staff principal of a page or a download: a bearer credential if one is sent (scripts), else the
    signed-in page session of an officer or organiser (a 303 to the sign-in page when not signed in). For
    reading only: a page session alone never sends a command (see docs/pages.md)."""
    if "Authorization" in request.headers:
        return await staff(request)
    return await sessions.page_principal(request, *STAFF_ROLES)


def county_scope(principal: Principal, asked: str | None) -> str | None:
    """The county whose figures ``principal`` may see for a request that ``asked`` for one (``None``: all).

    A principal bound to a county (``principal.county``, set by county accounts) sees only that county; asking
    for another is 403 (the rule of :mod:`services.people.access`). City-wide staff see what they ask for.
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


async def load_report(
    request: web.Request,
    *,
    kind: periods.Kind,
    period: quotas.Period,
    dimension: figures.Dimension,
    county: str | None,
    targets: bool = True,
) -> dict[str, Any]:
    """The report of ``period`` by ``dimension`` for ``county`` (already checked by :func:`county_scope`);
    ``targets=False`` skips the year's ledgers (the annual targets then show no progress)."""
    days = list(periods.days(period))
    return report.build(
        kind=kind,
        period=period,
        dimension=dimension,
        markets=await _ledgers(request, days, fairs=False),
        fair_days=await _ledgers(request, days, fairs=True),
        year_markets=await _ledgers(request, report.year_days(period), fairs=False) if targets else [],
        targets=request.app[SETTINGS].annual_targets(),
        county=county,
    )


async def market_ledgers(request: web.Request, days: list[date]) -> list[View]:
    """The market day ledgers of ``days`` (those that exist)."""
    return await _ledgers(request, days, fairs=False)


def period_query(request: web.Request) -> tuple[periods.Kind, quotas.Period]:
    """The period of a request's ``period`` (kind, default ``day``) and ``at`` (code, default: now's; given but
    empty is 422 ``period_format``, as the document's pattern says)."""
    query = request.query
    kind = periods.parse_kind(query.get("period", "day"), "period")
    if "at" in query:
        return kind, periods.parse_period(kind, query["at"], "at")
    return kind, periods.period_at(kind, request.app[CLOCK]())


async def _report(request: web.Request, principal: Principal) -> dict[str, Any]:
    kind, period = period_query(request)
    dimension = _dimension(request.query.get("by", "county"))
    county = county_scope(principal, parse_county(request.query.get("county")))
    return await load_report(request, kind=kind, period=period, dimension=dimension, county=county)


async def get_report(request: web.Request) -> web.Response:
    """``GET /api/v1/reports?period=&at=&by=&county=`` (staff): figures of one period by one dimension."""
    principal = await authenticate(request, *declared_roles(request))
    return web.json_response(await _report(request, principal), dumps=dumps)


REPORTS = Operation(
    "GET",
    "/api/v1/reports",
    "reports",
    "Report of one day, ISO week, month or quarter by county, market, trade or priority group (staff)",
    handler=get_report,
    roles=(
        "officer",
        "organiser",
    ),
    response=Report,
    tags=("reports",),
    params=(
        Param("period", PeriodKind, checked=True, description="day (default), week, month or quarter"),
        Param(
            "at",
            Annotated[str, Meta(pattern=f"^(?:{'|'.join(periods.PATTERNS.values())})$")],
            checked=True,
            description="the period, written as `period` says (default day): 2026-11-26, 2026-W48, 2026-11 or "
            "2026-Q4, else 422 `period_format`; default the one holding now",
        ),
        Param("by", Literal["county", "market", "trade", "group"], checked=True, description="default county"),
        STAFF_COUNTY,
    ),
)


def csv_response(body: bytes, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def get_report_csv(request: web.Request) -> web.Response:
    """``GET /exports/reports.csv?period=&at=&by=&county=`` (staff): the report's rows as CSV, Chinese headers,
    the period in words and each row named (钟山区, 钟山区零工市场, 凉都电工, 返乡人员, 合计)."""
    answer = await _report(request, await staff_or_page(request))
    headers, rows = labels.report_table(answer)
    body = export.to_csv(rows, headers, {})
    return csv_response(body, f"report-{answer['period']['code']}-{answer['by']}.csv")


def _days(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIST_DAYS:
        raise InvalidInput(
            FieldError("days", "days_range", f"天数应为 1 到 {MAX_LIST_DAYS}", f"days must be 1 to {MAX_LIST_DAYS}")
        )
    return int(raw)


async def _lists(request: web.Request, principal: Principal, period: quotas.Period | None = None) -> dict[str, Any]:
    """The lists over ``period``'s days if given (at most :data:`MAX_LIST_DAYS`, its last ones), else over the
    ``days`` (query) ending today."""
    county = county_scope(principal, parse_county(request.query.get("county")))
    if period is None:
        days = _days(request.query.get("days"), request.app[SETTINGS].looking_days)
        window = lists.window(clock.local_date(request.app[CLOCK]()), days)
    else:
        window = list(periods.days(period))[-MAX_LIST_DAYS:]
        days = len(window)
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
    principal = await authenticate(request, *declared_roles(request))
    return web.json_response(await _lists(request, principal), dumps=dumps)


REPORT_LISTS = Operation(
    "GET",
    "/api/v1/reports/lists",
    "report_lists",
    'The "1+3" lists: placed, looking, willing to work elsewhere (staff)',
    handler=get_lists,
    roles=(
        "officer",
        "organiser",
    ),
    response=OneThreeLists,
    tags=("reports",),
    params=(
        Param("days", Annotated[int, Meta(ge=1, le=92)], checked=True, description="look back (default 7)"),
        STAFF_COUNTY,
    ),
)


async def get_lists_csv(request: web.Request) -> web.Response:
    """``GET /exports/lists.csv?list=placed|looking|willing&days=`` (staff): one of the lists as CSV; with
    ``period=&at=`` (the dashboard's period picker) over that period's days instead, named by its code."""
    name = request.query.get("list", "looking")
    if name not in lists.LISTS:
        raise InvalidInput(
            FieldError(
                "list", "list_unknown", "名单应为 placed、looking 或 willing", "list must be placed, looking or willing"
            )
        )
    principal = await staff_or_page(request)
    if "at" in request.query:
        _, period = period_query(request)
        answer = await _lists(request, principal, period)
        filename = f"{name}-{period.code}.csv"
    else:
        answer = await _lists(request, principal)
        filename = f"{name}-{answer['last_day']}.csv"
    headers, rows = labels.list_table(answer[name])
    return csv_response(export.to_csv(rows, headers, {}), filename)


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    REPORTS,
    REPORT_LISTS,
)
