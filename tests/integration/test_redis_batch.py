"""The gateway's Redis batch on the real Redis: each caller gets its own reply or its own error, the commands of one
loop turn share one pipeline (one connection), and a Redis that is gone fails every caller of the batch."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

from gateway.redis_batch import RedisBatch
from services.settings import Settings


@pytest.fixture
async def redis_client(settings: Settings) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test-batch-{uuid.uuid4().hex[:8]}:"


async def test_each_caller_gets_its_own_reply(redis_client: aioredis.Redis, prefix: str) -> None:
    batch = RedisBatch(redis_client)
    await redis_client.set(f"{prefix}list", "not a counter")
    replies = await asyncio.gather(
        batch.execute("SET", f"{prefix}a", "1", "EX", 60),
        batch.execute("GET", f"{prefix}a"),
        batch.execute("INCR", f"{prefix}list"),  # WRONGTYPE-like: not an integer
        batch.execute("EVALSHA", "0" * 40, 0),
        batch.execute("INCR", f"{prefix}n"),
        return_exceptions=True,
    )
    assert replies[0] is True  # redis-py's SET callback, as a single call answers
    assert replies[1] == b"1"  # submission order within the batch
    assert isinstance(replies[2], ResponseError)
    assert isinstance(replies[3], NoScriptError)  # only that caller's command failed
    assert replies[4] == 1


async def test_one_loop_turn_is_one_pipeline_on_one_connection(settings: Settings, prefix: str) -> None:
    """Sixty-four concurrent commands through the batch use one connection; the same commands made one by one
    through redis-py's pool open one connection per command running at once."""
    batched = await _connections_used(settings, f"{prefix}batched", through_batch=True)
    single = await _connections_used(settings, f"{prefix}single", through_batch=False)
    assert batched == 1
    assert single > 8


async def _connections_used(settings: Settings, key: str, *, through_batch: bool) -> int:
    """Connections Redis sees under a client name of this run's own, after 64 concurrent INCRs of ``key``."""
    name = f"batch-test-{uuid.uuid4().hex[:8]}"
    client = aioredis.Redis.from_pool(
        aioredis.ConnectionPool.from_url(settings.redis_url, max_connections=1000, client_name=name)
    )
    try:
        if through_batch:
            batch = RedisBatch(client)
            await asyncio.gather(*(batch.execute("INCR", key) for _ in range(64)))
        else:
            await asyncio.gather(*(client.incr(key) for _ in range(64)))
        assert int(await client.get(key)) == 64
        return sum(1 for c in await client.client_list() if c.get("name") == name)
    finally:
        await client.aclose()


async def test_a_lost_redis_fails_every_caller_of_the_batch() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        batch = RedisBatch(client)
        replies = await asyncio.gather(
            batch.execute("SET", "k", "v"), batch.execute("GET", "k"), return_exceptions=True
        )
    finally:
        await client.aclose()
    assert all(isinstance(reply, RedisConnectionError) for reply in replies)


async def test_a_batch_larger_than_its_bound_is_sent_in_several_pipelines(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    batch = RedisBatch(redis_client, max_batch=10)
    replies = await asyncio.gather(*(batch.execute("INCR", f"{prefix}c") for _ in range(35)))
    assert sorted(replies) == list(range(1, 36))
