"""Dashboard lag benchmark: the time from an API post to the server-sent event that shows it.

    .venv/bin/python -m tests.benchmarks.dashboard_lag --rate 500 --seconds 20 \
        --out tests/benchmarks/results/dashboard-lag-500.json

A Kafka broker and a Redis of its own (free ports, temporary directories), the stream worker and the projector
as real processes, the gateway in this process on a loopback port (its clock: 09:00 local on the machine's
date plus the real seconds elapsed, so check-ins are never "in the past"). One SSE client reads
``/dashboard/events`` with an officer credential while check-ins are posted through ``POST /api/v1/checkins``
at a steady pace spread over every market, with no jobs, so every worker stays waiting and each market's
``workers_waiting`` counts the check-ins it has applied.

``--rate`` is in facts per second on the log: a check-in makes two (``check_in_admitted`` on worker-events and
``worker_queued`` on market-events), so ``--rate 500`` posts 250 check-ins a second (and four records a second
per check-in counting the two commands). Lag of the k-th check-in posted to a market: from the moment its
post was sent to the first SSE message whose count for that market reaches k (the market applies its
check-ins in log order; the k-th post sent is taken as the k-th applied). Reported: p50, p90, p99, max, the
achieved post rate and fact rate, and whether p99 <= 1 s. Not part of the test run (speed targets live here).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiokafka import AIOKafkaProducer

from deploy.local.demo import wait_for_credentials
from gateway.main import create_app, server_options
from services import clock, geography, records, topics
from services.adapters.registry import register_credential
from services.market.records import WorkerQueued
from services.people import identity
from services.reports.figures import percentile
from services.settings import Settings
from services.topics import topic_specs
from tests.support import stack
from tests.support.kafka_reader import read_topic

_FAILED: list[int] = []  # posts refused in the run (``--via api``)


def _id_numbers(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    found: set[str] = set()
    while len(found) < n:
        first17 = (
            f"520201{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        found.add(first17 + identity.check_character(first17))
    return sorted(found)


class _Clock:
    def __init__(self) -> None:
        day = clock.local_date(datetime.now(UTC))
        self.base = clock.local_midnight_utc(day) + timedelta(hours=9)
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.started)


async def _sse(url: str, token: str, seen: list[tuple[float, dict[str, int]]], ready: asyncio.Event) -> None:
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        assert response.status == 200, await response.text()
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                body = json.loads(line[6:])
                seen.append((time.monotonic(), {m["market_id"]: m["workers_waiting"] for m in body["markets"]}))
                ready.set()


async def _post_all(
    base: str, tokens: dict[str, str], rate: float, seconds: float, seed: int
) -> dict[str, list[float]]:
    checkins_per_second = rate / 2
    total = int(checkins_per_second * seconds)
    numbers = _id_numbers(total, seed)
    markets = [m.market_id for m in geography.MARKETS]
    sent: dict[str, list[float]] = defaultdict(list)
    failures = 0
    gate = asyncio.Semaphore(48)
    connector = aiohttp.TCPConnector(limit=48)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.monotonic()

        async def post(i: int) -> None:
            nonlocal failures
            market = markets[i % len(markets)]
            body = {
                "id_number": numbers[i],
                "trades": ["porter"],
                "min_day_wage": 150,
                "available_from": "07:00",
                "available_until": "23:00",
            }
            headers = {"Authorization": f"Bearer {tokens[market]}", "Idempotency-Key": uuid.uuid4().hex}
            async with gate:
                at = time.monotonic()
                async with session.post(f"{base}/api/v1/checkins", json=body, headers=headers) as response:
                    await response.read()
                    if response.status == 202:
                        sent[market].append(at)
                    else:
                        failures += 1

        tasks = []
        for i in range(total):
            delay = start + i / checkins_per_second - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(i)))
        await asyncio.gather(*tasks)
    if failures:
        print(f"{failures} posts failed")
    _FAILED.append(failures)
    return sent


async def _produce_facts(settings: Settings, rate: float, seconds: float) -> dict[str, list[float]]:
    """``--via facts``: ``worker_queued`` facts straight onto market-events at ``rate`` a second (the dashboard's
    own path only: projector, pub/sub, SSE), timed from the moment each is handed to the producer."""
    total = int(rate * seconds)
    markets = list(geography.MARKETS)
    sent: dict[str, list[float]] = defaultdict(list)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    clock_ = _Clock()
    try:
        start = time.monotonic()
        for i in range(total):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            market = markets[i % len(markets)]
            fact = WorkerQueued(
                id=records.derived_id("lag-fact", str(i)),
                at=clock_(),
                market_id=market.market_id,
                county=market.county,
                command_id=records.derived_id("lag-command", str(i)),
                checkin_id=records.derived_id("lag-checkin", str(i)),
                worker=f"lag-worker-{i}",
                worker_masked=f"5202**********{i % 10000:04d}",
                ticket_no=i,
                trades=("porter",),
                min_day_wage=150,
                available_from=7 * 60,
                available_until=23 * 60,
            )
            sent[market.market_id].append(time.monotonic())
            await producer.send(
                settings.topic(topics.MARKET_EVENTS), records.encode(fact), key=market.market_id.encode()
            )
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def _lags(
    sent: dict[str, list[float]], seen: list[tuple[float, dict[str, int]]], before: dict[str, int]
) -> list[float]:
    lags: list[float] = []
    for market, times in sent.items():
        counts = [s[1].get(market, 0) - before.get(market, 0) for s in seen]
        stamps = [s[0] for s in seen]
        for k, posted in enumerate(sorted(times), start=1):
            # first message whose count reached k (counts only grow: workers stay waiting)
            index = next((i for i in range(bisect.bisect_left(stamps, posted), len(seen)) if counts[i] >= k), None)
            if index is not None:
                lags.append(stamps[index] - posted)
            else:
                lags.append(float("inf"))
    return lags


async def run(rate: float, seconds: float, seed: int, out: Path | None, via: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lingong-lag-") as tmp:
        workdir = Path(tmp)
        with stack.kafka_broker(workdir / "kafka") as kafka, stack.redis_server(workdir / "redis") as redis_server:
            run_id = uuid.uuid4().hex[:6]
            settings = Settings(
                kafka_bootstrap=kafka.bootstrap,
                redis_url=redis_server.url,
                pseudonym_key=b"benchmark-pseudonym-key-" + run_id.encode(),
                topic_prefix=f"lag{run_id}.",
                partitions=6,
                streams_app_id=f"lingong-lag-{run_id}",
                tick_interval_seconds=0,
                # a load benchmark, not a throttling test: the per-kiosk, per-account and per-address limits
                # (120, 300 and 3,000 a minute) would refuse most of 250 check-ins a second from one address
                kiosk_requests_max=1_000_000,
                account_requests_max=1_000_000,
                address_requests_max=1_000_000,
            )
            kafka.create_topics(topic_specs(settings))
            projector = stack.projector(settings, workdir)
            worker = stack.stream_worker(settings, workdir) if via == "api" else None
            runner = web.AppRunner(create_app(settings, clock=_Clock()), **server_options(settings))
            try:
                tokens = {
                    m.market_id: await register_credential(
                        settings,
                        role="kiosk",
                        subject_id=f"kiosk-{m.market_id}",
                        display_name="基准",
                        market_id=m.market_id,
                    )
                    for m in geography.MARKETS
                }
                officer = await register_credential(settings, role="admin", subject_id="bench", display_name="基准")
                await wait_for_credentials(settings, [*tokens.values(), officer])
                await runner.setup()
                site = web.TCPSite(runner, "127.0.0.1", 0)
                await site.start()
                port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
                base = f"http://127.0.0.1:{port}"
                seen: list[tuple[float, dict[str, int]]] = []
                ready = asyncio.Event()
                reader = asyncio.create_task(_sse(f"{base}/dashboard/events", officer, seen, ready))
                await asyncio.wait_for(ready.wait(), 30)
                before = dict(seen[-1][1])
                load_before = [round(x, 2) for x in os.getloadavg()]
                started = time.monotonic()
                if via == "api":
                    sent = await _post_all(base, tokens, rate, seconds, seed)
                else:
                    sent = await _produce_facts(settings, rate, seconds)
                posting = time.monotonic() - started
                total = sum(len(v) for v in sent.values())
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    last = seen[-1][1]
                    if all(last.get(m, 0) - before.get(m, 0) >= len(v) for m, v in sent.items()):
                        break
                    await asyncio.sleep(0.2)
                reader.cancel()
                facts = len(await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))) + len(
                    await read_topic(settings.kafka_bootstrap, settings.topic(topics.WORKER_EVENTS))
                )
                lags = _lags(sent, seen, before)
                finite = [x for x in lags if x != float("inf")]
                ms = [int(x * 1000) for x in finite]
                result = {
                    "benchmark": "dashboard lag: API post to the SSE message showing it"
                    if via == "api"
                    else "dashboard lag: fact produced to market-events to the SSE message showing it",
                    "via": via,
                    "target_facts_per_second": rate,
                    "seconds": seconds,
                    "checkins_or_facts_sent": total,
                    "posts_failed": sum(_FAILED),
                    "post_rate_per_second": round(total / posting, 1),
                    "facts_on_log": facts,
                    "fact_rate_per_second": round(facts / posting, 1),
                    "sse_messages": len(seen),
                    "not_shown": len(lags) - len(finite),
                    "lag_ms": {
                        "p50": percentile(ms, 50),
                        "p90": percentile(ms, 90),
                        "p99": percentile(ms, 99),
                        "max": max(ms) if ms else None,
                    },
                    "target_p99_ms": 1000,
                    "met": bool(ms) and len(finite) == len(lags) and (percentile(ms, 99) or 0) <= 1000,
                    "push_interval_seconds": settings.dashboard_push_interval_seconds,
                    "partitions": settings.partitions,
                    "machine": f"shared {os.cpu_count()}-core VM (other sessions running)",
                    "load_average_1_5_15": {"start": load_before, "end": [round(x, 2) for x in os.getloadavg()]},
                    "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                print(json.dumps(result, indent=2, ensure_ascii=False))
                if out is not None:
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
                return result
            finally:
                await runner.cleanup()
                if worker is not None:
                    worker.stop()
                projector.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=500, help="facts per second on the log (default 500)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--via",
        choices=("api", "facts"),
        default="api",
        help="api: check-ins posted through the gateway (the whole pipeline); facts: worker_queued facts "
        "produced to market-events at --rate a second (projector, pub/sub and SSE only)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds, args.seed, args.out, args.via))


if __name__ == "__main__":
    main()
