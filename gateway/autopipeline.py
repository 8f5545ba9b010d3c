"""Auto-pipelining on one Redis connection: the Redis commands that concurrent requests issue in the same
event-loop iteration go out together (one write, one round trip) instead of one round trip each, and a batch
is written without waiting for the previous batch's replies (Redis answers a connection's commands in order).

:meth:`AutoPipeline.execute` queues a raw command and waits for its own reply. The first command of an
iteration schedules the flush for the next iteration (``call_soon``), by which time every task that ran in this
iteration has queued its command. The commands go out on one :class:`~services.adapters.resp_connection.RespConnection`
(an ``asyncio.Protocol`` with hiredis's reader), opened on first use and opened again after it broke: before it,
each batch borrowed a connection from redis-py's pool in a task of its own and awaited its replies one by one,
a tenth of the gateway's CPU at 500 check-ins/s.

Replies are raw, as Redis sent them. A command's error (``WRONGTYPE``, ``NOSCRIPT``…) is raised to its caller
only; a failure of the connection (Redis unreachable, a reply later than the socket timeout) to every caller
still waiting on it, as ``redis.exceptions.ConnectionError`` / ``TimeoutError``. No command is retried here:
what a failed batch did or did not do is the callers' to handle, exactly as with one command each.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis

from services.adapters.resp_connection import RedisEndpoint, RespConnection

Command = tuple[Any, ...]


class AutoPipeline:
    """Batches the commands of one event-loop iteration onto one connection to ``redis``'s server (its address,
    database, credentials and timeouts; not its pool)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._endpoint = RedisEndpoint.of(redis)
        self._queue: list[tuple[Command, asyncio.Future[Any]]] = []
        self._connection: RespConnection | None = None
        #: Batches waiting for the connection to open.
        self._pending: list[list[tuple[Command, asyncio.Future[Any]]]] = []
        self._opening: asyncio.Task[None] | None = None
        #: Pipelines sent so far (one write each).
        self.batches = 0

    async def execute(self, *command: Any) -> Any:
        """Run ``command`` (e.g. ``"SET", key, value, "EX", 60``) in the next batch; its reply as Redis sent it (no
        redis-py reply callback: ``SET`` answers ``b"OK"``), or its error."""
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        if not self._queue:
            loop.call_soon(self._flush)
        self._queue.append((command, reply))
        return await reply

    async def aclose(self) -> None:
        """Close the connection (commands still waiting fail with ``ConnectionError``)."""
        if self._opening is not None:
            self._opening.cancel()
        if self._connection is not None:
            self._connection.close()
            await self._connection.closed()

    def _flush(self) -> None:
        batch, self._queue = self._queue, []
        self.batches += 1
        connection = self._connection
        if connection is not None and connection.usable:
            self._write(connection, batch)
            return
        self._pending.append(batch)
        if self._opening is None:
            self._opening = asyncio.get_running_loop().create_task(self._open())

    def _write(self, connection: RespConnection, batch: list[tuple[Command, asyncio.Future[Any]]]) -> None:
        try:
            connection.send([c for c, _ in batch], [r for _, r in batch])
        except Exception as error:  # an argument Redis cannot take (DataError), before anything was written
            for _, reply in batch:
                if not reply.done():
                    reply.set_exception(error)

    async def _open(self) -> None:
        """Open the connection and write the batches that waited for it; on failure they fail with the error."""
        try:
            self._connection = await self._endpoint.connect()
        except BaseException as error:
            failure = error if isinstance(error, Exception) else ConnectionError(repr(error))
            for batch in self._pending:
                for _, reply in batch:
                    if not reply.done():
                        reply.set_exception(failure)
            self._pending = []
            if not isinstance(error, Exception):
                raise
            return
        finally:
            self._opening = None
        pending, self._pending = self._pending, []
        for batch in pending:
            self._write(self._connection, batch)
