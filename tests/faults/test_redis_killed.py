"""Issue 8, fault 3: Redis killed (SIGKILL, in-memory: everything in it is lost) and restarted under load.

While Redis is down the gateway answers 503 (never a 2xx whose effect could be lost) and the projector process
stays up, retrying (projector/app.py); once Redis is back the read models are rebuilt from the
topics (projector/rebuild.py, while that projector runs) and every accepted check-in's view is there
again; requests retried with their keys — the idempotency records were lost with Redis — give no duplicate
effects, because the command id derives from the key and the agents deduplicate. The dashboard recovers: its
data endpoint counts every check-in on the topic, a stream open through the outage ends (the page reconnects),
and check-ins posted afterwards reach a new stream and the endpoint within ``DASHBOARD_BOUND`` seconds.

Runs on a stack of its own (tests/faults/fault_stack.py)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from deploy.local import procs
from gateway.main import create_app
from projector.rebuild import rebuild
from services import geography
from services.market.records import WorkerQueued
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number
from tests.faults import checker
from tests.faults.fault_stack import FaultStack, fault_stack, issue_credentials
from tests.integration.conftest import auth, check_in_body

UP_SECONDS = 5.0
DOWN_SECONDS = 8.0
SENDERS = 8
AFTER_OUTAGE = 20  # check-ins posted once Redis is back, to be seen on the dashboard
DASHBOARD_BOUND = 30.0
T = TypeVar("T")


async def _bounded(calls: list[Awaitable[T]], limit: int = 16) -> list[T]:
    """Await ``calls`` with at most ``limit`` at a time, results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


@pytest.mark.timeout(600)
async def test_redis_killed_and_restarted_under_load(tmp_path: Path) -> None:
    with fault_stack(tmp_path, workers=1) as battery:
        await _load(battery)


async def _load(battery: FaultStack) -> None:
    settings = battery.settings
    tokens = await issue_credentials(settings)
    rng = random.Random(3)
    markets = [m.market_id for m in geography.MARKETS]
    sent: list[tuple[str, str, dict[str, object]]] = []
    results: dict[str, tuple[int, float, float]] = {}  # key → (status, began, ended)
    ids: dict[str, str] = {}
    stop = asyncio.Event()

    async with TestClient(TestServer(create_app(settings, clock=lambda: TEST_NOW))) as client:

        async def post(key: str, market: str, body: dict[str, object]) -> int:
            began = time.monotonic()
            response = await client.post("/api/v1/checkins", json=body, headers=auth(tokens[market], key))
            results[key] = (response.status, began, time.monotonic())
            if response.status == 202:
                ids[key] = (await response.json())["checkin_id"]
            return response.status

        async def sender() -> None:
            while not stop.is_set():
                call = (f"rd-{rng.getrandbits(64):016x}", rng.choice(markets), check_in_body(new_id_number(), "mason"))
                sent.append(call)
                if await post(*call) == 503:
                    await asyncio.sleep(0.1)  # a client backs off on 503 (Retry-After)

        senders = [asyncio.create_task(sender()) for _ in range(SENDERS)]
        await asyncio.sleep(UP_SECONDS)
        through_outage = await _stream(client, tokens["admin"])
        os.killpg(battery.redis.pid or 0, signal.SIGKILL)
        await asyncio.to_thread(battery.redis._proc.wait)  # Redis is dead from here
        down_at = time.monotonic()
        await asyncio.sleep(DOWN_SECONDS)
        stop.set()
        await asyncio.gather(*senders)
        while_down = Counter(status for status, began, ended in results.values() if began >= down_at)
        projector = battery.projector
        assert projector is not None
        stream_ended = await _ended(through_outage, 20)

        battery.redis.start()
        await asyncio.to_thread(battery.redis.wait_ready)
        began_rebuild = time.monotonic()
        await rebuild(settings, timeout=180)  # with the projector process still running
        rebuild_seconds = time.monotonic() - began_rebuild
        projector_alive = projector.proc.poll() is None
        retries_logged = projector.log.read_text(errors="replace").count("Redis unreachable")
        # every request retried with its key: the refused ones now, the accepted ones a second time; a 503
        # (Redis or the broker slow on a loaded machine) is retried again after a pause, as a client does
        busy: Counter[int] = Counter()

        async def retry(key: str, market: str, body: dict[str, object]) -> int:
            for _ in range(5):
                status = await post(key, market, body)
                if status != 503:
                    break
                busy[status] += 1
                await asyncio.sleep(0.5)
            return status

        retried = Counter(await _bounded([retry(*call) for call in sent]))

        accepted: dict[str, checker.CommandKind] = {ids[k]: "check_in" for k, _, _ in sent if k in ids}
        report = await checker.settle(settings, accepted, sent=len(sent) * 2, timeout=90)
        missing_views: list[str] = list(accepted)
        deadline = time.monotonic() + 60
        while missing_views and time.monotonic() < deadline:
            found = await _bounded([client.get(f"/api/v1/checkins/{c}") for c in missing_views])
            missing_views = [c for c, view in zip(missing_views, found, strict=True) if view.status != 200]
            await asyncio.sleep(1)
        dashboard = await _dashboard_recovers(client, tokens, settings, rng, markets)

    checker.save(
        "redis_killed",
        {
            **report.figures(),
            "answers_while_down": dict(while_down),
            "answers_to_retries": dict(retried),
            "retries_answered_503_then_retried": busy[503],
            "rebuild_seconds": round(rebuild_seconds, 1),
            "projector_alive_after_outage": projector_alive,
            "projector_retries_logged": retries_logged,
            "views_missing_after_rebuild": len(missing_views),
            "dashboard_stream_ended_in_outage": stream_ended,
            **dashboard,
        },
    )
    assert projector_alive and retries_logged > 0, procs.tail(projector.log, 40)
    assert stream_ended, "a dashboard stream open through the outage never ended (the page would not reconnect)"
    assert dashboard["dashboard_waiting_after_rebuild"] == dashboard["check_ins_queued_on_topic"], dashboard
    assert dashboard["seconds_until_endpoint_shows_new"] is not None, dashboard
    assert dashboard["seconds_until_stream_shows_new"] is not None, dashboard
    assert while_down and set(while_down) == {503}, f"answers while Redis was down: {while_down}"
    assert set(retried) == {202}, retried
    assert report.ok and report.lost == 0 and report.duplicated == 0, f"{report.problems}\n{await battery.diagnose()}"
    assert not missing_views, f"{len(missing_views)} accepted check-ins have no view after the rebuild"


