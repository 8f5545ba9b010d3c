"""Fetches batch while records flow and wait long while none do (services/adapters/idle_fetch.py), against the
session's real broker: a batching consumer switches to (1 byte, idle wait) after an empty fetch, and a record
that arrives then is answered at once, not after the idle wait."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.adapters import idle_fetch
from services.topics import TopicSpec
from tests.support import stack

BUSY = (16384, 20)
IDLE_WAIT_MS = 4000


async def _until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.01)
    return False


async def _scenario(bootstrap: str, topic: str) -> dict[str, object]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        fetch_min_bytes=BUSY[0],
        fetch_max_wait_ms=BUSY[1],
    )
    seen: dict[str, object] = {}
    try:
        for n in range(50):
            await producer.send_and_wait(topic, f"early-{n}".encode())
        await consumer.start()
        got = 0
        while got < 50:
            batch = await consumer.getmany(timeout_ms=10_000)
            if got == 0:
                seen["mode_with_records"] = idle_fetch.fetch_mode(consumer)  # no await since they were added
            got += sum(len(records) for records in batch.values())
        seen["idle_reached"] = await _until(lambda: idle_fetch.fetch_mode(consumer) == (1, IDLE_WAIT_MS), 10)
        await asyncio.sleep(0.5)  # an idle fetch (up to 4 s) is now in flight at the broker
        sent = time.monotonic()
        await producer.send_and_wait(topic, b"after a quiet spell")
        while not any(await consumer.getmany(timeout_ms=10_000)):
            pass
        seen["quiet_record_seconds"] = time.monotonic() - sent
    finally:
        await consumer.stop()
        await producer.stop()
    return seen


def test_a_quiet_consumer_waits_long_and_still_gets_a_new_record_at_once(kafka: stack.KafkaBroker) -> None:
    topic = f"idle-fetch-{uuid.uuid4().hex[:8]}"
    kafka.create_topics([TopicSpec(topic, 1, 1)])
    idle_fetch.apply(IDLE_WAIT_MS)
    try:
        seen = asyncio.run(_scenario(kafka.bootstrap, topic))
    finally:
        idle_fetch.apply(0)
    assert seen["mode_with_records"] == BUSY  # records flow: the consumer's own batching settings
    assert seen["idle_reached"]  # nothing to read: one byte, the idle wait
    # Answered when the record arrived (one byte is enough), not when the 4 s idle wait ran out.
    assert isinstance(seen["quiet_record_seconds"], float) and seen["quiet_record_seconds"] < 2.0, seen


def test_a_consumer_that_does_not_batch_is_left_alone(kafka: stack.KafkaBroker) -> None:
    topic = f"idle-fetch-{uuid.uuid4().hex[:8]}"
    kafka.create_topics([TopicSpec(topic, 1, 1)])
    idle_fetch.apply(IDLE_WAIT_MS)

    async def scenario() -> tuple[int, int]:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap, group_id=None, fetch_max_wait_ms=300)
        await consumer.start()
        try:
            await consumer.getmany(timeout_ms=1000)  # empty fetches only
            return idle_fetch.fetch_mode(consumer)
        finally:
            await consumer.stop()

    try:
        assert asyncio.run(scenario()) == (1, 300)
    finally:
        idle_fetch.apply(0)
