"""The dashboard's "unpaid placements" alert through the real stack: a placement completed at the fixed test
clock and not paid is counted for its county once ``unpaid_alert_hours`` (4 h by default) have passed, not
before; the count is on the dashboard's JSON and page; recording the wage paid clears it.

Time is the gateway's movable clock, starting at ``TEST_NOW``: the commands are stamped with it, and the
dashboard is read with it moved forward (never the wall clock).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from services import geography
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.integration.conftest import auth, check_in_body, job_body
from tests.integration.fair_support import MovableClock, fair_client
from tests.support.waiting import eventually


async def _json(gateway: TestClient, url: str, headers: dict[str, str] | None = None) -> dict[str, Any] | None:
    response = await gateway.get(url, headers=headers)
    return await response.json() if response.status == 200 else None


async def _placed(gateway: TestClient, credentials: dict[str, str], market: str, trade: str, id_number: str) -> str:
    """Check a worker in, post a job, accept the offer: the placement id."""
    checked_in = await gateway.post(
        "/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(credentials[market])
    )
    assert checked_in.status == 202, await checked_in.text()
    url = (await checked_in.json())["status_url"]
    await eventually(lambda: _json(gateway, url), what="ticket")
    posted = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    assert posted.status == 202, await posted.text()

    async def offered() -> dict[str, Any] | None:
        view = await _json(gateway, url)
        return view if view and view.get("status") == "offered" else None

    offer = (await eventually(offered, what="offer"))["offer"]
    answered = await gateway.post(
        f"/api/v1/offers/{offer['offer_id']}/answer", json={"answer": "accept"}, headers=auth(credentials[market])
    )
    assert answered.status == 202, await answered.text()

    async def placement() -> str | None:
        view = await _json(gateway, url)
        return view.get("placement_id") if view else None

    found: str = await eventually(placement, what="placement")
    return found


async def test_a_completed_placement_unpaid_after_four_hours_is_an_alert_of_its_county(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    platform: Settings,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
) -> None:
    assert platform.unpaid_alert_hours == 4.0
    gateway, moving = await fair_client(aiohttp_client, platform, TEST_NOW)
    market, trade = lane
    county = geography.MARKETS_BY_ID[market].county
    officer = {"Authorization": f"Bearer {credentials['officer']}"}

    async def unpaid(clock: MovableClock, after: timedelta) -> int:
        clock.at = TEST_NOW + after
        try:
            answer = await _json(gateway, f"/api/v1/dashboard?county={county}", officer)
        finally:
            clock.at = TEST_NOW
        assert answer is not None
        count: int = answer["unpaid_placements"][county]
        counted = next(c for c in answer["counties"] if c["county"] == county)["unpaid_placements"]
        alerts = [a for a in answer["alerts"] if a["kind"] == "unpaid_placements"]
        assert counted == count and sum(a["count"] for a in alerts) == count, (answer["counties"], alerts)
        return count

    placement_id = await _placed(gateway, credentials, market, trade, id_number)
    before_late = await unpaid(moving, timedelta(hours=5))
    before_early = await unpaid(moving, timedelta(hours=3))
    path = f"/api/v1/placements/{placement_id}/steps"
    for step in ("arrived", "completed"):
        response = await gateway.post(path, json={"step": step}, headers=auth(credentials["employer"]))
        assert response.status == 202, await response.text()

    async def counted() -> int | None:
        now = await unpaid(moving, timedelta(hours=5))
        return now if now == before_late + 1 else None

    await eventually(counted, what="the completed placement counted unpaid 5 h later")
    assert await unpaid(moving, timedelta(hours=3)) == before_early  # not yet 4 h after completion
    moving.at = TEST_NOW + timedelta(hours=5)
    page = await gateway.get(f"/dashboard?county={county}", headers=officer)
    assert page.status == 200
    html = await page.text()
    assert "逾期未付工资" in html and "unpaid_placements" in html
    moving.at = TEST_NOW
    paid = await gateway.post(path, json={"step": "wage_paid"}, headers=auth(credentials["employer"]))
    assert paid.status == 202, await paid.text()

    async def cleared() -> bool:
        return await unpaid(moving, timedelta(hours=5)) == before_late

    await eventually(cleared, what="the paid placement no longer counted")
    day = TEST_NOW.date().isoformat()
    report = await _json(gateway, f"/api/v1/reports?period=day&at={day}&by=market", officer)
    assert report is not None
    row = next(r for r in report["rows"] if r["key"] == market)
    assert row["completed"] >= 1 and row["wages_paid"] >= 1 and row["wage_paid_rate"] is not None
    assert json.dumps(report).count("wage_paid_rate") >= 2
