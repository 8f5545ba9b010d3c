"""Issue 8, fault 6: the gateway (``python -m gateway``, a process of its own) stopped with SIGTERM under load.
Requests in flight finish or fail cleanly (a 202, a 503, or a refused connection — never another 5xx), the
process exits, and no 2xx was given without its record on the topic (and its effect).

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
from pathlib import Path

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
    accepted: dict[str, checker.CommandKind] = {}
    refused_connection = asyncio.Event()

    async def sender(session: aiohttp.ClientSession) -> None:
        while not refused_connection.is_set():
            market = rng.choice(markets)
            body = check_in_body(new_id_number(), "mason", available_from="00:00", available_until="23:59")
            try:
                async with session.post(f"{base}/api/v1/checkins", json=body, headers=auth(tokens[market])) as response:
                    outcomes[str(response.status)] += 1
                    answer = await response.json()
                    if response.status == 202:
                        accepted[answer["checkin_id"]] = "check_in"
                    elif response.status != 503:
                        outcomes[f"unexpected {response.status}: {answer.get('error')}"] += 1
            except aiohttp.ClientConnectorError:
                outcomes["connection refused"] += 1
                refused_connection.set()
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
                outcomes[f"connection closed ({type(error).__name__})"] += 1

    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            senders = [asyncio.create_task(sender(session)) for _ in range(SENDERS)]
            await asyncio.sleep(LOAD_SECONDS)
            os.kill(gateway.proc.pid, signal.SIGTERM)
            term_at = time.monotonic()
            code = await asyncio.to_thread(gateway.proc.wait, 30)
            exit_seconds = time.monotonic() - term_at
            await asyncio.wait_for(asyncio.gather(*senders), 30)
    finally:
        gateway.stop()

    report = await checker.settle(settings, accepted, sent=sum(outcomes.values()), timeout=90)
    checker.save(
        "gateway_sigterm",
        {**report.figures(), "outcomes": dict(outcomes), "exit_code": code, "seconds_to_exit": round(exit_seconds, 1)},
    )
    assert code == 0, f"the gateway exited with {code}:\n{procs.tail(gateway.log, 40)}"
    assert not [o for o in outcomes if o.startswith("unexpected")], outcomes
    assert report.commands_missing == 0, "a 2xx without its record on the topic"
    assert report.ok and report.lost == 0, report.problems
