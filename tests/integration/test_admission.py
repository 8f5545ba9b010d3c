"""The admission script on the real Redis: one round trip counts the limits, looks the token up and claims the
Idempotency-Key, stopping exactly where the step-by-step flow stopped (what is counted, what is claimed)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gateway.admission import Admission, Claim, Limits
from services.ratelimit import Limit
from services.readmodels import keys
from services.settings import Settings

ADDRESS = "203.0.113.9"
DIGEST = "d" * 64
KIOSK = {"role": "kiosk", "subject_id": "kiosk-a", "display_name": "甲", "market_id": "zs-market"}


def _limits(address_max: int = 100, second_max: int = 100) -> Limits:
    return Limits(
        Limit("address_requests", address_max, 60, "每个网络地址", "per client address"),
        Limit("kiosk_requests", second_max, 60, "每台自助终端", "per kiosk"),
        Limit("account_requests", second_max, 60, "每个账号", "per account"),
    )


@pytest.fixture
async def redis_client(settings: Settings) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test-admission-{uuid.uuid4().hex[:8]}."


async def _count(client: aioredis.Redis, prefix: str, limit: str, subject: str) -> int:
    return int(await client.get(keys.rate_limit(prefix, limit, subject)) or 0)


async def _register(client: aioredis.Redis, prefix: str, record: dict[str, object]) -> None:
    await client.set(keys.credential(prefix, DIGEST), json.dumps(record))


async def test_a_kiosk_is_counted_and_its_key_claimed_once(redis_client: aioredis.Redis, prefix: str) -> None:
    await redis_client.script_flush()  # the first call also loads the script
    admission = Admission(redis_client, prefix)
    await _register(redis_client, prefix, KIOSK)
    claim = Claim("key-00000001", '{"state": "pending", "fp": "f1"}', 60)
    first = await admission.admit(ADDRESS, DIGEST, _limits(), ["kiosk"], claim)
    assert first.status == "ok" and first.claim == "claimed"
    assert first.credential is not None and json.loads(first.credential) == KIOSK
    assert first.address.count == 1 and first.second is not None and first.second.count == 1
    assert first.second.limit.name == "kiosk_requests"
    again = await admission.admit(ADDRESS, DIGEST, _limits(), ["kiosk"], claim)
    assert again.claim == claim.value.encode()  # taken: the stored value comes back
    assert await _count(redis_client, prefix, "kiosk_requests", "kiosk-a") == 2
    assert await redis_client.ttl(keys.idempotency(prefix, "kiosk:kiosk-a", claim.key)) > 0


async def test_over_the_address_limit_nothing_else_is_counted(redis_client: aioredis.Redis, prefix: str) -> None:
    admission = Admission(redis_client, prefix)
    await _register(redis_client, prefix, KIOSK)
    claim = Claim("key-00000002", "{}", 60)
    await admission.admit(ADDRESS, DIGEST, _limits(address_max=1), ["kiosk"], None)
    refused = await admission.admit(ADDRESS, DIGEST, _limits(address_max=1), ["kiosk"], claim)
    assert refused.status == "address" and not refused.address.allowed and refused.address.retry_after > 0
    assert await _count(redis_client, prefix, "address_requests", ADDRESS) == 2
    assert await _count(redis_client, prefix, "kiosk_requests", "kiosk-a") == 1
    assert not await redis_client.exists(keys.idempotency(prefix, "kiosk:kiosk-a", claim.key))


async def test_unknown_and_revoked_tokens_count_only_the_address(redis_client: aioredis.Redis, prefix: str) -> None:
    admission = Admission(redis_client, prefix)
    assert (await admission.admit(ADDRESS, DIGEST, _limits(), ["kiosk"], None)).status == "unknown"
    await _register(redis_client, prefix, KIOSK)
    await redis_client.set(keys.revoked_token(prefix, DIGEST), "1")
    assert (await admission.admit(ADDRESS, DIGEST, _limits(), ["kiosk"], None)).status == "unknown"
    assert await _count(redis_client, prefix, "kiosk_requests", "kiosk-a") == 0
    assert await _count(redis_client, prefix, "address_requests", ADDRESS) == 2


async def test_a_revoked_account_refuses_its_tokens(redis_client: aioredis.Redis, prefix: str) -> None:
    admission = Admission(redis_client, prefix)
    employer = {"role": "employer", "subject_id": "e-1", "display_name": "乙", "account_id": "acc-1"}
    await _register(redis_client, prefix, employer)
    assert (await admission.admit(ADDRESS, DIGEST, _limits(), ["employer"], None)).status == "unknown"  # no account
    await redis_client.set(keys.account(prefix, "acc-1"), json.dumps({"account_id": "acc-1", "revoked": False}))
    live = await admission.admit(ADDRESS, DIGEST, _limits(), ["employer"], None)
    assert live.status == "ok" and live.second is not None and live.second.limit.name == "account_requests"
    await redis_client.set(keys.revoked_account(prefix, "acc-1"), "1")
    assert (await admission.admit(ADDRESS, DIGEST, _limits(), ["employer"], None)).status == "unknown"
    await redis_client.delete(keys.revoked_account(prefix, "acc-1"))
    await redis_client.set(keys.account(prefix, "acc-1"), json.dumps({"account_id": "acc-1", "revoked": True}))
    assert (await admission.admit(ADDRESS, DIGEST, _limits(), ["employer"], None)).status == "unknown"
    assert await _count(redis_client, prefix, "account_requests", "acc-1") == 1


async def test_no_claim_over_the_kiosk_limit_nor_for_another_role(redis_client: aioredis.Redis, prefix: str) -> None:
    admission = Admission(redis_client, prefix)
    await _register(redis_client, prefix, KIOSK)
    claim = Claim("key-00000003", "{}", 60)
    wrong_role = await admission.admit(ADDRESS, DIGEST, _limits(), ["employer"], claim)
    assert wrong_role.status == "ok" and wrong_role.claim is None
    limited = await admission.admit(ADDRESS, DIGEST, _limits(second_max=1), ["kiosk"], claim)
    assert limited.status == "limited" and limited.second is not None and not limited.second.allowed
    assert limited.claim is None
    assert not await redis_client.exists(keys.idempotency(prefix, "kiosk:kiosk-a", claim.key))


async def test_a_token_with_an_expiry_is_left_to_the_caller(redis_client: aioredis.Redis, prefix: str) -> None:
    admission = Admission(redis_client, prefix)
    await _register(redis_client, prefix, {**KIOSK, "expires_at": "2026-01-01T00:00:00+00:00"})
    found = await admission.admit(ADDRESS, DIGEST, _limits(), ["kiosk"], Claim("key-00000004", "{}", 60))
    assert found.status == "check" and found.credential is not None and found.claim is None
    assert await _count(redis_client, prefix, "kiosk_requests", "kiosk-a") == 0
