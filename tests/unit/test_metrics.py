"""The processes' series and their ``/metrics`` endpoint (issue 29), without Kafka or Redis.

tests/integration/test_metrics.py scrapes the three processes on the real stack.
"""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client import generate_latest

from deploy.local import procs
from gateway.metrics import GatewayMetrics, middleware
from projector.metrics import registry_of
from services.adapters import metrics
from services.market import records
from streams.metrics import FactTopics, StreamMetrics, consumer_lags


def _value(registry: Any, name: str, **labels: str) -> float | None:
    found = registry.get_sample_value(name, labels)
    return None if found is None else float(found)


async def test_the_gateway_counts_by_route_pattern_method_and_status(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
) -> None:
    seen = GatewayMetrics()

    async def ticket(request: web.Request) -> web.Response:
        return web.json_response({"id": request.match_info["checkin_id"]})

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    app = web.Application(middlewares=[middleware(seen)])
    app.router.add_get("/tickets/{checkin_id}", ticket)
    app.router.add_get("/moved", moved)
    client = await aiohttp_client(app)
    for checkin_id in ("a", "b"):
        assert (await client.get(f"/tickets/{checkin_id}")).status == 200
    assert (await client.get("/moved", allow_redirects=False)).status == 302
    assert (await client.get("/nowhere")).status == 404
    assert (await client.request("PROPFIND", "/tickets/x")).status == 405
    registry = seen.registry
    route = "/tickets/{checkin_id}"
    assert _value(registry, "lingong_gateway_requests_total", route=route, method="GET", status="200") == 2
    assert _value(registry, "lingong_gateway_request_seconds_count", route=route, method="GET", status="200") == 2
    assert _value(registry, "lingong_gateway_requests_total", route="/moved", method="GET", status="302") == 1
    assert _value(registry, "lingong_gateway_requests_total", route="unmatched", method="GET", status="404") == 1
    assert _value(registry, "lingong_gateway_requests_total", route="unmatched", method="other", status="405") == 1


def test_the_endpoint_serves_a_registry_and_never_stops_the_process() -> None:
    seen = GatewayMetrics()
    seen.produced(0.003)
    seen.produce_failed()
    assert metrics.serve(seen.registry, "127.0.0.1", 0, "test") is None
    endpoint = metrics.serve(seen.registry, "127.0.0.1", procs.free_port(), "test")
    assert endpoint is not None
    try:
        with urllib.request.urlopen(endpoint.url, timeout=5) as response:
            text = response.read().decode()
        assert "lingong_gateway_produce_seconds_count 1.0" in text
        assert "lingong_gateway_produce_failures_total 1.0" in text
        # the port is taken: a second process of the kind logs it and runs without metrics
        assert metrics.serve(seen.registry, "127.0.0.1", endpoint.port, "second") is None
    finally:
        endpoint.close()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the scrape's connection may be in TIME_WAIT
        probe.bind(("127.0.0.1", endpoint.port))  # closed: the port is free again


@dataclass(frozen=True)
class _TP:
    topic: str
    partition: int


class _Topic:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, *, key: bytes, value: bytes) -> None:
        self.sent.append(value)


async def test_facts_are_counted_by_type_where_they_are_sent() -> None:
    seen = StreamMetrics()
    sink = _Topic()
    topic_of = FactTopics(sink, seen)
    closed = records.JobRequestClosed(
        id="f1",
        at=datetime(2026, 11, 26, tzinfo=UTC),
        market_id="m",
        county="c",
        command_id="x",
        request_id="j1",
        reason="expired",
    )
    assert topic_of(closed) is topic_of(closed)  # one counting topic per type
    await topic_of(closed).send(key=b"m", value=b"v")
    await topic_of(closed).send(key=b"m", value=b"v")
    assert sink.sent == [b"v", b"v"]
    assert _value(seen.registry, "lingong_stream_facts_total", fact="JobRequestClosed") == 2


async def test_the_lag_is_the_high_watermark_less_the_next_offset_handled() -> None:
    assigned = [_TP("mc", 0), _TP("mc", 1), _TP("mc", 2), _TP("store-changelog", 0)]
    highs = {_TP("mc", 0): 100, _TP("mc", 1): 50, _TP("mc", 2): None, _TP("store-changelog", 0): 7}

    async def position(tp: Any) -> int | None:
        return 45  # nothing handled yet on partition 1: where the consumer fetches from

    lags = await consumer_lags(assigned, frozenset({"mc"}), highs.get, {("mc", 0): 90}, position)
    assert lags == [("mc", 0, 10), ("mc", 1, 5)]
    seen = StreamMetrics()
    seen.set_lag(lags)
    assert _value(seen.registry, "lingong_stream_consumer_lag", topic="mc", partition="1") == 5
    seen.set_lag([("mc", 0, 0)])  # partition 1 went to another worker: its series goes
    assert _value(seen.registry, "lingong_stream_consumer_lag", topic="mc", partition="1") is None
    assert _value(seen.registry, "lingong_stream_consumer_lag", topic="mc", partition="0") == 0


def test_batches_and_dead_letters_are_counted_per_agent() -> None:
    seen = StreamMetrics()
    seen.took("match_market", 3)
    seen.took("match_market", 1)
    seen.dead_lettered("admit_worker")
    assert _value(seen.registry, "lingong_stream_commands_total", agent="match_market") == 4
    assert _value(seen.registry, "lingong_stream_batch_size_count", agent="match_market") == 2
    assert _value(seen.registry, "lingong_stream_dead_letters_total", agent="admit_worker") == 1


def test_the_projector_series_are_read_when_scraped() -> None:
    class Consumer:
        def highwater(self, tp: Any) -> int | None:
            if tp.partition == 2:
                raise AssertionError("not assigned")  # a rebalance meanwhile: no figure, no failure
            return 120 if tp.partition == 0 else None

    class Projector:
        def __init__(self) -> None:
            self.projected, self.skipped = 42, 1
            self.expected = {_TP("me", 0): 100, _TP("me", 1): 3, _TP("me", 2): 0}
            self.consumer = Consumer()

    registry = registry_of(Projector())
    assert _value(registry, "lingong_projector_facts_total") == 42
    assert _value(registry, "lingong_projector_skipped_total") == 1
    assert _value(registry, "lingong_projector_lag", topic="me", partition="0") == 20
    assert _value(registry, "lingong_projector_lag", topic="me", partition="1") is None
    assert b"lingong_projector_lag" in generate_latest(registry)


def test_scrapes_run_off_the_event_loop() -> None:
    """The endpoint answers while the process's loop is blocked (a stuck loop still shows its last figures)."""
    seen = StreamMetrics()
    seen.took("match_market", 1)
    endpoint = metrics.serve(seen.registry, "127.0.0.1", procs.free_port(), "test")
    assert endpoint is not None

    async def blocked() -> str:
        with urllib.request.urlopen(endpoint.url, timeout=5) as response:
            return str(response.read().decode())

    try:
        assert "lingong_stream_commands_total" in asyncio.run(blocked())
    finally:
        endpoint.close()
