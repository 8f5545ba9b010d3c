"""Optimistic Redis transactions in two round trips, on one connection the caller keeps.

redis-py's ``WATCH`` pipeline costs three round trips (``WATCH``; the reads, each its own round trip on the
watching connection unless sent on another one; ``MULTI``/``EXEC``) and builds a pipeline object, a reply
callback and a timeout context per command. The projector applies one batch of facts per transaction, so that
machinery was a fifth of its CPU. :class:`WatchedConnection` sends raw commands on one connection it holds:

1. :meth:`~WatchedConnection.read` — ``WATCH`` the keys and run the reads, in one write; the reads' replies;
2. :meth:`~WatchedConnection.commit` — ``MULTI``, the writes, ``EXEC``, in one write; ``False`` when a watched
   key changed since step 1 (nothing was written), ``True`` once everything was written;
   or :meth:`~WatchedConnection.abandon` — ``UNWATCH``, when there is nothing to write.

The semantics are Redis's own: a write by anyone to a watched key between the ``WATCH`` and the ``EXEC`` makes
the ``EXEC`` do nothing. An error reply inside the transaction (a wrong type) raises
:class:`redis.exceptions.ResponseError` after ``EXEC`` (Redis has then applied the other commands: our writes are
well-typed, so this is a bug, not a race). Any failure of the connection, or a cancellation half-way, drops the
connection: its ``WATCH``/``MULTI`` state dies with it, a commit after it raises, and the next read opens a
fresh one. The exception propagates (:class:`redis.exceptions.ConnectionError` / ``TimeoutError`` when Redis is
unreachable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from services.adapters.resp_connection import RedisEndpoint, RespConnection

Command = Sequence[Any]


class WatchedConnection:
    """Two-round-trip optimistic transactions on a connection of its own to ``redis``'s server (its address,
    database, credentials and timeouts), opened on first use (:mod:`services.adapters.resp_connection`)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._endpoint = RedisEndpoint.of(redis)
        self._connection: RespConnection | None = None

    async def read(self, watched: Sequence[str], reads: Sequence[Command]) -> list[Any]:
        """``WATCH`` ``watched`` (not empty), then run ``reads``; their replies, in order. Opens a connection when
        there is none (or it broke)."""
        if self._connection is None or not self._connection.usable:
            self._connection = await self._endpoint.connect()
        replies = await self._round_trip(self._connection, [("WATCH", *watched), *reads])
        return replies[1:]

    async def commit(self, writes: Sequence[Command]) -> bool:
        """``MULTI``, ``writes``, ``EXEC`` after :meth:`read`: ``True`` when applied, ``False`` when a watched key
        changed (nothing applied; call :meth:`read` again). ``ConnectionError`` when the connection that watched
        the keys is gone: its ``WATCH`` went with it, so nothing is written on another one."""
        replies = await self._round_trip(self._watching(), [("MULTI",), *writes, ("EXEC",)])
        executed = replies[-1]
        if executed is None:
            return False
        for reply in executed:
            if isinstance(reply, ResponseError):
                raise reply
        return True

    async def abandon(self) -> None:
        """``UNWATCH``: the reads were all that was needed (nothing to do when the connection is gone: its
        ``WATCH`` went with it)."""
        if self._connection is not None and self._connection.usable:
            await self._round_trip(self._connection, [("UNWATCH",)])

    async def close(self) -> None:
        """Close the connection (outside a transaction)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
            await connection.closed()

    def _watching(self) -> RespConnection:
        """The connection :meth:`read` watched on, still usable; else ``ConnectionError``."""
        connection = self._connection
        if connection is None or not connection.usable:
            self._connection = None
            raise RedisConnectionError("the Redis connection that watched the keys was lost; read them again")
        return connection

    async def _round_trip(self, connection: RespConnection, commands: Sequence[Command]) -> list[Any]:
        """The replies of ``commands``, written at once; the first error reply outside ``EXEC`` is raised."""
        replies = connection.send(commands)
        try:
            return [await reply for reply in replies]
        except BaseException:
            self._connection = None
            connection.close()  # WATCH / MULTI state must not outlive a failed exchange
            for reply in replies:  # the rest failed with the close: retrieved here, not logged as lost
                if reply.done() and not reply.cancelled():
                    reply.exception()
            raise
