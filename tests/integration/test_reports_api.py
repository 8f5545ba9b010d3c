"""Reports, the "1+3" lists and the job supply list through the real gateway, Kafka and Redis (session stack).

The supply list shows a gig request with no personal data, as JSON, CSV (with a BOM) and HTML; the lists find a
worker willing to work elsewhere; staff only where it must be. (Fair figures and fair rows of the supply list are
checked in ``test_reports_replay`` on a stack of its own: the session's fair scopes follow other tests' clocks.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from gateway.main import create_app
from gateway.problems import ApiError
from gateway.views.reports import county_scope
from services.people.principal import Principal
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.conftest import auth, check_in_body, job_body
from tests.integration.fair_support import credit, fair_client
from tests.support.waiting import eventually

TODAY = TEST_NOW.date().isoformat()
EMPLOYER = credit("91520200MA6DK5R2Q")


async def test_supply_list_and_lists(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    platform: Settings,
    credentials: dict[str, str],
    lane: tuple[str, str],
) -> None:
    gateway, _ = await fair_client(aiohttp_client, platform, TEST_NOW)
    market, trade = lane
    number = new_id_number()
    body = check_in_body(number, trade, willing_to_travel=True)
    checked_in = await gateway.post("/api/v1/checkins", json=body, headers=auth(credentials[market]))
    assert checked_in.status == 202, await checked_in.text()
    job = job_body(market, trade, headcount=3, place="报表测试地点")
    posted = await gateway.post("/api/v1/job-requests", json=job, headers=auth(credentials["employer"]))
    assert posted.status == 202, await posted.text()
    request_id = (await posted.json())["request_id"]
    officer = {"Authorization": f"Bearer {credentials['officer']}"}

    async def supply() -> dict[str, Any] | None:
        answer: dict[str, Any] = await (await gateway.get("/api/v1/supply")).json()
        ids = {row["id"] for row in answer["rows"]}
        return answer if request_id in ids else None

    listed = await eventually(supply, what="the request on the supply list")
    text = json.dumps(listed, ensure_ascii=False)
    assert number not in text and '"worker"' not in text  # no worker field (a trade code may say worker)
    gig = next(row for row in listed["rows"] if row["id"] == request_id)
    assert gig["employer"] and 1 <= gig["positions"] <= 3
    csv = await gateway.get("/exports/supply.csv")
    raw = await csv.read()
    assert raw.startswith(b"\xef\xbb\xbf") and gig["employer"] in raw.decode("utf-8-sig")
    page = await gateway.get("/supply")
    assert page.status == 200 and "岗位供给清单" in await page.text()
    weekly = await (await gateway.get("/api/v1/supply", params={"week": "2026-W48"})).json()
    assert weekly["week"] == "2026-W48" and weekly["as_of"] == "2026-11-22T16:00:00+00:00"

    async def lists() -> dict[str, Any] | None:
        answer: dict[str, Any] = await (await gateway.get("/api/v1/reports/lists", headers=officer)).json()
        masked = {row["worker_masked"] for row in answer["willing"]}
        return answer if any(m[-4:] == number[-4:] for m in masked) else None

    found = await eventually(lists, what="the willing worker on the 1+3 lists")
    assert number not in json.dumps(found, ensure_ascii=False)


async def test_reports_are_for_staff_only(gateway: TestClient, credentials: dict[str, str]) -> None:
    assert (await gateway.get("/api/v1/reports")).status == 401
    kiosk = {"Authorization": f"Bearer {credentials['zs-market']}"}
    for path in ("/api/v1/reports", "/api/v1/reports/lists", "/api/v1/dashboard", "/exports/reports.csv", "/dashboard"):
        response = await gateway.get(path, headers=kiosk)
        assert response.status == 403, path
    officer = {"Authorization": f"Bearer {credentials['officer']}"}
    bad = await gateway.get("/api/v1/reports", params={"period": "week", "at": "2026-11"}, headers=officer)
    problem = await bad.json()
    assert (
        bad.status == 422 and problem["errors"][0]["field"] == "at" and problem["errors"][0]["rule"] == "period_format"
    )
    organiser = {"Authorization": f"Bearer {credentials['organiser']}"}
    assert (await gateway.get("/api/v1/reports?period=quarter&by=group", headers=organiser)).status == 200


def test_a_county_officer_sees_only_their_county() -> None:
    officer = Principal("officer", "of-pz", "盘州市就业局", None, county="panzhou")
    assert county_scope(officer, None) == "panzhou"
    assert county_scope(officer, "panzhou") == "panzhou"
    try:
        county_scope(officer, "liuzhi")
    except ApiError as error:
        assert error.status == 403
    else:
        raise AssertionError("another county's figures were allowed")
    assert county_scope(Principal("admin", "ad-city", "市就业局", None), "liuzhi") == "liuzhi"


async def _page_session(gateway: TestClient, access_key: str) -> None:
    """Sign ``gateway``'s cookie jar in through the sign-in page, as a browser does."""
    form = await (await gateway.get("/sign-in?next=/dashboard")).text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert match, form
    signed = await gateway.post(
        "/sign-in", data={"csrf_token": match.group(1), "access_key": access_key}, allow_redirects=False
    )
    assert signed.status == 303, await signed.text()


async def test_downloads_from_the_dashboard_page_keep_to_the_officers_county(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    """The dashboard's CSV links work with the page session; a county officer gets their county's figures, and
    another county is 403; without a session the download goes to the sign-in page."""
    anonymous = await aiohttp_client(create_app(platform, clock=lambda: TEST_NOW))
    away = await anonymous.get("/exports/reports.csv?period=week&by=county", allow_redirects=False)
    assert away.status == 303 and away.headers["Location"].startswith("/sign-in")
    gateway = await aiohttp_client(create_app(platform, clock=lambda: TEST_NOW))
    await _page_session(gateway, credentials["officer_panzhou"])
    mine = await gateway.get("/exports/reports.csv?period=week&at=2026-W47&by=county")
    table = list(csv.reader(io.StringIO((await mine.read()).decode("utf-8-sig"))))
    assert mine.status == 200 and table[0][:3] == ["期间", "县（区）", "登记人次"]
    assert {row[1] for row in table[1:]} <= {"盘州市", "合计"}, table
    other = await gateway.get("/exports/reports.csv?period=week&by=county&county=zhongshan")
    assert other.status == 403
    lists = await gateway.get("/exports/lists.csv?list=looking&days=7")
    rows = list(csv.reader(io.StringIO((await lists.read()).decode("utf-8-sig"))))
    assert lists.status == 200 and rows[0][1] == "县（区）" and all(row[1] == "盘州市" for row in rows[1:])
    # the dashboard's period picker: the lists of a past week are that week's, named by it
    week = await gateway.get("/exports/lists.csv?list=looking&period=week&at=2026-W47")
    assert week.status == 200 and 'filename="looking-2026-W47.csv"' in week.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO((await week.read()).decode("utf-8-sig"))))
    assert rows[0][1] == "县（区）" and all(row[1] == "盘州市" for row in rows[1:])
    bad = await gateway.get("/exports/lists.csv?list=looking&period=week&at=2026-W99")
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "at"
    page = await gateway.get("/dashboard/wall")
    assert page.status == 200 and "盘州市" in await page.text()
