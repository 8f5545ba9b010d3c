"""Every role boundary, through the real gateway, Kafka, stream worker and projector.

A 盘州市 officer cannot read 水城区 data; an employer cannot see or change another employer's requests; a kiosk
token for market A cannot check in, check out or answer at market B; a revoked token is refused at once.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from gateway.auth import token_sha256
from services.readmodels import keys
from services.settings import Settings
from tests.conftest import new_id_number, take_lane
from tests.integration.account_support import bearer, register_company, sign_in
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.waiting import eventually


async def _check_in(gateway: TestClient, token: str, trade: str) -> dict[str, Any]:
    response = await gateway.post("/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(token))
    assert response.status == 202, await response.text()
    ticket = await response.json()

    async def visible() -> dict[str, Any] | None:
        answer = await gateway.get(ticket["status_url"])
        return await answer.json() if answer.status == 200 else None

    return {**ticket, "view": await eventually(visible, what="ticket")}


async def test_a_panzhou_officer_cannot_read_shuicheng_data(gateway: TestClient, credentials: dict[str, str]) -> None:
    _, sc_trade = sc_lane = take_lane("sc-market")
    _, pz_trade = take_lane("pz-market")
    shuicheng = await _check_in(gateway, credentials[sc_lane[0]], sc_trade)
    panzhou = await _check_in(gateway, credentials["pz-market"], pz_trade)
    assert shuicheng["view"]["county"] == "shuicheng" and panzhou["view"]["county"] == "panzhou"

    pz_officer = auth(credentials["officer_panzhou"])
    refused = await gateway.get(f"/api/v1/staff/checkins/{shuicheng['checkin_id']}", headers=pz_officer)
    assert refused.status == 403
    body = await refused.json()
    assert body["error"] == "county_out_of_scope" and "本县" in body["message_zh"] and "county" in body["message_en"]
    why_not = await gateway.get(f"/api/v1/checkins/{shuicheng['checkin_id']}/why-not/any", headers=pz_officer)
    assert why_not.status == 403

    own = await gateway.get(f"/api/v1/staff/checkins/{panzhou['checkin_id']}", headers=pz_officer)
    assert own.status == 200 and (await own.json())["worker_masked"].count("*") == 10
    sc_officer = auth(credentials["officer_shuicheng"])
    assert (await gateway.get(f"/api/v1/staff/checkins/{panzhou['checkin_id']}", headers=sc_officer)).status == 403
    assert (await gateway.get(f"/api/v1/staff/checkins/{shuicheng['checkin_id']}", headers=sc_officer)).status == 200
    for ticket in (panzhou, shuicheng):  # the city administrator sees every county
        answer = await gateway.get(f"/api/v1/staff/checkins/{ticket['checkin_id']}", headers=auth(credentials["admin"]))
        assert answer.status == 200


async def test_a_county_officer_sees_only_their_countys_quotas(
    gateway: TestClient, credentials: dict[str, str]
) -> None:
    pz_officer = auth(credentials["officer_panzhou"])
    other = await gateway.get("/api/v1/quotas", params={"county": "shuicheng"}, headers=pz_officer)
    assert other.status == 403 and (await other.json())["error"] == "county_out_of_scope"
    city = await gateway.get("/api/v1/quotas", params={"county": "city"}, headers=pz_officer)
    assert city.status == 403
    board = await gateway.get("/api/v1/quotas", headers=pz_officer)
    assert board.status == 200
    answer = await board.json()
    assert {e["scope"] for e in answer["entries"]} <= {"panzhou"}
    assert set(answer["policies"]) <= {"panzhou"}
    policy = await gateway.post(
        "/api/v1/quotas/shuicheng/policy", json={}, headers=auth(credentials["officer_panzhou"])
    )
    assert policy.status == 403
    everything = await gateway.get("/api/v1/quotas", headers=auth(credentials["admin"]))
    assert everything.status == 200


async def test_an_employer_cannot_see_or_change_another_employers_requests(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    market, trade = lane
    login_a, _ = await register_company(gateway, "甲公司")
    login_b, _ = await register_company(gateway, "乙公司")
    token_a = (await sign_in(gateway, login_a))["token"]
    token_b = (await sign_in(gateway, login_b))["token"]
    worker = await _check_in(gateway, credentials[market], trade)

    posted = await gateway.post("/api/v1/job-requests", json=job_body(market, trade), headers=auth(token_a))
    assert posted.status == 202, await posted.text()
    request_id = (await posted.json())["request_id"]

    async def offered() -> dict[str, Any] | None:
        view = await (await gateway.get(worker["status_url"])).json()
        return view if view.get("status") == "offered" else None

    offer = (await eventually(offered, what="offer"))["offer"]
    accepted = await gateway.post(
        f"/api/v1/offers/{offer['offer_id']}/answer", json={"answer": "accept"}, headers=auth(credentials[market])
    )
    assert accepted.status == 202

    async def placement_id() -> str | None:
        view = await (await gateway.get(f"/api/v1/job-requests/{request_id}", headers=auth(token_a))).json()
        placements = view.get("placements") or []
        return placements[0] if placements else None

    placed = await eventually(placement_id, what="placement")

    seen_by_b = await gateway.get(f"/api/v1/job-requests/{request_id}", headers=auth(token_b))
    assert seen_by_b.status == 404 and (await seen_by_b.json())["error"] == "job_request_unknown"
    no_show_by_b = await gateway.post(f"/api/v1/placements/{placed}/no-show", json={}, headers=auth(token_b))
    assert no_show_by_b.status == 404
    cancel_by_b = await gateway.post(f"/api/v1/job-requests/{request_id}/cancel", json={}, headers=auth(token_b))
    assert cancel_by_b.status == 404
    still = await (await gateway.get(f"/api/v1/job-requests/{request_id}", headers=auth(token_a))).json()
    assert still["status"] != "cancelled"
    cancel_by_a = await gateway.post(f"/api/v1/job-requests/{request_id}/cancel", json={}, headers=auth(token_a))
    assert cancel_by_a.status == 202


async def test_a_kiosk_of_market_a_cannot_act_at_market_b(gateway: TestClient, credentials: dict[str, str]) -> None:
    market_b, trade = take_lane("lz-market")
    kiosk_a = credentials["zs-market"]
    elsewhere = await gateway.post(
        "/api/v1/checkins",
        json=check_in_body(new_id_number(), trade, market_id=market_b),
        headers=auth(kiosk_a),
    )
    assert elsewhere.status == 403
    body = await elsewhere.json()
    assert body["error"] == "kiosk_market_mismatch" and body["errors"][0]["field"] == "market_id"

    at_b = await _check_in(gateway, credentials[market_b], trade)
    check_out = await gateway.post(f"/api/v1/checkins/{at_b['checkin_id']}/check-out", json={}, headers=auth(kiosk_a))
    assert check_out.status == 404


async def test_a_signed_out_token_is_refused_at_once_and_after_the_projector(
    gateway: TestClient, platform: Settings
) -> None:
    login, _ = await register_company(gateway, "丙公司")
    session = await sign_in(gateway, login)
    token = session["token"]
    assert session["credential_id"] == token_sha256(token) and token not in str(session["credential_id"])
    mine = await gateway.post("/api/v1/sessions/revoke", json={}, headers=auth(token))
    assert mine.status == 200
    right_after = await gateway.get("/api/v1/job-requests/any", headers=bearer(token))
    assert right_after.status == 401 and (await right_after.json())["error"] == "credential_unknown"

    client = aioredis.Redis.from_url(platform.redis_url)
    try:

        async def projected_away() -> bool:
            return await client.get(keys.credential(platform.topic_prefix, session["credential_id"])) is None

        await eventually(projected_away, what="revocation projected")
        await client.delete(keys.revoked_token(platform.topic_prefix, session["credential_id"]))
    finally:
        await client.aclose()
    assert (await gateway.get("/api/v1/job-requests/any", headers=bearer(token))).status == 401


async def test_an_administrator_revokes_a_token_an_account_and_a_device_at_once(
    gateway: TestClient, credentials: dict[str, str]
) -> None:
    admin = auth(credentials["admin"])
    login, registered = await register_company(gateway, "丁公司")
    first = await sign_in(gateway, login)
    second = await sign_in(gateway, login)
    assert (await gateway.get("/api/v1/job-requests/x", headers=bearer(first["token"]))).status == 404

    one = await gateway.post(f"/api/v1/credentials/{first['credential_id']}/revoke", json={}, headers=admin)
    assert one.status == 200
    assert (await gateway.get("/api/v1/job-requests/x", headers=bearer(first["token"]))).status == 401
    assert (await gateway.get("/api/v1/job-requests/x", headers=bearer(second["token"]))).status == 404

    account = await gateway.post(f"/api/v1/accounts/{registered['account_id']}/revoke", json={}, headers=admin)
    assert account.status == 200
    assert (await gateway.get("/api/v1/job-requests/x", headers=bearer(second["token"]))).status == 401
    again = await gateway.post("/api/v1/sessions", json={"login": login, "password": "correct-horse-battery"})
    assert again.status == 401

    market, trade = take_lane("gx-market")
    device = await gateway.post("/api/v1/devices", json={"market_id": market, "name": "高新区2号机"}, headers=admin)
    assert device.status == 200, await device.text()
    issued = await device.json()
    assert issued["role"] == "kiosk" and issued["market_id"] == market
    works = await gateway.post(
        "/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(issued["token"])
    )
    assert works.status == 202
    revoked = await gateway.post(f"/api/v1/accounts/{issued['account_id']}/revoke", json={}, headers=admin)
    assert revoked.status == 200
    refused = await gateway.post(
        "/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(issued["token"])
    )
    assert refused.status == 401


async def test_only_the_administrator_manages_accounts(gateway: TestClient, credentials: dict[str, str]) -> None:
    body = {"login": "someone", "name": "某人", "password": "a-long-password", "role": "admin"}
    for role in ("officer_panzhou", "organiser", "employer", "zs-market"):
        answer = await gateway.post("/api/v1/accounts", json=body, headers=auth(credentials[role]))
        assert answer.status == 403, role
    unknown = await gateway.post("/api/v1/accounts/none/revoke", json={}, headers=auth(credentials["officer_panzhou"]))
    assert unknown.status == 403
