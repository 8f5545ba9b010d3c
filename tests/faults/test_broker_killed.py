"""Issue 8, fault 2: the broker killed (SIGKILL) and restarted under load. While it is down no request gets a
2xx: each gets 503 with Retry-After within 10 s; after it returns, the refused requests are retried with their
keys and everything accepted is processed.

Runs on a stack of its own (tests/faults/fault_stack.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import signal
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.main import create_app
from services import geography
from tests.conftest import TEST_NOW, new_id_number
from tests.faults import checker
from tests.faults.fault_stack import FaultStack, fault_stack, issue_credentials
from tests.integration.conftest import auth, check_in_body

UP_SECONDS = 6.0
DOWN_SECONDS = 15.0
SENDERS = 8


@dataclasses.dataclass
class Call:
    key: str
    market: str
    body: dict[str, object]
    began: float
    ended: float = 0.0
    status: int = 0
    retry_after: str | None = None
    checkin_id: str | None = None


@pytest.mark.timeout(600)
async def test_broker_killed_and_restarted_under_load(tmp_path: Path) -> None:
    with fault_stack(tmp_path, workers=1) as battery:
        await _load(battery)


async def _load(battery: FaultStack) -> None:
    settings = battery.settings
    tokens = await issue_credentials(settings)
    rng = random.Random(2)
    markets = [m.market_id for m in geography.MARKETS]
    calls: list[Call] = []
    stop = asyncio.Event()

    async with TestClient(TestServer(create_app(settings, clock=lambda: TEST_NOW))) as client:

        async def post(call: Call) -> Call:
            call.began = time.monotonic()
            response = await client.post(
                "/api/v1/checkins", json=call.body, headers=auth(tokens[call.market], call.key)
            )
            call.ended, call.status = time.monotonic(), response.status
            call.retry_after = response.headers.get("Retry-After")
            if response.status == 202:
                call.checkin_id = (await response.json())["checkin_id"]
            return call

        async def sender() -> None:
            while not stop.is_set():
                market = rng.choice(markets)
                body = check_in_body(new_id_number(), "mason")
                calls.append(await post(Call(f"bk-{rng.getrandbits(64):016x}", market, body, 0.0)))

        senders = [asyncio.create_task(sender()) for _ in range(SENDERS)]
        await asyncio.sleep(UP_SECONDS)
        os.killpg(battery.kafka.pid or 0, signal.SIGKILL)
        await asyncio.to_thread(battery.kafka._proc.wait)  # the broker is dead from here
        down_at = time.monotonic()
        await asyncio.sleep(DOWN_SECONDS)
        back_at = time.monotonic()
        battery.kafka.start()
        await asyncio.to_thread(battery.kafka.wait_ready, 120)
        ready_at = time.monotonic()
        await asyncio.sleep(UP_SECONDS)
        stop.set()
        await asyncio.gather(*senders)

        while_down = [c for c in calls if c.began >= down_at and c.ended <= back_at]
        wrong = [c for c in while_down if c.status != 503 or not (c.retry_after or "").isdigit()]
        slow = [c for c in while_down if c.ended - c.began > 10]
        down_figures = {
            "requests_while_down": len(while_down),
            "answered_503_while_down": sum(c.status == 503 for c in while_down),
            "slowest_answer_while_down_seconds": round(max((c.ended - c.began for c in while_down), default=0), 2),
        }
        refused = [dataclasses.replace(c) for c in calls if c.status != 202]
        for call in refused:  # the client retries with the same key once the broker is back
            for _ in range(10):
                if (await post(call)).status == 202:
                    break
                await asyncio.sleep(1)

    accepted: dict[str, checker.CommandKind] = {c.checkin_id: "check_in" for c in calls + refused if c.checkin_id}
    report = await checker.settle(settings, accepted, sent=len(calls), timeout=120, since=ready_at)
    figures = {
        **report.figures(),
        **down_figures,
        "refused_then_retried": len(refused),
        "still_refused_after_retry": sum(c.status != 202 for c in refused),
        "broker_restart_seconds": round(ready_at - back_at, 1),
    }
    checker.save("broker_killed", figures)
    assert while_down, "no request was sent while the broker was down"
    assert not wrong, f"{len(wrong)} answers while down were not 503 with Retry-After: {wrong[:3]}"
    assert not slow, f"{len(slow)} answers while down took over 10 s"
    assert all(c.status == 202 for c in refused), "a refused request was still refused after the broker returned"
    assert report.ok and report.lost == 0, f"{report.problems}\n{await battery.diagnose()}"
