"""Fixtures for tests that drive the real gateway against the session's Kafka, Redis and processes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from gateway.main import create_app
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.support import stack


@pytest.fixture
async def gateway(aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings) -> TestClient:
    return await aiohttp_client(create_app(platform, clock=lambda: TEST_NOW))


@pytest.fixture
async def redis(redis_server: stack.RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A client of the session's Redis, closed after the test."""
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


def auth(token: str, key: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key or uuid.uuid4().hex}


def check_in_body(id_number: str, trade: str, **extra: Any) -> dict[str, Any]:
    return {
        "id_number": id_number,
        "trades": [trade],
        "min_day_wage": 150,
        "available_from": "07:00",
        "available_until": "18:00",
        **extra,
    }


def job_body(market_id: str, trade: str, **extra: Any) -> dict[str, Any]:
    return {
        "market_id": market_id,
        "trade": trade,
        "headcount": 1,
        "day_wage": 220,
        "start": "09:00",
        "hours": 8,
        "place": "钟山区荷城街道",
        "certificate_required": False,
        **extra,
    }
