"""A batch the projector drops as stale is fetched again (projector/app.py).

The projector drops a batch fetched before a seek completed (a rebalance's, or Redis lost): it may not follow
the offsets Redis now holds. But a seek that *started* before the fetch and *finished* after it (the rebalance
callback awaits Redis for each partition) makes a batch fetched from the new position look stale too, and the
consumer's position has already moved past it. Found by ``test_reports_replay``: during ``lingong rebuild`` a
quiet partition's last records were dropped that way and never fetched again, so the replay never caught up.

This test makes that interleaving happen every time, on the session's real Kafka and Redis: the first batch the
projector fetches is overtaken by a seek finishing (the counter the projector compares moves), and every record
must still be projected.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer

from projector.app import Projector
from services import topics
from services.people import records
from services.readmodels import keys
from services.records import encode
from services.settings import Settings
from services.topics import topic_specs
from tests.support import stack

COUNT = 40


class _OvertakenOnce(Projector):
    """A projector whose first fetched batch is overtaken by a seek finishing (as a rebalance's would)."""

    overtaken = 0

    async def until_written(self, write: Any, *args: Any, fetched: int | None = None) -> bool:
        if fetched is not None and not self.overtaken:
            self.overtaken += 1
            self.seeks += 2  # a seek that was under way when the batch was fetched has now finished
        return await super().until_written(write, *args, fetched=fetched)


async def test_a_batch_dropped_as_stale_is_fetched_again(kafka: stack.KafkaBroker, settings: Settings) -> None:
    run = uuid.uuid4().hex[:6]
    own = dataclasses.replace(
        settings, topic_prefix=f"stale{run}.", streams_app_id=f"{settings.streams_app_id}-stale{run}", partitions=1
    )
    kafka.create_topics(topic_specs(own))
    topic = own.topic(topics.REGISTRY)
    producer = AIOKafkaProducer(bootstrap_servers=own.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for n in range(COUNT):
            fact = records.DeviceRegistered(
                id=f"stale-{n}",
                at=datetime(2026, 11, 26, 2, 0, tzinfo=UTC),
                token_sha256=f"{n:064x}",
                role="kiosk",
                subject_id=f"stale-kiosk-{n}",
                display_name="重取测试机",
                market_id="zs-market",
            )
            await producer.send_and_wait(topic, encode(fact), key=b"stale", partition=0)
    finally:
        await producer.stop()

    redis = aioredis.Redis.from_url(own.redis_url)
    projector = _OvertakenOnce(own, redis)
    stop = asyncio.Event()
    task = asyncio.create_task(projector.run(stop))
    offset_key = keys.projector_offset(own.topic_prefix, topic, 0)
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while (raw := await redis.get(offset_key)) is None or int(raw) < COUNT:
            assert not task.done(), task
            assert asyncio.get_running_loop().time() < deadline, f"stuck at offset {raw!r} of {COUNT}"
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
        await redis.aclose()
    assert projector.overtaken == 1
    assert projector.projected == COUNT
