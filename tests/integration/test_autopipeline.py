"""Auto-pipelining on the real Redis: N concurrent commands cost one round trip; a command's error goes to its
caller only; a Redis that cannot be reached fails every caller of the batch (the gateway answers 503)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis
import redis.exceptions

from deploy.local import procs
from gateway.autopipeline import AutoPipeline
from services.settings import Settings


async def test_concurrent_commands_share_one_round_trip(settings: Settings) -> None:
    client = aioredis.Redis.from_url(settings.redis_url)
    pipeline = AutoPipeline(client)
    key = f"test-autopipeline-{uuid.uuid4().hex[:8]}"
    try:
        await client.set(f"{key}:text", "not a number")
        replies = await asyncio.gather(
            *(pipeline.execute("INCR", f"{key}:counter") for _ in range(50)),
            pipeline.execute("INCR", f"{key}:text"),
            pipeline.execute("SET", f"{key}:flag", "1", "NX", "EX", 60),
            pipeline.execute("GET", f"{key}:missing"),
            pipeline.execute("EVALSHA", "0" * 40, 0),
            return_exceptions=True,
        )
        assert pipeline.batches == 1
        assert sorted(replies[:50]) == list(range(1, 51))  # type: ignore[type-var]
        assert isinstance(replies[50], redis.exceptions.ResponseError)  # only this caller's command failed
        assert replies[51] == b"OK" and replies[52] is None  # raw replies: no redis-py reply callbacks
        assert isinstance(replies[53], redis.exceptions.NoScriptError)  # the admission script's reload relies on it
        assert await pipeline.execute("GET", f"{key}:counter") == b"50"
        assert pipeline.batches == 2
    finally:
        await client.delete(f"{key}:counter", f"{key}:text", f"{key}:flag")
        await client.aclose()


async def test_an_unreachable_redis_fails_every_caller() -> None:
    client = aioredis.Redis(port=procs.free_port(), socket_connect_timeout=1, retry_on_error=[])
    pipeline = AutoPipeline(client)
    try:
        replies = await asyncio.gather(*(pipeline.execute("GET", f"k{n}") for n in range(5)), return_exceptions=True)
        assert pipeline.batches == 1
        assert all(isinstance(r, redis.exceptions.ConnectionError) for r in replies), replies
    finally:
        await client.aclose()


@pytest.mark.parametrize("count", [1, 700])
async def test_every_caller_gets_its_own_reply(settings: Settings, count: int) -> None:
    client = aioredis.Redis.from_url(settings.redis_url)
    pipeline = AutoPipeline(client)
    try:
        replies = await asyncio.gather(*(pipeline.execute("ECHO", f"m{n}") for n in range(count)))
        assert replies == [f"m{n}".encode() for n in range(count)]
        assert pipeline.batches == 1
    finally:
        await client.aclose()
