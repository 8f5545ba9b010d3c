"""Placement steps through the real stack: the employer's arrival, completion and wage paid (bearer API), in
order; the views carry them; an employer who is not the placement's gets 404."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.waiting import eventually


async def _json(gateway: TestClient, url: str) -> dict[str, Any] | None:
    response = await gateway.get(url)
    return await response.json() if response.status == 200 else None


async def test_employer_records_the_days_steps_and_the_ticket_shows_them(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    checked_in = await gateway.post(
        "/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(credentials[market])
    )
    url = (await checked_in.json())["status_url"]
    await eventually(lambda: _json(gateway, url), what="ticket")
    await gateway.post("/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"]))

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
    path = f"/api/v1/placements/{placement_id}/steps"
    bad = await gateway.post(path, json={"step": "wage_received"}, headers=auth(credentials["employer"]))
    assert bad.status == 422 and (await bad.json())["field"] == "step"
    for step in ("arrived", "completed", "wage_paid"):
        response = await gateway.post(path, json={"step": step}, headers=auth(credentials["employer"]))
        assert response.status == 202, await response.text()

        async def shown(step: str = step) -> bool:
            view = await _json(gateway, url) or {}
            return any(step in job.get("steps", []) for job in view.get("jobs", []))

        await eventually(shown, what=f"step {step} on the ticket")
    stranger = await gateway.post(path, json={"step": "arrived"}, headers=auth(credentials[market]))
    assert stranger.status == 403
