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
connection: its ``WATCH``/``MULTI`` state dies with it, and the next call opens a fresh one. The exception
propagates (:class:`redis.exceptions.ConnectionError` / ``TimeoutError`` when Redis is unreachable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ResponseError

from services.adapters import resp

Command = Sequence[Any]


class WatchedConnection:
    """Two-round-trip optimistic transactions on a connection of ``redis``'s pool (taken on first use)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._pool = redis.connection_pool
        self._connection: AbstractConnection | None = None

    async def read(self, watched: Sequence[str], reads: Sequence[Command]) -> list[Any]:
        """``WATCH`` ``watched`` (not empty), then run ``reads``; their replies, in order."""
        replies = await self._round_trip([("WATCH", *watched), *reads])
        return replies[1:]

    async def commit(self, writes: Sequence[Command]) -> bool:
        """``MULTI``, ``writes``, ``EXEC`` after :meth:`read`: ``True`` when applied, ``False`` when a watched key
        changed (nothing applied; call :meth:`read` again)."""
        replies = await self._round_trip([("MULTI",), *writes, ("EXEC",)])
        executed = replies[-1]
        if executed is None:
            return False
        for reply in executed:
            if isinstance(reply, ResponseError):
                raise reply
        return True

    async def abandon(self) -> None:
        """``UNWATCH``: the reads were all that was needed."""
        await self._round_trip([("UNWATCH",)])

    async def close(self) -> None:
        """Give the connection back to the pool (outside a transaction)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await self._pool.release(connection)

    async def _round_trip(self, commands: Sequence[Command]) -> list[Any]:
        if self._connection is None:
            self._connection = await self._pool.get_connection()  # type: ignore[no-untyped-call]
        connection = self._connection
        try:
            await connection.send_packed_command(resp.pack_commands(commands), check_health=False)
            return [await connection.read_response() for _ in commands]
        except BaseException:
            self._connection = None
            await connection.disconnect()  # WATCH / MULTI state must not outlive a failed exchange
            await self._pool.release(connection)
            raise
