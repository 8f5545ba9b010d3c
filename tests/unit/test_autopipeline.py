"""The batching of gateway/autopipeline.py against a scripted RESP server on loopback (tests/support/resp_server.py,
not a Redis): what one loop iteration queues goes out as one write, a batch does not wait for the previous one's
replies, replies are dealt out in order, a cancelled caller does not disturb the others, a broken connection is
opened again for the next batch. (Against the real Redis: tests/integration/test_autopipeline.py.)"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from gateway.autopipeline import AutoPipeline
from tests.support.resp_server import resp_server


async def test_one_iteration_is_one_batch_and_errors_go_to_their_caller() -> None:
    async with resp_server() as server:
        client = aioredis.Redis(port=server.port)
        pipeline = AutoPipeline(client)
        replies = await asyncio.gather(
            pipeline.execute("ECHO", "a"),
            pipeline.execute("BAD", "ERR b"),
            pipeline.execute("ECHO", "c"),
            return_exceptions=True,
        )
        assert replies[0] == b"a" and replies[2] == b"c" and isinstance(replies[1], ResponseError)
        assert server.connections == [[(b"ECHO", b"a"), (b"BAD", b"ERR b"), (b"ECHO", b"c")]]
        assert pipeline.batches == 1
        await pipeline.aclose()
        await client.aclose()


async def test_a_batch_is_written_while_the_previous_one_waits() -> None:
    async with resp_server() as server:
        pipeline = AutoPipeline(aioredis.Redis(port=server.port))
        first = asyncio.ensure_future(asyncio.gather(pipeline.execute("HOLD", 4), pipeline.execute("ECHO", "1")))
        await asyncio.sleep(0.05)  # the first batch is written, its replies held by the server
        assert not first.done()
        second = await asyncio.gather(pipeline.execute("ECHO", "2"), pipeline.execute("ECHO", "3"))
        assert await first == [b"OK", b"1"] and second == [b"2", b"3"]
        assert pipeline.batches == 2 and len(server.connections) == 1  # one connection for both
        await pipeline.aclose()


async def test_a_cancelled_caller_is_skipped() -> None:
    async with resp_server() as server:
        pipeline = AutoPipeline(aioredis.Redis(port=server.port))
        gone = asyncio.ensure_future(pipeline.execute("ECHO", "gone"))
        kept = asyncio.ensure_future(pipeline.execute("ECHO", "kept"))
        await asyncio.sleep(0)
        gone.cancel()
        assert await kept == b"kept"
        await pipeline.aclose()


async def test_a_broken_connection_fails_its_callers_and_the_next_batch_opens_another() -> None:
    async with resp_server() as server:
        pipeline = AutoPipeline(aioredis.Redis(port=server.port))
        hang_up, echo = pipeline.execute("HANGUP"), pipeline.execute("ECHO", "x")
        replies = await asyncio.gather(hang_up, echo, return_exceptions=True)
        assert all(isinstance(r, RedisConnectionError) for r in replies), replies
        await asyncio.sleep(0.05)  # the hang-up reaches the connection
        assert await pipeline.execute("ECHO", "again") == b"again"
        assert len(server.connections) == 2
        await pipeline.aclose()


async def test_an_unreachable_server_fails_every_caller_of_the_batch() -> None:
    async with resp_server() as server:
        port = server.port
    pipeline = AutoPipeline(aioredis.Redis(port=port, socket_connect_timeout=1))
    replies = await asyncio.gather(*(pipeline.execute("ECHO", n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, RedisConnectionError) for r in replies), replies
    assert pipeline.batches == 1
