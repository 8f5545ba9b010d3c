"""Rate limits in Redis: sign-in per address and per account, requests per kiosk, account and address.

Each test runs a gateway with small limits (Settings fields) against the session's Redis; a refusal is 429 with
Retry-After and a problem naming the limit. The counters are atomic: concurrent hits never pass the limit.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from gateway.main import create_app
from services.adapters.ratelimit import RateLimiter
from services.ratelimit import Limit
from services.readmodels import keys
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.integration.account_support import PASSWORD, bearer, new_credit_code, register_company, sign_in
from tests.integration.conftest import auth

Client = Callable[..., Awaitable[TestClient]]


async def _limited(aiohttp_client: Client, platform: Settings, **limits: int) -> TestClient:
    settings = dataclasses.replace(platform, **limits)  # type: ignore[arg-type]
    return await aiohttp_client(create_app(settings, clock=lambda: TEST_NOW))


async def _reset(platform: Settings, limit: str, subject: str = "127.0.0.1") -> None:
    client = aioredis.Redis.from_url(platform.redis_url)
    try:
        await client.delete(keys.rate_limit(platform.topic_prefix, limit, subject))
    finally:
        await client.aclose()


async def _assert_refused(response: ClientResponse, limit: str) -> None:
    assert response.status == 429, await response.text()
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    body = await response.json()
    assert body["error"] == "rate_limited" and body["errors"][0]["field"] == limit
    assert limit in body["message_zh"] and limit in body["message_en"] and "请" in body["message_zh"]


async def test_sign_in_is_throttled_per_account(
    aiohttp_client: Client, platform: Settings, gateway: TestClient
) -> None:
    login, _ = await register_company(gateway)
    await _reset(platform, "signin_per_address")
    client = await _limited(aiohttp_client, platform, signin_per_account_max=3)
    for _ in range(3):
        wrong = await client.post("/api/v1/sessions", json={"login": login, "password": "guess-guess-guess"})
        assert wrong.status == 401
    await _assert_refused(
        await client.post("/api/v1/sessions", json={"login": login, "password": "x"}), "signin_per_account"
    )
    # even the right password waits for the window: the limit counts attempts, not failures
    right = await client.post("/api/v1/sessions", json={"login": login, "password": "correct-horse-battery"})
    await _assert_refused(right, "signin_per_account")


async def test_sign_in_is_throttled_per_client_address(aiohttp_client: Client, platform: Settings) -> None:
    await _reset(platform, "signin_per_address")
    client = await _limited(aiohttp_client, platform, signin_per_address_max=4)
    for n in range(4):
        answer = await client.post("/api/v1/sessions", json={"login": f"nobody{n}", "password": "guess-guess"})
        assert answer.status == 401
    await _assert_refused(
        await client.post("/api/v1/sessions", json={"login": "nobody9", "password": "guess-guess"}),
        "signin_per_address",
    )
    await _reset(platform, "signin_per_address")


async def test_registration_is_limited_per_client_address(aiohttp_client: Client, platform: Settings) -> None:
    await _reset(platform, "registration_per_address")
    client = await _limited(aiohttp_client, platform, registration_per_address_max=1)
    await register_company(client, "限流注册一")
    second = {"kind": "company", "credit_code": new_credit_code(), "name": "限流注册二", "password": PASSWORD}
    await _assert_refused(await client.post("/api/v1/employers", json=second), "registration_per_address")
    await _reset(platform, "registration_per_address")


async def test_a_hall_behind_one_address_still_registers_after_200_malformed_requests(
    aiohttp_client: Client, platform: Settings
) -> None:
    """Malformed and invalid registrations count against their own limit, never the registrations' (production
    defaults: 10 registrations an hour, 300 refused submissions in 10 minutes per address)."""
    for limit in ("registration_per_address", "malformed_per_address"):
        await _reset(platform, limit)
    defaults = Settings()
    client = await _limited(
        aiohttp_client,
        platform,
        registration_per_address_max=defaults.registration_per_address_max,
        malformed_per_address_max=defaults.malformed_per_address_max,
    )
    bad_bodies: list[bytes] = [b"{", b"[" * 5000 + b"]" * 5000, b'{"kind": "company"}', b'"text"', b"{}"]
    for n in range(200):
        answer = await client.post(
            "/api/v1/employers", data=bad_bodies[n % len(bad_bodies)], headers={"Content-Type": "application/json"}
        )
        assert answer.status in (400, 422), await answer.text()
    await register_company(client, "同一网络的新单位")
    for limit in ("registration_per_address", "malformed_per_address"):
        await _reset(platform, limit)


async def test_refused_registrations_have_a_limit_of_their_own(aiohttp_client: Client, platform: Settings) -> None:
    await _reset(platform, "malformed_per_address")
    client = await _limited(aiohttp_client, platform, malformed_per_address_max=2)
    for _ in range(2):
        assert (await client.post("/api/v1/employers", json={})).status == 422
    await _assert_refused(await client.post("/api/v1/employers", json={}), "malformed_per_address")
    await _reset(platform, "malformed_per_address")


async def _new_device(gateway: TestClient, credentials: dict[str, str], name: str) -> str:
    device = await gateway.post(
        "/api/v1/devices", json={"market_id": "zs-market", "name": name}, headers=auth(credentials["admin"])
    )
    assert device.status == 200, await device.text()
    return str((await device.json())["token"])


async def test_requests_are_limited_per_kiosk(
    aiohttp_client: Client, platform: Settings, gateway: TestClient, credentials: dict[str, str]
) -> None:
    token, other_token = [await _new_device(gateway, credentials, name) for name in ("限流测试机", "另一台")]
    client = await _limited(aiohttp_client, platform, kiosk_requests_max=2)
    for _ in range(2):
        assert (await client.post("/api/v1/checkins/none/check-out", json={}, headers=auth(token))).status == 404
    await _assert_refused(
        await client.post("/api/v1/checkins/none/check-out", json={}, headers=auth(token)), "kiosk_requests"
    )
    # another kiosk is not held up
    other = await client.post("/api/v1/checkins/none/check-out", json={}, headers=auth(other_token))
    assert other.status == 404


async def test_requests_are_limited_per_account(
    aiohttp_client: Client, platform: Settings, gateway: TestClient
) -> None:
    login, _ = await register_company(gateway)
    token = (await sign_in(gateway, login))["token"]
    client = await _limited(aiohttp_client, platform, account_requests_max=2)
    for _ in range(2):
        assert (await client.get("/api/v1/job-requests/none", headers=bearer(token))).status == 404
    await _assert_refused(await client.get("/api/v1/job-requests/none", headers=bearer(token)), "account_requests")


async def test_requests_are_limited_per_client_address(
    aiohttp_client: Client, platform: Settings, credentials: dict[str, str]
) -> None:
    await _reset(platform, "address_requests")
    client = await _limited(aiohttp_client, platform, address_requests_max=3)
    for _ in range(3):
        assert (await client.get("/api/v1/job-requests/none", headers=bearer(credentials["employer"]))).status == 404
    await _assert_refused(
        await client.get("/api/v1/job-requests/none", headers=bearer(credentials["employer"])), "address_requests"
    )
    await _reset(platform, "address_requests")


async def test_the_counter_is_atomic_under_concurrent_hits(platform: Settings) -> None:
    client = aioredis.Redis.from_url(platform.redis_url)
    try:
        limiter = RateLimiter(client, f"{platform.topic_prefix}atomic.")
        limit = Limit("burst", 10, 60, "测试", "test")
        verdicts = await asyncio.gather(*(limiter.hit(limit, "one") for _ in range(60)))
        assert sum(v.allowed for v in verdicts) == 10
        assert sorted(v.count for v in verdicts) == list(range(1, 61))
        assert all(0 < v.retry_after <= 60 for v in verdicts)
    finally:
        await client.aclose()
