"""``/metrics`` of the gateway, the stream worker and the projector, scraped on the real stack (issue 29).

A check-in and a job request through the gateway move the gateway's request and produce series, the stream
worker's commands, facts (an offer) and lag, and the projector's facts and lag. The session's stream worker and
projector serve their metrics on the ports of the session settings (tests/conftest.py); the in-process gateway's
registry is served here the way ``python -m gateway`` serves it, and a real ``python -m gateway`` is scraped too.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from deploy.local import procs
from gateway.typedefs import METRICS
from services.adapters import metrics
from services.settings import Settings
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support import stack
from tests.support.waiting import eventually

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> Samples:
    """Every sample at ``url``: (name, labels) → value."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def url(settings: Settings, port: int) -> str:
    return f"http://{settings.metrics_host}:{port}/metrics"


@pytest.fixture
async def gateway_metrics(gateway: TestClient) -> AsyncIterator[str]:
    """The in-process gateway's registry at its own ``/metrics``, as ``python -m gateway`` serves it."""
    endpoint = metrics.serve(gateway.server.app[METRICS].registry, "127.0.0.1", procs.free_port(), "gateway")
    assert endpoint is not None
    yield endpoint.url
    endpoint.close()


async def test_a_check_in_and_a_job_move_every_process_counters(
    gateway: TestClient,
    gateway_metrics: str,
    platform: Settings,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
) -> None:
    streams_url, projector_url = (
        url(platform, platform.streams_metrics_port),
        url(platform, platform.projector_metrics_port),
    )
    streams_before = await eventually(lambda: _up(streams_url), what="the stream worker's /metrics")
    projector_before = await scrape(projector_url)
    market, trade = lane

    response = await gateway.post(
        "/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(credentials[market])
    )
    assert response.status == 202, await response.text()
    response = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    assert response.status == 202, await response.text()

    seen = await scrape(gateway_metrics)
    assert total(seen, "lingong_gateway_requests_total", route="/api/v1/checkins", method="POST", status="202") == 1
    assert total(seen, "lingong_gateway_request_seconds_count", route="/api/v1/job-requests", status="202") == 1
    assert total(seen, "lingong_gateway_produce_seconds_count") >= 2
    assert total(seen, "lingong_gateway_produce_failures_total") == 0

    def moved(before: Samples, after: Samples, name: str, **labels: str) -> bool:
        return total(after, name, **labels) > total(before, name, **labels)

    async def streams_moved() -> Samples | None:
        after = await scrape(streams_url)
        wanted = [
            moved(streams_before, after, "lingong_stream_commands_total", agent="admit_worker"),
            moved(streams_before, after, "lingong_stream_commands_total", agent="match_market"),
            moved(streams_before, after, "lingong_stream_facts_total", fact="OfferMade"),
            any(n == "lingong_stream_consumer_lag" for n, _ in after),
        ]
        return after if all(wanted) else None

    after = await eventually(streams_moved, what="the stream worker's commands, offer and lag")
    assert total(after, "lingong_stream_batch_size_count", agent="match_market") >= 1

    async def projector_moved() -> Samples | None:
        now = await scrape(projector_url)
        lagging = [v for (n, _), v in now.items() if n == "lingong_projector_lag"]
        return now if moved(projector_before, now, "lingong_projector_facts_total") and lagging else None

    await eventually(projector_moved, what="the projector's facts and lag")


async def _up(at: str) -> Samples | None:
    try:
        return await scrape(at)
    except aiohttp.ClientConnectionError:
        return None


async def test_the_gateway_process_serves_metrics_on_its_own_port(platform: Settings, tmp_path: Path) -> None:
    """``python -m gateway``: the public port answers, the metrics port counts it; /metrics is not public."""
    own = dataclasses.replace(platform, gateway_port=procs.free_port(), gateway_metrics_port=procs.free_port())
    process = stack.PlatformProcess("gateway-metrics", [sys.executable, "-m", "gateway"], own, tmp_path)
    try:
        process.wait_for_log("Running on", timeout=60)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{own.gateway_port}/healthz") as response:
                assert response.status in (200, 503)
                status = str(response.status)
            async with session.get(f"http://127.0.0.1:{own.gateway_port}/metrics") as response:
                assert response.status == 404  # the public port has no metrics
        seen = await eventually(lambda: _up(url(own, own.gateway_metrics_port)), what="the gateway's /metrics")
        assert total(seen, "lingong_gateway_requests_total", route="/healthz", method="GET", status=status) == 1
        assert total(seen, "lingong_gateway_requests_total", route="unmatched", status="404") == 1
    finally:
        process.stop()
