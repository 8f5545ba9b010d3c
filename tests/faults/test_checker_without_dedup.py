"""Issue 8, fault 7 on a real stack: the checker sees the duplicates when deduplication is switched off.

One private stack (tests/faults/fault_stack.py) takes the same load twice: ``KEYS`` check-ins through the real
gateway, ``DOUBLED`` of them sent a second time with the same Idempotency-Key once the first was answered. First
as shipped — the gateway replays the stored answer, the agents skip a command id they applied — and the checker
reports 0 duplicates. Then with deduplication switched off — a gateway made with ``create_app(deduplicate=False)``
and a stream worker restarted as tests/faults/worker_without_dedup.py (the switch lives in the tests: no setting or
command of the platform turns it off): every retry is published again and the roster applies it again (it
refuses the worker it just admitted), and the checker must report exactly ``DOUBLED`` duplicated decisions."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.main import create_app
from services import geography
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number
from tests.faults import checker
from tests.faults.fault_stack import fault_stack, issue_credentials
from tests.integration.conftest import auth, check_in_body
from tests.support.report_count import wait_quiet

WORKER_WITHOUT_DEDUP = "tests.faults.worker_without_dedup"
KEYS = 120
DOUBLED = 40


@pytest.mark.timeout(600)
async def test_with_deduplication_switched_off_the_checker_reports_the_duplicates(tmp_path: Path) -> None:
    with fault_stack(tmp_path, workers=1) as battery:
        tokens = await issue_credentials(battery.settings)
        shipped = await _load(battery.settings, tokens, random.Random(71))
        battery.workers[0].stop()
        await battery.restart_worker(0, module=WORKER_WITHOUT_DEDUP)
        switched_off = await _load(battery.settings, tokens, random.Random(72), deduplicate=False)
    checker.save("checker_without_dedup", {"doubled_keys": DOUBLED, "shipped": shipped, "switched_off": switched_off})
    assert shipped["duplicated"] == 0 and shipped["lost"] == 0 and shipped["commands_published"] == KEYS, shipped
    assert switched_off["lost"] == 0 and switched_off["commands_published"] == KEYS + DOUBLED, switched_off
    assert switched_off["duplicated"] == DOUBLED, switched_off


async def _load(
    settings: Settings, tokens: dict[str, str], rng: random.Random, *, deduplicate: bool = True
) -> dict[str, Any]:
    """Send the load through a gateway with ``settings`` (``deduplicate``: see :func:`gateway.main.create_app`);
    the checker's figures once the topics are quiet."""
    markets = [m.market_id for m in geography.MARKETS]
    accepted: dict[str, checker.CommandKind] = {}
    statuses: Counter[str] = Counter()
    began = time.monotonic()
    async with TestClient(TestServer(create_app(settings, clock=lambda: TEST_NOW, deduplicate=deduplicate))) as client:
        for n in range(KEYS):
            market, key = rng.choice(markets), f"dedup-{rng.getrandbits(64):016x}"
            body = check_in_body(new_id_number(rng), "mason")
            for _ in range(2 if n < DOUBLED else 1):
                response = await client.post("/api/v1/checkins", json=body, headers=auth(tokens[market], key))
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                statuses[f"{response.status}{' replayed' if replayed else ''}"] += 1
                assert response.status == 202, await response.text()
                accepted[(await response.json())["checkin_id"]] = "check_in"
    report = await checker.settle(settings, accepted, sent=KEYS + DOUBLED, timeout=90, since=began)
    await wait_quiet(settings)  # a second decision may come after the first: count once the agents are done
    facts = await checker.read_facts(settings)
    final = checker.check(accepted, facts, sent=KEYS + DOUBLED)
    final.seconds_to_settle = report.seconds_to_settle
    return {
        **final.figures(),
        "responses": dict(statuses),
        "commands_published": sum(1 for c in facts.worker_commands if c.id in accepted),
    }
