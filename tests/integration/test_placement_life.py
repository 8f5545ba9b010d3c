"""A placement's life through the real stack (issue 23): the gateway answers 409 with the rule and both messages
when the clock alone refuses (a no-show before the start); a rule that depends on the steps standing (completion
before arrival, a correction others rest on) is the market's: 202 with the command id, then the refusal on the
ticket's job and the request view with that id; a correction is a new fact that the views and the reports follow
exactly.

Time is the gateway's movable clock starting at ``TEST_NOW`` (08:30 local); the job starts at 08:40 for an hour.
The lane is at a station of its own (``zs-dewu-station``): commands stamped later move that market's clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from services.settings import Settings
from tests.conftest import TEST_NOW, take_lane
from tests.integration.conftest import auth, check_in_body, job_body
from tests.integration.fair_support import fair_client
from tests.support.waiting import eventually


async def _json(gateway: TestClient, url: str, headers: dict[str, str] | None = None) -> dict[str, Any] | None:
    response = await gateway.get(url, headers=headers)
    return await response.json() if response.status == 200 else None


async def test_refusals_are_409_with_the_rule_and_a_correction_is_counted_exactly(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    platform: Settings,
    credentials: dict[str, str],
    id_number: str,
) -> None:
    market, trade = take_lane("zs-dewu-station")
    gateway, _ = await fair_client(aiohttp_client, platform, TEST_NOW)
    employer = credentials["employer"]
    officer = {"Authorization": f"Bearer {credentials['officer']}"}
    checked_in = await gateway.post(
        "/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(credentials[market])
    )
    url = (await checked_in.json())["status_url"]
    await eventually(lambda: _json(gateway, url), what="ticket")
    posted = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade, start="08:40", hours=1), headers=auth(employer)
    )
    assert posted.status == 202, await posted.text()

    async def offered() -> dict[str, Any] | None:
        view = await _json(gateway, url)
        return view if view and view.get("status") == "offered" else None

    offer = (await eventually(offered, what="offer"))["offer"]
    await gateway.post(
        f"/api/v1/offers/{offer['offer_id']}/answer", json={"answer": "accept"}, headers=auth(credentials[market])
    )

    async def placed() -> str | None:
        view = await _json(gateway, url)
        return view.get("placement_id") if view else None

    placement_id = await eventually(placed, what="placement")
    base = f"/api/v1/placements/{placement_id}"

    no_show = await gateway.post(f"{base}/no-show", json={}, headers=auth(employer))
    assert no_show.status == 409
    body = await no_show.json()
    assert body["error"] == "no_show_before_start" and "08:40" in body["message_zh"] and body["message_en"]

    async def refused_by_the_market(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await gateway.post(f"{base}/{path}", json=body, headers=auth(employer))
        assert response.status == 202, await response.text()
        command_id = (await response.json())["command_id"]

        async def shown() -> dict[str, Any] | None:
            view = await _json(gateway, url) or {}
            job = next((j for j in view.get("jobs", []) if j["placement_id"] == placement_id), {})
            refusal = job.get("refusal") or {}
            return refusal if refusal.get("command_id") == command_id else None

        refusal: dict[str, Any] = await eventually(shown, what=f"the refusal of {body}")
        return refusal

    early = await refused_by_the_market("steps", {"step": "completed"})
    assert early["rule"] == "completion_before_arrival" and early["message_zh"] and early["message_en"]
    both = await refused_by_the_market("steps", {"step": "completed", "with_arrival": True})
    assert both["rule"] == "completion_before_start" and "08:40" in both["message_zh"]

    async def report_completed() -> int:
        day = TEST_NOW.date().isoformat()
        report = await _json(gateway, f"/api/v1/reports?period=day&at={day}&by=market", officer)
        assert report is not None
        row = next((r for r in report["rows"] if r["key"] == market), None)
        return int(row["completed"]) if row else 0

    before = await report_completed()
    for step in ("arrived", "completed"):
        response = await gateway.post(f"{base}/steps", json={"step": step}, headers=auth(employer))
        assert response.status == 202, await response.text()

        async def standing(step: str = step) -> bool:
            view = await _json(gateway, url) or {}
            return any(step in job.get("steps", []) for job in view.get("jobs", []))

        await eventually(standing, what=f"{step} on the ticket")

    async def counted(n: int) -> bool:
        return await report_completed() == n

    await eventually(lambda: counted(before + 1), what="the completion counted")
    depends = await refused_by_the_market("corrections", {"step": "arrived"})
    assert depends["rule"] == "correction_dependent_step" and "完工" in depends["message_zh"]
    corrected = await gateway.post(f"{base}/corrections", json={"step": "completed"}, headers=auth(employer))
    assert corrected.status == 202, await corrected.text()

    async def withdrawn() -> bool:
        view = await _json(gateway, url) or {}
        return any(job.get("steps") == ["arrived"] for job in view.get("jobs", []))

    await eventually(withdrawn, what="the completion withdrawn on the ticket")
    await eventually(lambda: counted(before), what="the corrected completion no longer counted")
