"""The benchmark's open-loop load generator (tests/benchmarks/perf/loadgen.py), against a local aiohttp server."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.benchmarks.perf.loadgen import Pool, http_post, percentiles, run_open_loop, summarise


@pytest.fixture
async def server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """An HTTP server on a free loopback port: ``/echo`` answers 202 with the body, ``/slow`` sleeps 1 s."""
    seen: list[bytes] = []

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append(body)
        return web.Response(status=202, body=body)

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/echo", echo)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port, seen
    await runner.cleanup()


async def test_every_request_is_sent_once_in_order_at_its_slot(server: tuple[int, list[bytes]]) -> None:
    port, seen = server
    pool = Pool("127.0.0.1", port, 4)
    await pool.open()
    built: list[int] = []
    sent: list[tuple[int, float]] = []

    def make(i: int) -> tuple[bytes, object]:
        built.append(i)
        return http_post("127.0.0.1", port, "/echo", b'{"n": %d}' % i), i

    try:
        outcomes = await run_open_loop(
            pool, make, rate=200, count=40, keep_body=True, on_sent=lambda i, at, tag: sent.append((i, at))
        )
    finally:
        pool.close()
    assert built == list(range(40))  # built once each, all before the first left
    assert [o.tag for o in outcomes] == list(range(40))
    assert all(o.status == 202 and o.body == b'{"n": %d}' % o.tag for o in outcomes)
    assert sorted(seen) == sorted(b'{"n": %d}' % i for i in range(40))
    slots = [at for _, at in sent]
    assert all(abs((b - a) - 1 / 200) < 1e-9 for a, b in itertools.pairwise(slots))  # fixed arrival rate
    early = 0.002  # a request may leave up to 0.5 ms before its slot
    assert all(o.latency > 0 and o.scheduled - early <= o.sent <= o.finished for o in outcomes)
    assert summarise(outcomes, 200)["send_lag_max_ms"] < 1000 / 200 * 40  # not behind by the whole run


async def test_a_late_answer_counts_as_status_zero_and_its_connection_is_replaced(
    server: tuple[int, list[bytes]],
) -> None:
    port, _ = server
    pool = Pool("127.0.0.1", port, 2)
    await pool.open()
    try:
        slow = await run_open_loop(
            pool, lambda i: (http_post("127.0.0.1", port, "/slow", b"{}"), i), rate=100, count=3, timeout=0.2
        )
        assert [o.status for o in slow] == [0, 0, 0]  # two timed out waiting for the answer, one for a connection
        assert all(o.latency < 0.5 for o in slow)
        again = await run_open_loop(
            pool, lambda i: (http_post("127.0.0.1", port, "/echo", b"{}"), i), rate=100, count=4
        )
        assert [o.status for o in again] == [202] * 4  # the pool still has two working connections
    finally:
        pool.close()


def test_percentiles_by_nearest_rank() -> None:
    values = [i / 1000 for i in range(1, 1001)]  # 1..1000 ms
    assert percentiles(values) == {"p50_ms": 500.0, "p99_ms": 990.0, "p999_ms": 999.0, "max_ms": 1000.0}
