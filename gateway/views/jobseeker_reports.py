"""Reports of the public employment service (issue 27) for staff: JSON, CSV and the page's data.

``GET /api/v1/reports/jobseekers?year=&county=`` (staff: officer or organiser; a county account sees its county
only), ``GET /exports/jobseekers.csv?table=grades|on_time_1311|targets&year=&county=`` (staff or their page session).
The figures come from the county ledgers ``jobseeker-ledger:<county>`` in Redis, computed by
:mod:`services.reports.jobseekers`; the year is a local (Asia/Shanghai) year, today's by default.
"""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from msgspec import Meta

from gateway.operation import Operation, Param
from gateway.problems import dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views.reports import county_scope, csv_response, parse_county, staff, staff_or_page
from gateway.wire.reports import STAFF_COUNTY
from services import clock, geography
from services.errors import FieldError, InvalidInput
from services.fairs import quotas
from services.people.principal import Principal
from services.readmodels import jobseeker_views
from services.readmodels.views import load
from services.reports import export, labels
from services.reports import jobseekers as report

FIRST_YEAR = 2000
LAST_YEAR = 2100


def parse_year(raw: str | None, default: int) -> int:
    """A year of four digits from :data:`FIRST_YEAR` to :data:`LAST_YEAR`; ``default`` when absent."""
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4 and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        raise InvalidInput(
            FieldError(
                "year",
                "year_format",
                f"年份应为 {FIRST_YEAR} 到 {LAST_YEAR} 之间的四位数字",
                f"year must be four digits from {FIRST_YEAR} to {LAST_YEAR}",
            )
        )
    return int(raw)


async def load_answer(request: web.Request, principal: Principal) -> dict[str, Any]:
    """The report for the request's ``year`` and ``county`` as ``principal`` may see it."""
    county = county_scope(principal, parse_county(request.query.get("county")))
    if county == quotas.CITY:
        county = None  # registrations are kept by counties; the city is their total
    now = request.app[CLOCK]()
    today = clock.local_date(now)
    year = parse_year(request.query.get("year"), today.year)
    prefix = request.app[SETTINGS].topic_prefix
    codes = [c.code for c in geography.COUNTIES if county is None or c.code == county]
    values = await request.app[REDIS].mget([jobseeker_views.ledger_key(prefix, c) for c in codes])
    ledgers = {c: load(v) for c, v in zip(codes, values, strict=True)}
    answer = report.build(
        ledgers, today=today, year=year, targets=request.app[SETTINGS].annual_targets(), county=county
    )
    answer["as_of"] = now.isoformat()
    answer["as_of_local"] = labels.local_hhmm(now)
    return answer


async def get_report(request: web.Request) -> web.Response:
    """``GET /api/v1/reports/jobseekers?year=&county=`` (staff): by grade and category, "1311" on time, targets."""
    return web.json_response(await load_answer(request, await staff(request)), dumps=dumps)


JOBSEEKER_REPORT = Operation(
    "GET",
    "/api/v1/reports/jobseekers",
    "jobseeker_report",
    'Registered job seekers: by grade and category, the on-time rate of "1311" per county and month, '
    "placements toward the annual targets (staff)",
    handler=get_report,
    roles=("officer", "organiser"),
    tags=("reports", "jobseekers"),
    params=(
        Param(
            "year",
            Annotated[str, Meta(pattern="^(?:20[0-9]{2}|2100)$")],
            checked=True,
            description="a local year 2000-2100 (default this year), else 422 `year_format`",
        ),
        STAFF_COUNTY,
    ),
    description="Answer: ``{county, today, year, as_of, as_of_local, grades: [{county, grade, basic_skills, "
    "lacks_basic_skills, employment_difficulty, total}], on_time_1311: [{county, month, decided, on_time, late, "
    "pending, rate}], targets: [{target, year, actual, annual_target, share}]}`` (county ``total``: the city). "
    "CSV: ``GET /exports/jobseekers.csv?table=grades|on_time_1311|targets``; page: ``GET /jobseeker-report``.",
)

#: The JSON operations this module declares (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (JOBSEEKER_REPORT,)


async def get_csv(request: web.Request) -> web.Response:
    """``GET /exports/jobseekers.csv?table=&year=&county=`` (staff): one table as CSV, Chinese names and headers."""
    name = request.query.get("table", "grades")
    if name not in report.TABLES:
        raise InvalidInput(
            FieldError(
                "table",
                "table_unknown",
                "表格应为 grades（等级和类别）、on_time_1311（“1311”按时率）或 targets（年度目标）",
                "table must be grades, on_time_1311 or targets",
            )
        )
    answer = await load_answer(request, await staff_or_page(request))
    headers, rows = report.table(answer, name)
    return csv_response(export.to_csv(rows, headers, {}), f"jobseekers-{name}-{answer['year']}.csv")
