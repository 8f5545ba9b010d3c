"""Helpers for the fair integration tests: a gateway whose clock the test moves, posts, ticks and topic reads.

The fair agent's quota clock only moves forward (per scope, the latest instant it has seen). The fair tests
therefore use increasing times: ``test_fairs_api`` the session's "now" (2026), ``test_fairs_quota`` 2030.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaProducer

from gateway.main import create_app
from services import clock, topics
from services.fairs import quotas
from services.fairs import records as fair_records
from services.people import credit_code
from services.settings import Settings
from streams.fair_agent import ticks
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually


class MovableClock:
    """The gateway's clock, set by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    """A Liupanshui wall-clock time as a UTC instant."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=clock.ZONE).astimezone(UTC)


def credit(prefix17: str) -> str:
    return prefix17 + credit_code.check_character(prefix17)


async def fair_client(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, at: datetime
) -> tuple[TestClient, MovableClock]:
    moving = MovableClock(at)
    return await aiohttp_client(create_app(platform, clock=moving)), moving


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}


async def post(client: TestClient, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers(token))
    answer: dict[str, Any] = await response.json()
    assert response.status == 202, answer
    return answer


async def outcome(client: TestClient, answer: dict[str, Any]) -> dict[str, Any]:
    """The agent's verdict on a command: ``applied`` or ``refused`` (with the rule)."""

    async def probe() -> dict[str, Any] | None:
        response = await client.get(answer["status_url"])
        return await response.json() if response.status == 200 else None

    return await eventually(probe, what=f"outcome of {answer['status_url']}")


async def applied(client: TestClient, answer: dict[str, Any]) -> dict[str, Any]:
    verdict = await outcome(client, answer)
    assert verdict["status"] == "applied", verdict
    return verdict


async def fair_view(client: TestClient, fair_id: str, ready: Callable[[dict[str, Any]], bool] = bool) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await client.get(f"/api/v1/fairs/{fair_id}")
        if response.status != 200:
            return None
        body: dict[str, Any] = await response.json()
        return body if ready(body) else None

    return await eventually(probe, what=f"fair {fair_id}")


async def send_ticks(platform: Settings, at: datetime) -> None:
    """What the leader's timer does: one tick per scope, at ``at``."""
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for tick in ticks(quotas.SCOPES, at):
            await producer.send_and_wait(
                platform.topic(topics.FAIR_COMMANDS), fair_records.encode(tick), key=tick.county.encode()
            )
    finally:
        await producer.stop()


async def fair_events(platform: Settings) -> list[fair_records.FairEvent]:
    found = await read_topic(platform.kafka_bootstrap, platform.topic(topics.FAIR_EVENTS))
    return [fair_records.decode_event(m.value) for m in sorted(found, key=lambda m: (m.partition, m.offset))]
