"""The benchmark's offer watcher (tests/benchmarks/perf/phases.py ``OfferWatch``), on the real Redis."""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis

from services.readmodels import keys
from services.settings import Settings
from tests.benchmarks.perf.phases import OfferWatch
from tests.support import stack


async def _write(redis: aioredis.Redis, prefix: str, checkin_id: str, status: str) -> None:
    """What the projector does: the view and its change notice in one transaction."""
    key = keys.ticket(prefix, checkin_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, b'{"checkin_id": "%s", "status": "%s"}' % (checkin_id.encode(), status.encode()))
        pipe.publish(keys.changes_channel(prefix, key), b"1")
        await pipe.execute()


async def _until(condition: object, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def test_stamps_a_watched_ticket_when_its_view_says_offered(
    redis_server: stack.RedisServer, redis: aioredis.Redis
) -> None:
    prefix = f"watch{uuid.uuid4().hex[:8]}."
    watch = OfferWatch(Settings(redis_url=redis_server.url, topic_prefix=prefix))
    await watch.start()
    try:
        watch.sent(0, 1.0, ("m", "a"))
        watch.sent(1, 2.0, ("m", "b"))
        await _write(redis, prefix, "a", "queued")
        await _write(redis, prefix, "b", "queued")
        await _write(redis, prefix, "unwatched", "offered")
        await asyncio.sleep(0.2)
        assert watch.offered == {}  # queued is not offered; an unwatched ticket is ignored
        await _write(redis, prefix, "a", "offered")
        await _until(lambda: "a" in watch.offered)
        first = watch.offered["a"]
        await _write(redis, prefix, "a", "offered")  # a later change does not move the stamp
        await _write(redis, prefix, "b", "offered")
        await _until(lambda: "b" in watch.offered)
        assert watch.offered["a"] == first
        assert set(watch.offered) == {"a", "b"}
        await watch.wait(["a", "b"], timeout=1)
    finally:
        await watch.close()
