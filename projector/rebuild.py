"""Rebuild the read models: wipe them from Redis and replay every projected topic from the start.

What is wiped: every key under the stack's prefix except idempotency records (``idem:``), page sessions
(``session:``) and rate-limit counters (``ratelimit:``), which are not read models — in one server-side script,
so the wipe is atomic: a running projector process sees its stored offsets and the views go at the same instant
(its transaction in flight fails on the watched offset), notices that Redis holds older offsets than it wrote and
replays its partitions from the beginning (projector/app.py) — it never writes a batch on top of a
half-wiped state. The replay runs a :class:`~projector.app.Projector` in this process, in the
projector's consumer group, until the offsets stored in Redis reach the topics' ends as they were at the start;
the rebalance it causes splits the partitions between it and the running projector, each replaying its share.
After Redis lost its data (a restart without persistence) no rebuild is needed: the running projector notices
within ``OFFSET_CHECK_SECONDS`` and replays by itself; a rebuild run then is consistent with it all the same.
"""

from __future__ import annotations

import asyncio
import logging
import time

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, TopicPartition

from projector.app import Projector, sources
from services.readmodels import keys
from services.settings import Settings

log = logging.getLogger("lingong.rebuild")
KEPT = ("idem:", "session:", "ratelimit:")


#: SCAN and DEL in one script (atomic): ARGV[1] the pattern, ARGV[2..] the prefixes kept.
_WIPE = """
local cursor, deleted = "0", 0
repeat
  local found = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = found[1]
  for _, key in ipairs(found[2]) do
    local kept = false
    for i = 2, #ARGV do
      if string.sub(key, 1, #ARGV[i]) == ARGV[i] then kept = true break end
    end
    if not kept then deleted = deleted + redis.call("DEL", key) end
  end
until cursor == "0"
return deleted
"""


async def wipe(settings: Settings, redis: aioredis.Redis) -> int:
    """Delete the read models under the prefix, atomically; the number of keys deleted."""
    prefix = settings.topic_prefix
    deleted: int = await redis.eval(_WIPE, 0, f"{prefix}*", *(f"{prefix}{k}" for k in KEPT))
    return deleted


async def end_offsets(settings: Settings) -> dict[TopicPartition, int]:
    """The end offset of every partition of the projected topics."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [
            TopicPartition(s.topic, p)
            for s in sources(settings)
            for p in sorted(consumer.partitions_for_topic(s.topic) or await _partitions(consumer, s.topic))
        ]
        ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        return ends
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def caught_up(settings: Settings, redis: aioredis.Redis, ends: dict[TopicPartition, int]) -> bool:
    """Whether Redis holds, for every partition, a stored offset at (or past) ``ends``."""
    names = [keys.projector_offset(settings.topic_prefix, tp.topic, tp.partition) for tp in ends]
    stored = await redis.mget(names) if names else []
    return all(
        end == 0 or (raw is not None and int(raw) >= end) for (_, end), raw in zip(ends.items(), stored, strict=True)
    )


async def rebuild(settings: Settings, *, timeout: float = 600) -> int:
    """Wipe the read models and replay until caught up with the topics' ends as they were at the start.

    Returns the number of keys wiped. Raises ``TimeoutError`` if the replay does not finish in ``timeout``.
    """
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        ends = await end_offsets(settings)
        wiped = await wipe(settings, redis)
        log.info("wiped %d keys; replaying %d records", wiped, sum(ends.values()))
        projector = Projector(settings, redis)
        stop = asyncio.Event()
        task = asyncio.create_task(projector.run(stop))
        deadline = time.monotonic() + timeout
        try:
            while not await caught_up(settings, redis, ends):
                if task.done():
                    task.result()
                    raise RuntimeError("the projector stopped before the replay finished")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"replay not finished within {timeout}s")
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            await task
        return wiped
    finally:
        await redis.aclose()
