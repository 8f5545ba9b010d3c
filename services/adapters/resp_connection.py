"""One Redis connection that pipelines: commands are written the moment they are sent, and replies are handed
to their futures in order as they arrive, read by an ``asyncio.Protocol`` with hiredis's reader.

Redis answers the commands of one connection in the order it received them, so nothing waits for a reply
before writing the next command: a batch written while the previous one is still in flight costs no second
connection. redis-py's connections (a pool to borrow from, a reader awaited per reply, a task per batch) were
a tenth of the gateway's CPU at 500 check-ins/s for two small batches per check-in.

Replies are raw, as Redis sent them (no redis-py reply callbacks: ``SET`` answers ``b"OK"``). An error reply is
redis-py's exception for it (``NoScriptError`` for ``NOSCRIPT``, ``ResponseError``…), set on that command's
future only. A broken connection fails every command still waiting with ``redis.exceptions.ConnectionError``;
a reply later than ``timeout`` seconds closes the connection and fails every waiting command with
``redis.exceptions.TimeoutError`` (the command may or may not have run: the callers decide, as with
redis-py). Nothing is retried here.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import hiredis
from redis._parsers.base import BaseParser
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.adapters import resp

Reply = asyncio.Future[Any]


@dataclass(frozen=True)
class RedisAddress:
    """Where and how to connect: host and port, or a Unix socket ``path``; optional AUTH and SELECT."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class RedisEndpoint:
    """An address with the timeouts to use on it (seconds): a reply, and opening a connection."""

    address: RedisAddress
    timeout: float = 5.0
    connect_timeout: float = 5.0

    @classmethod
    def of(cls, redis: Any) -> RedisEndpoint:
        """The server, database, credentials and timeouts of a ``redis.asyncio.Redis`` client's pool."""
        options = redis.connection_pool.connection_kwargs
        address = RedisAddress(
            host=options.get("host", "127.0.0.1"),
            port=int(options.get("port", 6379)),
            path=options.get("path"),
            db=int(options.get("db", 0) or 0),
            username=options.get("username"),
            password=options.get("password"),
        )
        timeout = float(options.get("socket_timeout") or 5.0)
        return cls(address, timeout, float(options.get("socket_connect_timeout") or timeout))

    async def connect(self) -> RespConnection:
        """:meth:`RespConnection.open` on this endpoint."""
        return await RespConnection.open(self.address, self.timeout, self.connect_timeout)


class RespConnection(asyncio.Protocol):
    """A pipelined connection: :meth:`open` it, :meth:`send` commands with their futures, :meth:`close` it."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._reader = hiredis.Reader(protocolError=InvalidResponse, replyError=BaseParser.parse_error)
        #: Each command written and not yet answered: its future and when it was written.
        self._waiting: deque[tuple[Reply, float]] = deque()
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._failure: Exception | None = None
        self._lost = asyncio.get_running_loop().create_future()
        #: Writes so far (one per :meth:`send`).
        self.writes = 0

    @classmethod
    async def open(cls, address: RedisAddress, timeout: float, connect_timeout: float) -> RespConnection:
        """A connected, authenticated connection to the address's database; ``redis.exceptions.ConnectionError``
        when it cannot be reached in ``connect_timeout`` seconds or refuses the AUTH / SELECT."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(connect_timeout):
                if address.path is not None:
                    _, connection = await loop.create_unix_connection(lambda: cls(timeout), address.path)
                else:
                    _, connection = await loop.create_connection(lambda: cls(timeout), address.host, address.port)
        except (OSError, TimeoutError) as error:
            where = address.path or f"{address.host}:{address.port}"
            raise RedisConnectionError(f"cannot connect to Redis at {where}: {error!r}") from error
        setup: list[tuple[resp.Arg, ...]] = []
        if address.password is not None:
            user = (address.username,) if address.username else ()
            setup.append(("AUTH", *user, address.password))
        if address.db:
            setup.append(("SELECT", address.db))
        if setup:
            replies = connection.send(setup)
            try:
                await asyncio.gather(*replies)
            except Exception as error:
                connection.close()
                raise RedisConnectionError(f"Redis refused the connection's set-up: {error}") from error
        return connection

    @property
    def usable(self) -> bool:
        """Open, and not failed: :meth:`send` may be called."""
        return self._transport is not None and self._failure is None

    def send(self, commands: Sequence[Sequence[resp.Arg]], replies: Sequence[Reply] | None = None) -> list[Reply]:
        """Write ``commands`` at once (one write) and return a future per command (``replies`` when given, one per
        command, e.g. the callers' own); ``redis.exceptions.DataError`` for an argument Redis cannot take, and
        ``ConnectionError`` when the connection is not :attr:`usable`, before anything is written."""
        if not self.usable:
            raise self._failure or RedisConnectionError("the Redis connection is closed")
        packed = resp.pack_commands(commands)
        loop = asyncio.get_running_loop()
        futures = list(replies) if replies is not None else [loop.create_future() for _ in commands]
        assert self._transport is not None
        self._transport.write(packed)
        self.writes += 1
        now = time.monotonic()
        self._waiting.extend((future, now) for future in futures)
        if self._timer is None:
            self._timer = loop.call_later(self._timeout, self._check_late)
        return futures

    def close(self) -> None:
        """Close the connection; commands still waiting fail with ``ConnectionError``."""
        if self._transport is not None:
            self._fail(RedisConnectionError("the Redis connection was closed"))
            self._transport.close()

    async def closed(self) -> None:
        """Wait until the connection is lost or closed."""
        await asyncio.shield(self._lost)

    # --- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        waiting = self._waiting
        try:
            while (reply := self._reader.gets()) is not False:
                future, _ = waiting.popleft()
                if future.done():  # its caller gave up (cancelled): the reply is read and dropped
                    continue
                if isinstance(reply, Exception):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except (InvalidResponse, IndexError) as error:  # garbage, or a reply nobody asked for
            self._fail(RedisConnectionError(f"Redis sent an unreadable reply: {error!r}"))
            if self._transport is not None:
                self._transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(RedisConnectionError(f"the Redis connection was lost: {exc!r}"))
        self._transport = None
        if not self._lost.done():
            self._lost.set_result(None)

    # --- failures

    def _fail(self, error: Exception) -> None:
        """From now on the connection is unusable; every waiting command fails with ``error``."""
        if self._failure is None:
            self._failure = error
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._waiting:
            future, _ = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)

    def _check_late(self) -> None:
        """Every ``timeout`` seconds while commands wait: close the connection if the oldest is overdue."""
        self._timer = None
        if not self._waiting:
            return
        overdue = time.monotonic() - self._waiting[0][1] - self._timeout
        if overdue >= 0:
            self._fail(RedisTimeoutError(f"Redis did not answer within {self._timeout} s"))
            if self._transport is not None:
                self._transport.abort()
            return
        self._timer = asyncio.get_running_loop().call_later(-overdue, self._check_late)
