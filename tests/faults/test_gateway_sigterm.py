"""Issue 8, fault 6: the gateway (``python -m gateway``, a process of its own) stopped with SIGTERM under load.
It drains (gateway/drain.py): every request begun before SIGTERM gets an HTTP answer (a 202, or a 503 — never
another 5xx, never a cut connection); later ones get a 503 ``draining`` or a refused connection; ``/healthz``
answers 503 while draining; the process exits 0; and no 2xx was given without its record on the topic (and its
effect).

Runs on a stack of its own (tests/faults/fault_stack.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from deploy.local import procs
from services import geography
from tests.conftest import new_id_number
from tests.faults import checker
from tests.faults.fault_stack import FaultStack, fault_stack, issue_credentials
from tests.integration.conftest import auth, check_in_body
from tests.support import stack

LOAD_SECONDS = 6.0
SENDERS = 16
#: How long after ``kill`` returns the gateway surely runs its SIGTERM handler (for the /healthz check).
SIGNAL_MARGIN = 0.5


@pytest.mark.timeout(600)
async def test_gateway_stopped_with_sigterm_under_load(tmp_path: Path) -> None:
    with fault_stack(tmp_path, workers=1) as battery:
        await _load(battery, tmp_path)


async def _load(battery: FaultStack, workdir: Path) -> None:
    settings = dataclasses.replace(battery.settings, gateway_host="127.0.0.1", gateway_port=procs.free_port())
    tokens = await issue_credentials(settings)
    gateway = stack.PlatformProcess("gateway", [sys.executable, "-m", "gateway"], settings, workdir)
    await asyncio.to_thread(gateway.wait_for_log, "Running on", 60)
    base = f"http://127.0.0.1:{settings.gateway_port}"
    rng = random.Random(6)
    markets = [m.market_id for m in geography.MARKETS]
    outcomes: Counter[str] = Counter()
    timeline: list[tuple[float, str]] = []  # (when the request began, its outcome)
    health: list[tuple[float, str]] = []
    accepted: dict[str, checker.CommandKind] = {}

    async def attempt(call: Awaitable[aiohttp.ClientResponse], log: list[tuple[float, str]]) -> tuple[str, Any]:
        """The outcome (the status, or how the connection failed) and the answer's JSON; logged with the time
        the request began."""
        began = time.monotonic()
        answer: Any = None
        try:
            async with await call as response:
                outcome = str(response.status)
                answer = await response.json()
        except aiohttp.ClientConnectorError:
            outcome = "connection refused"
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
            outcome = f"connection closed ({type(error).__name__})"
        log.append((began, outcome))
        return outcome, answer

    async def sender(session: aiohttp.ClientSession) -> None:
        """Sends until its own connection is refused (the listener is closed)."""
        outcome = ""
        while outcome != "connection refused":
            market = rng.choice(markets)
            body = check_in_body(new_id_number(), "mason", available_from="00:00", available_until="23:59")
            post = session.post(f"{base}/api/v1/checkins", json=body, headers=auth(tokens[market]))
            outcome, answer = await attempt(post, timeline)
            if outcome == "202":
                accepted[answer["checkin_id"]] = "check_in"
            elif outcome.isdigit() and outcome != "503":
                outcomes[f"unexpected {outcome}: {answer.get('error')}"] += 1

    async def prober(session: aiohttp.ClientSession) -> None:
        """``/healthz`` on a kept-alive connection, as a load balancer polls it."""
        while (await attempt(session.get(f"{base}/healthz"), health))[0] != "connection refused":
            await asyncio.sleep(0.02)

    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            senders = [asyncio.create_task(sender(session)) for _ in range(SENDERS)]
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as probing:
                probe = asyncio.create_task(prober(probing))
                await asyncio.sleep(LOAD_SECONDS)
                term_at = time.monotonic()
                os.kill(gateway.proc.pid, signal.SIGTERM)
                code = await asyncio.to_thread(gateway.proc.wait, 30)
                exit_seconds = time.monotonic() - term_at
                await asyncio.wait_for(asyncio.gather(*senders, probe), 30)
    finally:
        gateway.stop()

    outcomes.update(o for _, o in timeline)
    in_flight = [o for began, o in timeline if began < term_at and not o.isdigit()]
    after = Counter(o for began, o in timeline if began >= term_at)
    health_after = Counter(o for began, o in health if began >= term_at + SIGNAL_MARGIN)
    report = await checker.settle(settings, accepted, sent=sum(outcomes.values()), timeout=90)
    checker.save(
        "gateway_sigterm",
        {
            **report.figures(),
            "outcomes": dict(outcomes),
            "begun_before_sigterm": sum(1 for began, _ in timeline if began < term_at),
            "begun_before_sigterm_cut": len(in_flight),
            "begun_after_sigterm": dict(after),
            "healthz_begun_after_sigterm": dict(Counter(o for began, o in health if began >= term_at)),
            "exit_code": code,
            "seconds_to_exit": round(exit_seconds, 1),
            "gateway_said": [line for line in procs.tail(gateway.log, 20).splitlines() if "stop" in line],
        },
    )
    assert code == 0, f"the gateway exited with {code}:\n{procs.tail(gateway.log, 40)}"
    assert not [o for o in outcomes if o.startswith("unexpected")], outcomes
    assert report.commands_missing == 0, "a 2xx without its record on the topic"
    assert not in_flight, f"requests begun before SIGTERM cut without an answer: {Counter(in_flight)}"
    assert "200" not in health_after, f"/healthz said 200 while draining: {health_after}"
    assert report.ok and report.lost == 0, report.problems
