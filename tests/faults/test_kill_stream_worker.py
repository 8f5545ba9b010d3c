"""Issue 8, fault 1: one of two stream worker processes killed with SIGKILL every 10 s during a rush of 3,000
check-ins and 300 job requests through the real gateway (offers accepted as they come): nothing lost, nobody
double-booked, no placement twice, every headcount respected, all settled within 60 s of the last kill, and the
report figures the projector keeps in Redis (``/api/v1/reports``, every dimension) equal to an independent count
of the raw ``market-events`` (tests/support/report_count.py).

Runs on a stack of its own (tests/faults/fault_stack.py)."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.main import create_app
from services import clock, geography, topics
from services.market import records
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number
from tests.faults import checker
from tests.faults.fault_stack import FaultStack, fault_stack, issue_credentials
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.kafka_reader import read_topic
from tests.support.report_count import (
    REPORT_COLUMNS,
    independent_figures,
    report_differences,
    wait_projected,
    wait_quiet,
)

CHECK_INS = 3_000
JOB_REQUESTS = 300
KILL_EVERY = 10.0
CONCURRENCY = 32
TRADES = ("mason", "carpenter", "porter")


@pytest.mark.timeout(600)
async def test_kill_a_stream_worker_every_ten_seconds_during_a_rush(tmp_path: Path) -> None:
    with fault_stack(tmp_path) as battery:
        await _rush(battery)


async def _rush(battery: FaultStack) -> None:
    settings = battery.settings
    tokens = await issue_credentials(settings)
    rng = random.Random(1)
    markets = [m.market_id for m in geography.MARKETS]
    plan: list[tuple[str, str, dict[str, object]]] = [
        ("/api/v1/checkins", rng.choice(markets), check_in_body(new_id_number(), rng.choice(TRADES)))
        for _ in range(CHECK_INS)
    ]
    for _ in range(JOB_REQUESTS):
        market = rng.choice(markets)
        body = job_body(market, rng.choice(TRADES), headcount=rng.randint(1, 3))
        plan.insert(rng.randrange(len(plan) + 1), ("/api/v1/job-requests", market, body))
    accepted: dict[str, checker.CommandKind] = {}
    statuses: Counter[int] = Counter()
    kills: list[float] = []
    done = asyncio.Event()

    async with TestClient(TestServer(create_app(settings, clock=lambda: TEST_NOW))) as client:

        async def send(path: str, market: str, body: dict[str, object]) -> None:
            token = tokens["employer"] if path.endswith("job-requests") else tokens[market]
            key = f"rush-{rng.getrandbits(64):016x}"
            for _ in range(5):  # a client retries a 409 or a 503 with the same key
                response = await client.post(path, json=body, headers=auth(token, key))
                statuses[response.status] += 1
                if response.status not in (409, 503):
                    break
                await asyncio.sleep(0.5)
            if 200 <= response.status < 300:
                answer = await response.json()
                if "checkin_id" in answer:
                    accepted[answer["checkin_id"]] = "check_in"
                else:
                    accepted[answer["request_id"]] = "job_request"

        async def sender() -> None:
            while plan:
                await send(*plan.pop())

        async def killer() -> None:
            n = 0
            while not done.is_set() or len(kills) < 2:
                await asyncio.sleep(KILL_EVERY)
                battery.kill_worker(n % 2)
                kills.append(time.monotonic())
                await battery.restart_worker(n % 2)
                n += 1

        answered: set[str] = set()

        async def accepter() -> None:
            """Accepts every offer made (through the kiosk of its market), as the workers would."""
            while True:
                for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS)):
                    event = records.decode_event(m.value)
                    if isinstance(event, records.OfferMade) and event.offer_id not in answered:
                        response = await client.post(
                            f"/api/v1/offers/{event.offer_id}/answer",
                            json={"answer": "accept"},
                            headers=auth(tokens[event.market_id], f"accept-{event.offer_id}"),
                        )
                        if response.status != 404:  # 404: not projected yet, try again
                            answered.add(event.offer_id)
                await asyncio.sleep(1)

        began = time.monotonic()
        killing = asyncio.create_task(killer())
        accepting = asyncio.create_task(accepter())
        await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
        rush_seconds = time.monotonic() - began
        done.set()
        await killing
        report = await checker.settle(settings, accepted, sent=CHECK_INS + JOB_REQUESTS, timeout=75, since=kills[-1])
        await asyncio.sleep(3)  # the last offers answered
        accepting.cancel()
        counted, report_problems = await _report_figures(client, settings, tokens["admin"])  # once all is quiet
        report = dataclass_replace_settle(report, checker.check(accepted, await checker.read_facts(settings)))

    figures = {
        **report.figures(),
        "responses": dict(statuses),
        "kills": len(kills),
        "rush_seconds": round(rush_seconds, 1),
        "offers_answered": len(answered),
        "report_day_totals": counted,
        "report_differences": len(report_problems),
    }
    checker.save("kill_stream_worker", figures)
    failed = not report.ok or report.lost or (report.seconds_to_settle or 999) > 60
    assert not failed, f"{report.problems}\n{await battery.diagnose()}"
    assert report.accepted >= CHECK_INS + JOB_REQUESTS - statuses[503]
    assert not report_problems, report_problems[:20]
    assert counted["checkins"] > 0 and counted["placements"] == report.placements, (counted, report.placements)


async def _report_figures(client: TestClient, settings: Settings, admin: str) -> tuple[dict[str, Any], list[str]]:
    """The day's city totals counted from the raw ``market-events``, and every difference between that count and
    ``/api/v1/reports`` (day of TEST_NOW, by county, market, trade and group) once the projector has caught up."""
    await wait_quiet(settings)
    await wait_projected(settings)
    events = [
        json.loads(m.value) for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))
    ]
    day = clock.local_date(TEST_NOW).isoformat()
    problems: list[str] = []
    for by in ("county", "market", "trade", "group"):
        expected = independent_figures(events, day, by)
        response = await client.get(f"/api/v1/reports?period=day&at={day}&by={by}", headers=auth(admin))
        assert response.status == 200, await response.text()
        rows = {row["key"]: row for row in (await response.json())["rows"]}
        problems += [f"by {by}: {p}" for p in report_differences(rows, expected)]
    return {c: independent_figures(events, day, "county")["total"][c] for c in REPORT_COLUMNS}, problems


def dataclass_replace_settle(settled: checker.Report, final: checker.Report) -> checker.Report:
    """The final check (after the last offers were answered) with the time the effects settled."""
    final.sent = settled.sent
    final.seconds_to_settle = settled.seconds_to_settle if final.lost == 0 else None
    return final
