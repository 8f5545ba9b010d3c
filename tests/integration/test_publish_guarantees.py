"""A 2xx means the record is on the topic; the same Idempotency-Key twice gives one record."""

from __future__ import annotations

import asyncio
import uuid

from aiohttp.test_utils import TestClient

from services import topics
from services.market import records
from services.settings import Settings
from tests.integration.conftest import auth, check_in_body
from tests.support.kafka_reader import read_topic


async def _commands_with_id(settings: Settings, command_id: str) -> list[records.WorkerCommand]:
    """The check-ins with ``command_id`` on ``worker-commands``, the topic the gateway publishes them to (the
    roster's forward to ``market-commands`` comes later, from the stream worker, and is not what a 202 promises).
    """
    found = []
    for message in await read_topic(settings.kafka_bootstrap, settings.topic(topics.WORKER_COMMANDS)):
        try:
            command = records.decode_worker_command(message.value)
        except Exception:
            continue
        if command.id == command_id:
            found.append(command)
    return found


async def test_a_202_means_the_command_is_already_on_the_topic(
    gateway: TestClient,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
    platform: Settings,
) -> None:
    market, trade = lane
    response = await gateway.post(
        "/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(credentials[market])
    )
    assert response.status == 202
    checkin_id = (await response.json())["checkin_id"]
    # Read back at once, by a separate consumer, with no waiting: the ack came before the answer.
    (command,) = await _commands_with_id(platform, checkin_id)
    assert isinstance(command, records.CheckIn) and command.market_id == market and command.trades == (trade,)


async def test_same_idempotency_key_twice_gives_one_record_and_the_same_answer(
    gateway: TestClient,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
    platform: Settings,
) -> None:
    market, trade = lane
    key = uuid.uuid4().hex
    body = check_in_body(id_number, trade)
    first = await gateway.post("/api/v1/checkins", json=body, headers=auth(credentials[market], key))
    second = await gateway.post("/api/v1/checkins", json=body, headers=auth(credentials[market], key))
    assert first.status == second.status == 202
    assert await first.json() == await second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(await _commands_with_id(platform, (await first.json())["checkin_id"])) == 1

    reused = await gateway.post(
        "/api/v1/checkins", json={**body, "min_day_wage": 999}, headers=auth(credentials[market], key)
    )
    assert reused.status == 422
    assert (await reused.json())["error"] == "idempotency_key_reused"


async def test_concurrent_duplicates_give_one_record(
    gateway: TestClient,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
    platform: Settings,
) -> None:
    market, trade = lane
    key = uuid.uuid4().hex
    body = check_in_body(id_number, trade)
    responses = await asyncio.gather(
        *(gateway.post("/api/v1/checkins", json=body, headers=auth(credentials[market], key)) for _ in range(8))
    )
    statuses = sorted(r.status for r in responses)
    assert set(statuses) <= {202, 409} and 202 in statuses
    ids = {(await r.json())["checkin_id"] for r in responses if r.status == 202}
    assert len(ids) == 1
    assert len(await _commands_with_id(platform, ids.pop())) == 1


async def test_missing_idempotency_key_is_a_clear_400(gateway: TestClient, credentials: dict[str, str]) -> None:
    response = await gateway.post(
        "/api/v1/checkins",
        json=check_in_body("520201199001011234", "mason"),
        headers={"Authorization": f"Bearer {credentials['zs-market']}"},
    )
    assert response.status == 400
    body = await response.json()
    assert body["errors"][0]["field"] == "Idempotency-Key" and "Idempotency-Key" in body["message_zh"]
