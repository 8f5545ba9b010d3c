"""Hostile bodies on every operation of the API, signed in and not: no 5xx, a JSON problem for every refusal, and
an unauthenticated request writes nothing to Redis but bounded rate-limit counters.

The bodies are generated from a seed (so a failure can be replayed): nesting far past the decoder's limit, bytes
that are not UTF-8, huge numbers and strings, every JSON type where an object is expected, objects with the
operation's own field names holding control characters, bidirectional overrides and zero-width text.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from gateway.bodies import MAX_DEPTH
from gateway.main import create_app
from services.readmodels import keys
from services.settings import Settings
from tests.conftest import TEST_NOW

SEED = 20261207
#: Field names the operations read: a hostile value under a real name reaches the parsers, not just the decoder.
FIELDS = (
    "id_number", "trades", "min_day_wage", "available_from", "available_until", "market_id", "trade", "headcount",
    "day_wage", "start", "hours", "place", "description", "answer", "step", "login", "password", "kind",
    "credit_code", "name", "county", "role", "title", "venue", "date", "end", "capacity", "level", "positions",
    "booth", "reason", "wage", "wage_unit", "checkin_id", "phone", "start_now",
)  # fmt: skip
NASTY_TEXT = ("\u200b\u200b", "钟山区\x00", "\x07\x1b[31m红", "\u202e城荷山钟", "\u2066x\u2069", "\ud800", "9" * 400)
#: The one write an anonymous request may cause: its per-address counters.
ALLOWED_ANONYMOUS_KEYS = re.compile(r"ratelimit:")


def hostile_bodies(rng: random.Random, count: int) -> Iterator[bytes]:
    """``count`` bodies: fixed worst cases first, then random mixtures."""
    yield b"[" * 981 + b"]" * 981
    yield b"{" + b'"a":{' * 5000 + b"}" * 5001
    yield b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    yield b"\xff\xfe\x00{"
    yield b'{"a": NaN}'
    yield b"1e999999"
    yield b'"' + b"x" * 60_000 + b'"'
    yield b""
    for _ in range(count):
        yield json.dumps(_value(rng, 0), ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def _value(rng: random.Random, depth: int) -> object:
    choice = rng.randrange(8 if depth < 4 else 5)
    if choice == 0:
        return rng.choice([None, True, False, 0, -1, 2**63, -(2**70), 1.5e300])
    if choice == 1:
        return rng.choice(NASTY_TEXT)
    if choice == 2:
        return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(0, 12)))
    if choice in (3, 4):
        return rng.randrange(-(10**6), 10**6)
    if choice == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {rng.choice(FIELDS): _value(rng, depth + 1) for _ in range(rng.randrange(0, 6))}


def operations(gateway: TestClient) -> list[str]:
    """The path of every ``POST`` operation of the JSON API, its parameters filled with an unknown id."""
    paths = set()
    for route in gateway.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or ""
        if route.method == "POST" and path.startswith("/api/"):
            paths.add(re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
    return sorted(paths)


@pytest.fixture
async def gateway(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, redis: aioredis.Redis
) -> AsyncIterator[TestClient]:
    """A gateway whose request limits let every hostile body reach the parsers; the shared credentials' and the
    address's counters are put back afterwards, so the other tests' limits are not used up by this one."""
    pattern = keys.rate_limit(platform.topic_prefix, "*", "*")
    before = {key: (await redis.get(key), await redis.pttl(key)) async for key in redis.scan_iter(match=pattern)}
    unlimited = dataclasses.replace(
        platform, account_requests_max=10**6, kiosk_requests_max=10**6, address_requests_max=10**6
    )
    yield await aiohttp_client(create_app(unlimited, clock=lambda: TEST_NOW))
    async for key in redis.scan_iter(match=pattern):
        if key not in before:
            await redis.delete(key)
    for key, (value, ttl) in before.items():
        if value is not None and ttl > 0:
            await redis.set(key, value, px=ttl)


async def _assert_problem(answer_status: int, text: str, where: str) -> None:
    assert answer_status < 500, f"{where}: {answer_status} {text[:300]}"
    if answer_status >= 400:
        problem = json.loads(text)
        assert problem["error"] and problem["message_zh"] and problem["message_en"], f"{where}: {text[:300]}"


async def _keys(redis: aioredis.Redis, prefix: str) -> set[bytes]:
    return {key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)}


async def test_anonymous_hostile_bodies_get_problems_and_write_only_counters(
    gateway: TestClient, platform: Settings, redis: aioredis.Redis
) -> None:
    rng = random.Random(SEED)
    paths = operations(gateway)
    assert len(paths) >= 20, paths
    before = await _keys(redis, platform.topic_prefix)
    for path in paths:
        for body in hostile_bodies(rng, 25):
            headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
            answer = await gateway.post(path, data=body, headers=headers)
            await _assert_problem(answer.status, await answer.text(), f"POST {path} {body[:80]!r}")
    created = {key.decode() for key in await _keys(redis, platform.topic_prefix) - before}
    unexpected = {key for key in created if not ALLOWED_ANONYMOUS_KEYS.search(key)}
    assert not unexpected, f"anonymous requests wrote {sorted(unexpected)[:10]}"
    counters = {key for key in created if key.startswith(keys.rate_limit(platform.topic_prefix, "", "").rstrip(":"))}
    assert len(counters) <= 10, "the per-address counters are few and bounded"


async def test_signed_in_hostile_bodies_get_problems(gateway: TestClient, credentials: dict[str, str]) -> None:
    rng = random.Random(SEED + 1)
    # every role; revoking one's own session would end the shared credential, so that operation is left out
    paths = [p for p in operations(gateway) if p != "/api/v1/sessions/revoke"]
    for role in ("zs-market", "employer", "organiser", "officer_panzhou", "admin"):
        for path in paths:
            for body in hostile_bodies(rng, 6):
                headers = {
                    "Authorization": f"Bearer {credentials[role]}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                }
                answer = await gateway.post(path, data=body, headers=headers)
                await _assert_problem(answer.status, await answer.text(), f"{role} POST {path} {body[:80]!r}")
