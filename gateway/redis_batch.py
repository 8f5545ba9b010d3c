"""The Redis commands of concurrent requests, sent together: one redis-py pipeline per turn of the event loop.

A check-in makes two Redis calls (the admission script, then the stored answer). Made one by one through
redis-py's connection pool, each costs a pool checkout, a write and a read: about 0.15 ms of the gateway's CPU
per check-in, and one process could not pass about 2,000 check-ins/s (docs/performance.md). Here the calls that
arrive within one turn of the loop go out as ONE ``pipeline(transaction=False)`` (redis-py's public API): one
checkout, one write, one read for all of them. At low traffic a batch holds one command and nothing waits: the
flush is scheduled with ``call_soon``, not a timer.

Contract:
- :meth:`RedisBatch.execute` returns the reply of its own command, after redis-py's response callbacks (``SET``
  answers ``True`` / ``None``), or raises that command's own error (e.g. ``NoScriptError``); a failure of the
  whole pipeline (connection lost, timeout) is raised to every caller of the batch, as one call would.
- The pipeline is not a transaction: the commands of a batch are independent and Redis may interleave other
  clients' commands between them, exactly as with separate calls. Order within a batch is submission order.
- A caller cancelled while waiting leaves its command in the batch (it may still run, like a call whose reply
  was not awaited); nobody else is affected.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis

#: At most this many commands in one pipeline; more wait for the next write (bounded reply sizes and latency).
MAX_BATCH = 256


class RedisBatch:
    """Gathers commands submitted in the same loop turn and sends them in one redis-py pipeline."""

    def __init__(self, redis: aioredis.Redis, *, max_batch: int = MAX_BATCH) -> None:
        self._redis = redis
        self._max_batch = max_batch
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._scheduled = False
        self._sending: set[asyncio.Task[None]] = set()

    async def execute(self, *command: Any) -> Any:
        """Run one Redis command (``"SET", name, value, "EX", 60``) in the next pipeline; its reply."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((command, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._scheduled = False
        while self._pending:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for command, _ in batch:
            pipe.execute_command(*command)
        try:
            replies = await pipe.execute(raise_on_error=False)
        except asyncio.CancelledError:  # the gateway is stopping
            for _, future in batch:
                future.cancel()
            raise
        except Exception as error:  # the whole pipeline failed: every caller sees it
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def aclose(self) -> None:
        """Wait for the batches already sent."""
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