async def _stream(client: TestClient, token: str) -> ClientResponse:
    """``/dashboard/events`` opened, its first push read."""
    response = await client.get("/dashboard/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, await response.text()
    await _next_push(response, 10)
    return response


async def _next_push(response: ClientResponse, timeout: float) -> dict[str, Any] | None:
    """The next ``dashboard`` event of the stream; None when the stream ends."""
    async with asyncio.timeout(timeout):
        while line := await response.content.readline():
            if line.startswith(b"data: "):
                answer: dict[str, Any] = json.loads(line[6:])
                return answer
    return None


async def _ended(response: ClientResponse, timeout: float) -> bool:
    """Whether the stream ends within ``timeout`` (pushes before the end are skipped)."""
    try:
        while await _next_push(response, timeout) is not None:
            pass
    except TimeoutError:
        return False
    except (aiohttp.ClientError, RuntimeError):  # closed rather than ended: the page reconnects all the same
        return True
    finally:
        response.close()
    return True


async def _city_waiting(client: TestClient, token: str) -> int:
    response = await client.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, await response.text()
    waiting: int = (await response.json())["city"]["workers_waiting"]
    return waiting


async def _dashboard_recovers(
    client: TestClient, tokens: dict[str, str], settings: Settings, rng: random.Random, markets: list[str]
) -> dict[str, Any]:
    """After the rebuild: the dashboard endpoint counts every check-in queued on the topic (no request was
    posted, so all wait); then ``AFTER_OUTAGE`` check-ins posted show on a new stream and on the endpoint."""
    admin = tokens["admin"]
    queued = {e.checkin_id for e in (await checker.read_facts(settings)).market_events if isinstance(e, WorkerQueued)}
    deadline = time.monotonic() + DASHBOARD_BOUND
    while (waiting := await _city_waiting(client, admin)) != len(queued) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    stream = await _stream(client, admin)
    posted = time.monotonic()
    for _ in range(AFTER_OUTAGE):
        market = rng.choice(markets)
        body = check_in_body(new_id_number(), "mason")
        response = await client.post("/api/v1/checkins", json=body, headers=auth(tokens[market]))
        assert response.status == 202, await response.text()
    target = waiting + AFTER_OUTAGE
    on_stream: float | None = None
    try:
        async with asyncio.timeout(DASHBOARD_BOUND):
            while (push := await _next_push(stream, DASHBOARD_BOUND)) is not None:
                if push["city"]["workers_waiting"] == target:
                    on_stream = round(time.monotonic() - posted, 1)
                    break
    except TimeoutError:
        pass
    finally:
        stream.close()
    on_endpoint: float | None = None
    while time.monotonic() < posted + DASHBOARD_BOUND:
        if await _city_waiting(client, admin) == target:
            on_endpoint = round(time.monotonic() - posted, 1)
            break
        await asyncio.sleep(0.2)
    return {
        "check_ins_queued_on_topic": len(queued),
        "dashboard_waiting_after_rebuild": waiting,
        "posted_after_outage": AFTER_OUTAGE,
        "seconds_until_stream_shows_new": on_stream,
        "seconds_until_endpoint_shows_new": on_endpoint,
    }
