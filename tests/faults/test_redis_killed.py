"""Issue 8, fault 3: Redis killed (SIGKILL, in-memory: everything in it is lost) and restarted under load.

While Redis is down the gateway answers 503 (never a 2xx whose effect could be lost); once it is back the read
models are rebuilt from the topics (services/adapters/rebuild.py) and every accepted check-in's view is there
again; requests retried with their keys — the idempotency records were lost with Redis — give no duplicate
effects, because the command id derives from the key and the agents deduplicate.

Runs on a stack of its own (tests/faults/fault_stack.py)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.main import create_app
from services import geography
from services.adapters.rebuild import rebuild
from tests.conftest import TEST_NOW, new_id_number
from tests.faults import checker
from tests.faults.fault_stack import FaultStack, fault_stack, issue_credentials
from tests.integration.conftest import auth, check_in_body

UP_SECONDS = 5.0
DOWN_SECONDS = 8.0
SENDERS = 8
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
        os.killpg(battery.redis.pid or 0, signal.SIGKILL)
        await asyncio.to_thread(battery.redis._proc.wait)  # Redis is dead from here
        down_at = time.monotonic()
        await asyncio.sleep(DOWN_SECONDS)
        stop.set()
        await asyncio.gather(*senders)
        while_down = Counter(status for status, began, ended in results.values() if began >= down_at)

        battery.redis.start()
        await asyncio.to_thread(battery.redis.wait_ready)
        began_rebuild = time.monotonic()
        await rebuild(settings, timeout=180)
        rebuild_seconds = time.monotonic() - began_rebuild
        # the projector process exits when Redis goes away: started again, as `lingong up` restarts what died
        projector_exited = battery.projector is not None and battery.projector.proc.poll() is not None
        await battery.restart_projector()
        # every request retried with its key: the refused ones now, the accepted ones a second time
        retried = Counter(await _bounded([post(*call) for call in sent]))

        accepted: dict[str, checker.CommandKind] = {ids[k]: "check_in" for k, _, _ in sent if k in ids}
        report = await checker.settle(settings, accepted, sent=len(sent) * 2, timeout=90)
        missing_views: list[str] = list(accepted)
        deadline = time.monotonic() + 60
        while missing_views and time.monotonic() < deadline:
            found = await _bounded([client.get(f"/api/v1/checkins/{c}") for c in missing_views])
            missing_views = [c for c, view in zip(missing_views, found, strict=True) if view.status != 200]
            await asyncio.sleep(1)

    checker.save(
        "redis_killed",
        {
            **report.figures(),
            "answers_while_down": dict(while_down),
            "answers_to_retries": dict(retried),
            "rebuild_seconds": round(rebuild_seconds, 1),
            "projector_exited_during_outage": projector_exited,
            "views_missing_after_rebuild": len(missing_views),
        },
    )
    assert while_down and set(while_down) == {503}, f"answers while Redis was down: {while_down}"
    assert set(retried) == {202}, retried
    assert report.ok and report.lost == 0 and report.duplicated == 0, f"{report.problems}\n{await battery.diagnose()}"
    assert not missing_views, f"{len(missing_views)} accepted check-ins have no view after the rebuild"
