"""The first loop end to end: kiosk check-in → job request → offer at the status URL → accept or decline."""

from __future__ import annotations

import time
from typing import Any

from aiohttp.test_utils import TestClient

from services import topics
from services.market import records
from services.settings import Settings
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually


async def _status(gateway: TestClient, url: str, wanted: str) -> dict[str, Any] | None:
    response = await gateway.get(url)
    if response.status != 200:
        return None
    body: dict[str, Any] = await response.json()
    return body if body.get("status") == wanted else None


async def _check_in(gateway: TestClient, token: str, id_number: str, trade: str) -> dict[str, Any]:
    response = await gateway.post("/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(token))
    assert response.status == 202, await response.text()
    return await response.json()


async def test_check_in_then_job_gives_an_offer_at_the_status_url(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    ticket = await _check_in(gateway, credentials[market], id_number, trade)
    assert ticket["worker_masked"].startswith("5202") and "*" in ticket["worker_masked"]
    queued = await eventually(lambda: _status(gateway, ticket["status_url"], "queued"), what="queued")
    assert queued["ticket_no"] >= 1 and queued["trades"] == [trade]

    sent = time.monotonic()
    response = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    assert response.status == 202, await response.text()
    offered = await eventually(lambda: _status(gateway, ticket["status_url"], "offered"), what="offer")
    print(f"job request → offer visible at the status URL: {time.monotonic() - sent:.3f}s")
    offer = offered["offer"]
    assert offer["trade"] == trade and offer["day_wage"] == 220 and offer["employer_name"] == "测试用工单位"
    assert offer["why"]["rule"] == "max_fill" and offer["why"]["tier_name"] == "general"

    page = await gateway.get(ticket["page_url"])
    assert page.status == 200
    html = await page.text()
    assert "工作邀请" in html and "测试用工单位" in html and id_number not in html


async def test_accept_emits_a_placement_and_decline_offers_the_next_worker(
    gateway: TestClient,
    credentials: dict[str, str],
    lane: tuple[str, str],
    platform: Settings,
    id_number: str,
) -> None:
    from tests.conftest import new_id_number

    market, trade = lane
    token = credentials[market]
    # One after the other, as at a kiosk: two check-ins sent together pass through different roster partitions,
    # so either may reach the market's queue first (both orders are fair; the test needs to know which).
    first = await _check_in(gateway, token, id_number, trade)
    await eventually(lambda: _status(gateway, first["status_url"], "queued"), what="first queued")
    second = await _check_in(gateway, token, new_id_number(), trade)
    await eventually(lambda: _status(gateway, second["status_url"], "queued"), what="second queued")
    response = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    request_id = (await response.json())["request_id"]
    offered = await eventually(lambda: _status(gateway, first["status_url"], "offered"), what="first offered")

    # The first worker declines: the job goes to the next in line.
    declined = await gateway.post(
        f"/api/v1/offers/{offered['offer']['offer_id']}/answer",
        json={"answer": "decline"},
        headers=auth(token),
    )
    assert declined.status == 202, await declined.text()
    offered2 = await eventually(lambda: _status(gateway, second["status_url"], "offered"), what="second offered")
    back = await eventually(lambda: _status(gateway, first["status_url"], "queued"), what="first back in queue")
    assert back["past_offers"][0]["outcome"] == "declined"

    # The second accepts: a placement fact on market-events, the request is filled.
    accepted = await gateway.post(
        f"/api/v1/offers/{offered2['offer']['offer_id']}/answer",
        json={"answer": "accept"},
        headers=auth(token),
    )
    assert accepted.status == 202

    async def placed_with_job() -> dict[str, Any] | None:
        view = await _status(gateway, second["status_url"], "placed")
        return view if view and view.get("placement_id") else None

    placed = await eventually(placed_with_job, what="placed")
    assert placed["jobs"][0]["status"] == "started"

    async def placement() -> list[records.PlacementStarted]:
        facts = [
            records.decode_event(m.value)
            for m in await read_topic(platform.kafka_bootstrap, platform.topic(topics.MARKET_EVENTS))
        ]
        return [f for f in facts if isinstance(f, records.PlacementStarted) and f.request_id == request_id]

    (fact,) = await eventually(placement, what="placement fact")
    assert fact.checkin_id == second["checkin_id"] and fact.placement_id == placed["placement_id"]

    view = await gateway.get(f"/api/v1/job-requests/{request_id}", headers=auth(credentials["employer"]))
    assert (await view.json())["status"] == "filled"


async def test_answering_someone_elses_market_offer_is_not_found(
    gateway: TestClient, credentials: dict[str, str]
) -> None:
    response = await gateway.post(
        "/api/v1/offers/does-not-exist/answer",
        json={"answer": "accept"},
        headers=auth(credentials["zs-market"]),
    )
    assert response.status == 404
    body = await response.json()
    assert body["error"] == "offer_unknown" and body["message_zh"] and body["message_en"]


async def test_why_not_me_names_the_rule_and_who_got_the_job(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    from tests.conftest import new_id_number

    market, trade = lane
    token = credentials[market]
    first = await _check_in(gateway, token, id_number, trade)
    expensive = await gateway.post(
        "/api/v1/checkins",
        json=check_in_body(new_id_number(), trade, min_day_wage=500),
        headers=auth(token),
    )
    assert expensive.status == 202
    costly = await expensive.json()
    await eventually(lambda: _status(gateway, costly["status_url"], "queued"), what="second queued")
    response = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    request_id = (await response.json())["request_id"]
    await eventually(lambda: _status(gateway, first["status_url"], "offered"), what="first offered")

    async def why(checkin_id: str) -> dict[str, Any]:
        answer = await gateway.get(
            f"/api/v1/checkins/{checkin_id}/why-not/{request_id}", headers=auth(credentials["officer"])
        )
        assert answer.status == 200, await answer.text()
        return await answer.json()

    lost = await why(costly["checkin_id"])
    assert lost["eligible"] is False and lost["rule"] == "wage" and "最低日工资" in lost["message_zh"]
    assert lost["given_to"][0]["tier"] == 2 and lost["given_to"][0]["why"]["rule"] == "max_fill"
    won = await why(first["checkin_id"])
    assert won["got_it"] is True and won["eligible"] is True
    kiosk = await gateway.get(f"/api/v1/checkins/{first['checkin_id']}/why-not/{request_id}", headers=auth(token))
    assert kiosk.status == 403
