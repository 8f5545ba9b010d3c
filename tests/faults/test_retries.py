"""Issue 8, fault 4: retries. 10,000 check-in requests carrying 2,000 distinct Idempotency-Keys (each key sent
1 to many times, in random order, duplicates concurrently) give exactly 2,000 commands on the topic and 2,000
decision facts; a key reused with a different body is refused with 422."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict

from aiohttp.test_utils import TestClient

from services.settings import Settings
from tests.conftest import new_id_number
from tests.faults import checker
from tests.faults.conftest import lane_at
from tests.integration.conftest import auth, check_in_body

KEYS = 2_000
REQUESTS = 10_000
CONCURRENCY = 64


async def test_ten_thousand_requests_with_two_thousand_keys_give_two_thousand_effects(
    loaded_gateway: TestClient, platform: Settings, credentials: dict[str, str]
) -> None:
    market, trade = lane_at("pz-market")
    token = credentials[market]
    rng = random.Random(8)
    keys = [f"retry-{i:05d}-{rng.getrandbits(48):012x}" for i in range(KEYS)]
    bodies = {key: check_in_body(new_id_number(), trade) for key in keys}
    # every key at least once, the rest drawn at random, so some keys come many times and often at once
    plan = keys + [rng.choice(keys) for _ in range(REQUESTS - KEYS)]
    rng.shuffle(plan)
    statuses: Counter[int] = Counter()
    answers: dict[str, set[str]] = defaultdict(set)
    replays = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for key in plan:
        queue.put_nowait(key)

    async def send(key: str) -> None:
        nonlocal replays
        while True:  # a 409 (the same key still in flight) is retried, as a client would
            response = await loaded_gateway.post("/api/v1/checkins", json=bodies[key], headers=auth(token, key))
            statuses[response.status] += 1
            if response.status != 409:
                break
            await asyncio.sleep(0.05)
        body = await response.json()
        assert response.status == 202, body
        answers[key].add(body["checkin_id"])
        replays += response.headers.get("Idempotent-Replayed") == "true"

    async def client() -> None:
        while not queue.empty():
            await send(queue.get_nowait())

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    sent_seconds = time.monotonic() - began

    reused = await loaded_gateway.post(
        "/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(token, keys[0])
    )
    assert reused.status == 422 and (await reused.json())["error"] == "idempotency_key_reused"

    assert all(len(ids) == 1 for ids in answers.values()), "a key answered with two different check-in ids"
    accepted: dict[str, checker.CommandKind] = {next(iter(ids)): "check_in" for ids in answers.values()}
    assert len(accepted) == KEYS
    report = await checker.settle(platform, accepted, sent=REQUESTS, timeout=120)
    facts = await checker.read_facts(platform)
    copies = Counter(c.id for c in facts.worker_commands if c.id in accepted)
    figures = {
        **report.figures(),
        "keys": KEYS,
        "responses": dict(statuses),
        "replayed_202": replays,
        "commands_published": sum(copies.values()),
        "seconds_to_send": round(sent_seconds, 1),
    }
    checker.save("retries", figures)
    assert report.ok and report.lost == 0 and report.effects_seen == KEYS, report.problems
    assert sum(copies.values()) == KEYS, "a key was published more than once"
    assert statuses[202] == REQUESTS
