""" "我还在等工作" through the real gateway (gateway/views/waiting.py): who may send it, and the refusal when the
worker is not paused. The pause itself and its lifting are driven through the pages in
tests/browser/test_offer_expiry.py (a stack of its own, whose clock it moves)."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp.test_utils import TestClient

from services import geography
from tests.integration.conftest import auth, check_in_body
from tests.support.waiting import eventually


async def _queued(gateway: TestClient, token: str, id_number: str, trade: str) -> str:
    checked_in = await gateway.post("/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(token))
    assert checked_in.status == 202
    answer = await checked_in.json()

    async def ticket() -> dict[str, Any] | None:
        response = await gateway.get(answer["status_url"])
        return await response.json() if response.status == 200 else None

    await eventually(ticket, what="ticket")
    return str(answer["checkin_id"])


async def test_still_waiting_is_refused_unless_paused_and_only_for_the_markets_kiosk(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    checkin_id = await _queued(gateway, credentials[market], id_number, trade)
    path = f"/api/v1/checkins/{checkin_id}/still-waiting"

    anonymous = await gateway.post(path, json={}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert anonymous.status == 401
    other_market = next(m.market_id for m in geography.MARKETS if m.market_id != market)
    elsewhere = await gateway.post(path, json={}, headers=auth(credentials[other_market]))
    assert (elsewhere.status, (await elsewhere.json())["error"]) == (404, "checkin_unknown")
    unknown = await gateway.post(
        f"/api/v1/checkins/{uuid.uuid4()}/still-waiting", json={}, headers=auth(credentials[market])
    )
    assert unknown.status == 404

    refused = await gateway.post(path, json={}, headers=auth(credentials[market]))
    problem = await refused.json()
    assert (refused.status, problem["error"]) == (409, "not_paused")
    assert problem["message_zh"] == "您没有被暂停派工，无需确认，仍在排队" and problem["message_en"]


async def test_the_ticket_pages_form_refuses_a_worker_who_is_not_paused_in_words(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    checkin_id = await _queued(gateway, credentials[market], id_number, trade)
    refused = await gateway.post(f"/tickets/{checkin_id}/still-waiting", allow_redirects=False)
    page = await refused.text()
    assert refused.status == 409
    assert "您没有被暂停派工，无需确认，仍在排队" in page and "you are not paused" not in page  # one language
    english = await gateway.post(f"/tickets/{checkin_id}/still-waiting?lang=en", allow_redirects=False)
    assert english.status == 409 and "you are not paused" in (await english.text()).lower()
    assert id_number not in page
    unknown = await gateway.post(f"/tickets/{uuid.uuid4()}/still-waiting", allow_redirects=False)
    assert unknown.status == 404
