"""The batching of gateway/autopipeline.py without a server: what one loop iteration queues goes out as one
pipeline, replies are dealt out in order, a cancelled caller does not disturb the others."""

from __future__ import annotations

import asyncio
from typing import Any

import hiredis
from redis.exceptions import ResponseError

from gateway.autopipeline import AutoPipeline


class _Connection:
    """Answers each command with its argument, ``BAD`` with an error reply; records what was written."""

    def __init__(self, log: list[list[tuple[Any, ...]]], fail: Exception | None) -> None:
        self.log, self.fail = log, fail
        self.replies: list[Any] = []
        self.disconnected = False

    async def send_packed_command(self, packed: bytes, check_health: bool = True) -> None:
        await asyncio.sleep(0.01)
        reader = hiredis.Reader()  # the written bytes back into commands
        reader.feed(packed)
        commands = []
        while (command := reader.gets()) is not False:
            commands.append(tuple(command))
        self.log.append(commands)
        if self.fail is not None:
            raise self.fail
        self.replies = [ResponseError(c[1].decode()) if c[0] == b"BAD" else c[1] for c in commands]

    async def read_response(self) -> Any:
        reply = self.replies.pop(0)
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    async def disconnect(self) -> None:
        self.disconnected = True


class _Pool:
    def __init__(self, connection: _Connection) -> None:
        self.connection, self.released = connection, 0

    async def get_connection(self) -> _Connection:
        return self.connection

    async def release(self, connection: _Connection) -> None:
        self.released += 1


class _Client:
    """Records each batch written to its one connection (a recorder of batches, not a Redis)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.batches: list[list[tuple[Any, ...]]] = []
        self.connection_pool = _Pool(_Connection(self.batches, fail))


async def test_one_iteration_is_one_batch_and_errors_go_to_their_caller() -> None:
    client = _Client()
    pipeline = AutoPipeline(client)  # type: ignore[arg-type]
    replies = await asyncio.gather(
        pipeline.execute("ECHO", "a"),
        pipeline.execute("BAD", "b"),
        pipeline.execute("ECHO", "c"),
        return_exceptions=True,
    )
    assert replies[0] == b"a" and replies[2] == b"c" and isinstance(replies[1], ResponseError)
    assert client.batches == [[(b"ECHO", b"a"), (b"BAD", b"b"), (b"ECHO", b"c")]] and pipeline.batches == 1
    assert client.connection_pool.released == 1 and not client.connection_pool.connection.disconnected


async def test_a_failed_batch_fails_every_caller_and_a_cancelled_caller_is_skipped() -> None:
    client = _Client(fail=ConnectionError("down"))
    pipeline = AutoPipeline(client)  # type: ignore[arg-type]
    replies = await asyncio.gather(*(pipeline.execute("ECHO", n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in replies)
    assert client.connection_pool.connection.disconnected and client.connection_pool.released == 1
    healthy = AutoPipeline(_Client())  # type: ignore[arg-type]
    gone = asyncio.ensure_future(healthy.execute("ECHO", "gone"))
    kept = asyncio.ensure_future(healthy.execute("ECHO", "kept"))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == b"kept"
