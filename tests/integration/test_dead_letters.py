"""A record that cannot be decoded lands in ``dead-letters`` with its reason; the next one is processed."""

from __future__ import annotations

import uuid

from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaProducer

from services import records, topics
from services.market.records import CheckIn
from services.people import identity
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually


async def test_poison_goes_to_dead_letters_and_the_agent_goes_on(
    gateway: TestClient, lane: tuple[str, str], id_number: str, platform: Settings
) -> None:
    market, trade = lane
    poison = b'{"type":"check_in","v":1,"id":"' + uuid.uuid4().hex.encode() + b'", "broken'
    wrong_shape = records.encode(
        records.DeadLetter(
            id="x",
            at=TEST_NOW,
            reason="not a command",
            source_topic="t",
            source_partition=0,
            source_offset=0,
            key=None,
            payload=b"",
            stage="decode",
        )
    )
    valid = CheckIn(
        id=str(uuid.uuid4()),
        at=TEST_NOW,
        market_id=market,
        county="zhongshan",
        worker=identity.pseudonymise(id_number, platform.pseudonym_key),
        worker_masked=identity.mask_id_number(id_number),
        kiosk_id="kiosk-test",
        trades=(trade,),
        min_day_wage=100,
        available_from=7 * 60,
        available_until=18 * 60,
    )
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        topic = platform.topic(topics.MARKET_COMMANDS)
        for value in (poison, wrong_shape, records.encode(valid)):
            await producer.send_and_wait(topic, value, key=market.encode())
    finally:
        await producer.stop()

    async def queued() -> bool:
        response = await gateway.get(f"/api/v1/checkins/{valid.id}")
        return response.status == 200 and (await response.json())["status"] == "queued"

    await eventually(queued, what="the valid command after the poison was processed")

    async def letters() -> list[records.DeadLetter]:
        found = [
            records.decode_dead_letter(m.value)
            for m in await read_topic(platform.kafka_bootstrap, platform.topic(topics.DEAD_LETTERS))
        ]
        return [d for d in found if d.payload in (poison, wrong_shape)]

    found = await eventually(lambda: _both(letters), what="two dead letters")
    assert {d.stage for d in found} == {"decode"}
    assert all(d.reason and d.source_topic == platform.topic(topics.MARKET_COMMANDS) for d in found)
    assert all(d.key == market.encode() for d in found)


async def _both(letters):  # type: ignore[no-untyped-def]
    found = await letters()
    return found if len(found) == 2 else None
