"""An open-loop HTTP/1.1 load generator: requests leave at a fixed arrival rate, whatever the server does.

Request ``i`` of a run is *scheduled* at ``t0 + i / rate``; its latency is measured from that scheduled time
to the end of the response, so a stalled server is charged for the requests queued behind the stall (no
coordinated omission). The client is a small asyncio protocol over a pool of keep-alive connections (one
request in flight per connection, no pipelining): much cheaper per request than a general client, so that
on a small machine the generator is not what is measured; every request of a run is built before the run
starts. A request that finds no free connection waits for one; its clock is already running. The run is
bounded by count and by a deadline.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence

#: ``(index) -> (raw request bytes, tag)``: the generator sends the bytes; the tag is kept with the result.
RequestFactory = Callable[[int], tuple[bytes, object]]


@dataclasses.dataclass(slots=True)
class Outcome:
    """One request: when it was scheduled, handed to the pool and finished (:data:`clock` seconds), its status
    and its tag. ``sent - scheduled`` is the generator's own lag: large when it cannot offer the rate."""

    scheduled: float
    finished: float
    status: int
    tag: object
    body: bytes = b""
    sent: float = 0.0

    @property
    def latency(self) -> float:
        return self.finished - self.scheduled


def http_post(host: str, port: int, path: str, body: bytes, headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """The bytes of a keep-alive ``POST`` with a JSON body."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers),
        "",
        "",
    ]
    return "\r\n".join(lines).encode() + body


class _Connection(asyncio.Protocol):
    """One keep-alive connection; :meth:`request` sends and resolves with ``(status, body)``."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio's classes

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc!r}"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0 or self.waiter is None:
            return
        head = bytes(self.buffer[:head_end]).decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        end = head_end + 4 + length
        if len(self.buffer) < end:
            return
        status = int(head.split(" ", 2)[1])
        body = bytes(self.buffer[head_end + 4 : end])
        del self.buffer[:end]
        waiter, self.waiter = self.waiter, None
        if not waiter.done():
            waiter.set_result((status, body))

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


class Pool:
    """A fixed number of keep-alive connections to ``host:port``; broken ones are replaced."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.free: asyncio.Queue[_Connection] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.free.put_nowait(await self._connect())

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_Connection, self.host, self.port)
        return protocol

    async def send(self, raw: bytes, timeout: float) -> tuple[int, bytes]:
        """One request on a free connection; ``(0, b"")`` when it fails, or when waiting for a connection and
        the answer together take longer than ``timeout`` (a connection that timed out is replaced)."""
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(timeout):
                connection = await self.free.get()
                answer = await connection.request(raw)
        except (TimeoutError, ConnectionError, OSError):
            if connection is not None:
                if connection.transport is not None:
                    connection.transport.close()
                self.free.put_nowait(await self._connect())
            return 0, b""
        if connection.closed.done():
            connection = await self._connect()
        self.free.put_nowait(connection)
        return answer

    def close(self) -> None:
        while not self.free.empty():
            connection = self.free.get_nowait()
            if connection.transport is not None:
                connection.transport.close()


async def run_open_loop(
    pool: Pool,
    make: RequestFactory,
    *,
    rate: float,
    count: int,
    timeout: float = 10.0,
    keep_body: bool = False,
    on_sent: Callable[[int, float, object], None] | None = None,
) -> list[Outcome]:
    """Send ``count`` requests at ``rate`` per second (open loop) and return every outcome, in order.

    Every request is built before the first one leaves, so that building them takes no CPU from the server
    during the run. ``on_sent(i, scheduled, tag)`` is called when request ``i`` is handed to the pool. A
    request that has no answer within ``timeout`` of its slot (waiting for a free connection included) is
    counted with status 0.
    """
    loop = asyncio.get_running_loop()
    prepared = [make(i) for i in range(count)]
    outcomes: list[Outcome | None] = [None] * count
    start = clock() + 0.05
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, scheduled: float, raw: bytes, tag: object) -> None:
        sent = clock()
        status, body = await pool.send(raw, max(0.001, scheduled + timeout - sent))
        outcomes[i] = Outcome(scheduled, clock(), status, tag, body if keep_body else b"", sent)

    for i, (raw, tag) in enumerate(prepared):
        scheduled = start + i / rate
        delay = scheduled - clock()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        if on_sent is not None:
            on_sent(i, scheduled, tag)
        task = loop.create_task(one(i, scheduled, raw, tag))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    return [o for o in outcomes if o is not None]


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p99 and p99.9 (nearest rank) and the max, in milliseconds."""
    if not values:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "p999_ms": float("nan"), "max_ms": float("nan")}
    ordered = sorted(values)

    def rank(q: float) -> float:
        index = min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))
        return ordered[index] * 1000

    return {"p50_ms": rank(0.50), "p99_ms": rank(0.99), "p999_ms": rank(0.999), "max_ms": ordered[-1] * 1000}


def summarise(outcomes: Sequence[Outcome], rate: float, ok: int = 202) -> dict[str, float | int]:
    """Offered and achieved rate, error count and latency percentiles of the successful requests, and the
    generator's largest lag behind the schedule (``send_lag_max_ms``: when it approaches the step's length, the
    rate was not offered, and the step measures the generator)."""
    good = [o for o in outcomes if o.status == ok]
    span = max(o.finished for o in outcomes) - min(o.scheduled for o in outcomes) if outcomes else 0.0
    return {
        "offered_per_s": rate,
        "sent": len(outcomes),
        "ok": len(good),
        "errors": len(outcomes) - len(good),
        "achieved_per_s": len(good) / span if span > 0 else 0.0,
        "send_lag_max_ms": max((o.sent - o.scheduled for o in outcomes), default=0.0) * 1000,
        **percentiles([o.latency for o in good]),
    }


#: The clock of every latency: ``time.monotonic`` (uvloop's ``loop.time()`` only has millisecond steps).
clock = time.monotonic
