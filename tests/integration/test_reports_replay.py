"""A recorded day replayed through the real stack: report figures equal an independent count of the raw topic
records, and wiping and rebuilding the read models gives the same keys and values.

The stack is the session's Kafka and Redis with a prefix, a stream worker and a projector of this module's own,
so the day's clock (2026-11-26, 06:00 to midnight local) never moves the markets other tests use. Commands are
generated deterministically (seeded) and produced to the command topics; offers are answered from what the
markets decided. The independent count below reads the JSON of ``market-events`` and ``fair-events`` itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaProducer

from deploy.local.demo import wait_for_credentials
from gateway.main import create_app
from projector.rebuild import KEPT, rebuild
from services import geography, topics
from services.adapters.registry import register_credential
from services.market import records
from services.records import derived_id, encode
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import new_id_number
from tests.integration.fair_support import applied, credit, post
from tests.support import stack
from tests.support.kafka_reader import read_topic
from tests.support.report_count import (
    REPORT_COLUMNS,
    independent_fair_figures,
    independent_figures,
    report_differences,
    wait_projected,
    wait_quiet,
)

ZONE = ZoneInfo("Asia/Shanghai")
DAY_START = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # 06:00 on 2026-11-26 local
ROUNDS = 24  # every 30 minutes, 06:00 to 17:30
GROUPS = ("veteran", "returnee", "long_term_unemployed", "disabled", "minimum_living_allowance", "woman")


@dataclasses.dataclass
class Replayed:
    settings: Settings
    token: str


@pytest.fixture(scope="module")
def replayed(
    kafka: stack.KafkaBroker, platform: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replayed]:
    run = uuid.uuid4().hex[:6]
    settings = dataclasses.replace(
        platform,
        topic_prefix=f"{platform.topic_prefix}replay{run}.",
        streams_app_id=f"{platform.streams_app_id}-replay{run}",
        tick_interval_seconds=0,
    )
    kafka.create_topics(topic_specs(settings))
    workdir = tmp_path_factory.mktemp("replay")
    projector = stack.projector(settings, workdir)
    worker = stack.stream_worker(settings, workdir)
    try:
        token = asyncio.run(_record_day(settings))
        yield Replayed(settings, token)
    finally:
        worker.stop()
        projector.stop()


def _worker_ids(n: int) -> tuple[str, str]:
    return f"replay-worker-{n:04d}", f"5202**********{n:04d}"


async def _record_day(settings: Settings) -> str:
    """Produce the day's commands round by round, answer the offers, end the day; the officer token."""
    from services import trades

    trade_codes = [t.code for t in trades.TRADES][:6]
    rng = random.Random(20261126)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    answered: set[str] = set()
    everything: set[str] = set()
    placements_seen: set[str] = set()
    checkins: list[records.CheckIn] = []
    requests: list[records.PostJobRequest] = []
    try:
        for round_no in range(ROUNDS):
            at = DAY_START + timedelta(minutes=30 * round_no)
            sent: list[str] = []
            for i in range(rng.randint(20, 35)):
                n = len(checkins)
                market = rng.choice(geography.MARKETS)
                worker, masked = _worker_ids(n)
                c = records.CheckIn(
                    id=derived_id("replay-checkin", str(n)),
                    at=at + timedelta(seconds=i),
                    market_id=market.market_id,
                    county=market.county,
                    worker=worker,
                    worker_masked=masked,
                    kiosk_id=f"kiosk-{market.market_id}",
                    trades=tuple(rng.sample(trade_codes, rng.randint(1, 2))),
                    min_day_wage=rng.choice((100, 150, 200)),
                    available_from=7 * 60,
                    available_until=22 * 60,
                    groups=tuple(rng.sample(GROUPS, rng.randint(0, 2))),
                    willing_to_travel=rng.random() < 0.3,
                )
                checkins.append(c)
                await producer.send(settings.topic(topics.WORKER_COMMANDS), encode(c), key=worker.encode())
                sent.append(c.id)
            local = at.astimezone(ZONE)
            for i in range(rng.randint(4, 9)):
                market = rng.choice(geography.MARKETS)
                q = records.PostJobRequest(
                    id=derived_id("replay-request", str(len(requests))),
                    at=at + timedelta(seconds=60 + i),
                    market_id=market.market_id,
                    county=market.county,
                    employer_id=f"replay-employer-{i}",
                    employer_name=f"回放用工单位{i}",
                    trade=rng.choice(trade_codes),
                    headcount=rng.randint(1, 4),
                    day_wage=rng.choice((180, 220, 260)),
                    start=min(local.hour * 60 + local.minute + 60, 20 * 60),
                    hours=2,
                    place="回放测试地点",
                )
                requests.append(q)
                await producer.send(settings.topic(topics.MARKET_COMMANDS), encode(q), key=q.market_id.encode())
                sent.append(q.id)
            if round_no % 6 == 5:  # some check-outs and cancellations
                for c in rng.sample(checkins, 3):
                    out = records.CheckOut(
                        id=derived_id("replay-out", c.id, str(round_no)),
                        at=at + timedelta(seconds=90),
                        market_id=c.market_id,
                        county=c.county,
                        checkin_id=c.id,
                    )
                    await producer.send(settings.topic(topics.MARKET_COMMANDS), encode(out), key=c.market_id.encode())
                for q in rng.sample(requests, 2):
                    cancel = records.CancelJobRequest(
                        id=derived_id("replay-cancel", q.id),
                        at=at + timedelta(seconds=95),
                        market_id=q.market_id,
                        county=q.county,
                        request_id=q.id,
                        employer_id=q.employer_id,
                    )
                    await producer.send(
                        settings.topic(topics.MARKET_COMMANDS), encode(cancel), key=q.market_id.encode()
                    )
            await producer.flush()
            everything.update(sent)
            events = await _settle(settings, set(sent))
            answer_at = at + timedelta(minutes=3)
            for e in events:
                if e["type"] == "offer_made" and e["offer_id"] not in answered:
                    answered.add(e["offer_id"])
                    roll = rng.random()
                    if roll < 0.1:
                        continue  # no answer: expires at a later round
                    a = records.AnswerOffer(
                        id=derived_id("replay-answer", e["offer_id"]),
                        at=answer_at,
                        market_id=e["market_id"],
                        county=e["county"],
                        offer_id=e["offer_id"],
                        checkin_id=e["checkin_id"],
                        answer="accept" if roll < 0.75 else "decline",
                    )
                    await producer.send(settings.topic(topics.MARKET_COMMANDS), encode(a), key=a.market_id.encode())
                    everything.add(a.id)
                elif e["type"] == "placement_started" and e["placement_id"] not in placements_seen:
                    placements_seen.add(e["placement_id"])
                    if rng.random() >= 0.08:
                        steps = _steps(e, answer_at, rng.random())
                        for command in steps:
                            await producer.send(
                                settings.topic(topics.MARKET_COMMANDS),
                                encode(command),
                                key=command.market_id.encode(),
                            )
                        everything.update(command.id for command in steps)
                    else:
                        ns = records.MarkNoShow(
                            id=derived_id("replay-noshow", e["placement_id"]),
                            at=answer_at + timedelta(seconds=30),
                            market_id=e["market_id"],
                            county=e["county"],
                            placement_id=e["placement_id"],
                            employer_id=e.get("employer_id", ""),
                        )
                        await producer.send(
                            settings.topic(topics.MARKET_COMMANDS), encode(ns), key=ns.market_id.encode()
                        )
            await producer.flush()
        midnight = datetime(2026, 11, 26, 16, 0, 5, tzinfo=UTC)  # 00:00:05 on the 27th local: the day ends
        for m in geography.MARKETS:
            tick = records.Tick(
                id=derived_id("replay-tick", m.market_id), at=midnight, market_id=m.market_id, county=m.county
            )
            await producer.send(settings.topic(topics.MARKET_COMMANDS), encode(tick), key=m.market_id.encode())
        await producer.flush()
        await _settle(settings, everything, timeout=60)
        await wait_quiet(settings)
    finally:
        await producer.stop()
    organiser = await register_credential(
        settings,
        role="organiser",
        subject_id="replay-organiser",
        display_name="回放组织者",  # type: ignore[arg-type]
    )
    await wait_for_credentials(settings, [organiser])
    await _fair_day(settings, organiser)
    await wait_quiet(settings)
    token = await register_credential(
        settings,
        role="admin",  # city-wide: the replay compares every county (a county officer sees only their own)
        subject_id="replay-officer",  # type: ignore[arg-type]
        display_name="回放测试市级管理员",
    )
    await wait_for_credentials(settings, [token])
    await wait_projected(settings)
    return token


async def _fair_day(settings: Settings, organiser: str) -> None:
    """Two fairs of the day through the gateway: employers with positions, attendance, intents, hires."""
    client = TestClient(TestServer(create_app(settings, clock=lambda: datetime(2026, 11, 26, 0, 30, tzinfo=UTC))))
    await client.start_server()
    try:
        for n, county in enumerate(("liuzhi", "panzhou")):
            schedule = {
                "level": "county",
                "kind": "comprehensive",
                "county": county,
                "title": f"回放招聘会{n}",
                "venue": "人力资源市场",
                "date": "2026-11-26",
                "start": "09:00",
                "end": "16:00",
                "capacity": 300,
            }
            scheduled = await post(client, "/api/v1/fairs", organiser, schedule)
            fair = f"/api/v1/fairs/{scheduled['fair_id']}"
            await applied(client, scheduled)
            employer = credit(f"9152020{n}MA6DK5R2Q")
            position = {"trade": "mason", "headcount": 5, "wage_min": 180, "wage_max": 240, "wage_unit": "day"}
            body = {"credit_code": employer, "name": f"回放建工{n}", "booth": "A-01", "positions": [position]}
            await applied(client, await post(client, f"{fair}/employers", organiser, body))
            await applied(client, await post(client, f"{fair}/publish", organiser, {}))
            for i in range(4 + n):
                person = new_id_number(random.Random(f"fair-{n}-{i}"))
                await applied(client, await post(client, f"{fair}/attendance", organiser, {"id_number": person}))
                if i % 2 == 0:
                    intent = {"id_number": person, "credit_code": employer, "trade": "mason"}
                    await applied(client, await post(client, f"{fair}/intents", organiser, intent))
                    hire = {**intent, "wage": 200, "wage_unit": "day"}
                    await applied(client, await post(client, f"{fair}/hires", organiser, hire))
    finally:
        await client.close()


def _steps(placed: dict[str, Any], at: datetime, roll: float) -> list[records.RecordPlacementStep]:
    """The steps of a placement: most arrive, of those most complete; of those some are paid (by the employer),
    some confirmed received (by the worker), some both and some neither."""
    if roll >= 0.9:
        return []
    wanted = ["arrived"] if roll >= 0.75 else ["arrived", "completed"]
    if roll < 0.45:
        wanted.append("wage_paid")
    if roll < 0.2 or 0.6 <= roll < 0.7:
        wanted.append("wage_received")
    return [
        records.RecordPlacementStep(
            id=derived_id("replay-step", placed["placement_id"], step),
            at=at + timedelta(minutes=1 + n),
            market_id=placed["market_id"],
            county=placed["county"],
            placement_id=placed["placement_id"],
            step=step,  # type: ignore[arg-type]
            employer_id=placed.get("employer_id", "") if step != "wage_received" else "",
            checkin_id=placed["checkin_id"] if step == "wage_received" else "",
        )
        for n, step in enumerate(wanted)
    ]


async def _settle(settings: Settings, commands: set[str], timeout: float = 30) -> list[dict[str, Any]]:
    """The market events once every command of ``commands`` has an answer (or after ``timeout`` of waiting)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        events = [
            json.loads(m.value)
            for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))
        ]
        refused = [
            json.loads(m.value)
            for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.WORKER_EVENTS))
        ]
        answered = {e["command_id"] for e in events} | {
            e["command_id"] for e in refused if e["type"] == "check_in_refused"
        }
        if commands <= answered or asyncio.get_running_loop().time() > deadline:
            return events
        await asyncio.sleep(0.3)


async def _client(settings: Settings) -> TestClient:
    client = TestClient(TestServer(create_app(settings, clock=lambda: datetime(2026, 11, 26, 10, tzinfo=UTC))))
    await client.start_server()
    return client


async def test_report_figures_equal_the_counts_from_the_raw_topic(replayed: Replayed) -> None:
    settings = replayed.settings
    events = [
        json.loads(m.value) for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))
    ]
    assert len(events) >= 2000, f"a recorded day has thousands of events, got {len(events)}"
    kinds = {e["type"] for e in events}
    assert {
        "worker_queued",
        "offer_made",
        "offer_accepted",
        "offer_declined",
        "offer_expired",
        "placement_started",
        "placement_cancelled",
        "job_request_closed",
        "placement_step_recorded",
    } <= kinds, kinds
    client = await _client(settings)
    headers = {"Authorization": f"Bearer {replayed.token}"}
    try:
        for by in ("county", "market", "trade", "group"):
            expected = independent_figures(events, "2026-11-26", by)
            response = await client.get(f"/api/v1/reports?period=day&at=2026-11-26&by={by}", headers=headers)
            assert response.status == 200, await response.text()
            rows = {row["key"]: row for row in (await response.json())["rows"]}
            assert not report_differences(rows, expected), (by, report_differences(rows, expected)[:10])
        assert expected["total"]["placements"] > 100 and expected["total"]["no_shows"] > 0
        assert 0 < expected["total"]["wages_paid"] < expected["total"]["completed"], expected["total"]
        fair_events = [
            json.loads(m.value) for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.FAIR_EVENTS))
        ]
        fair_expected = independent_fair_figures(fair_events, "2026-11-26")
        assert fair_expected["total"]["hires"] == 5 and fair_expected["total"]["fairs_held"] == 2, fair_expected
        response = await client.get("/api/v1/reports?period=day&at=2026-11-26&by=county", headers=headers)
        rows = {row["key"]: row for row in (await response.json())["rows"]}
        for scope, figures in fair_expected.items():
            if any(figures.values()):
                assert {k: rows[scope][k] for k in figures} == figures, scope
        supply = await (await client.get("/api/v1/supply")).json()  # 18:00 local: the fairs have ended
        assert not [row for row in supply["rows"] if row["source"] == "fair"]
        morning = TestClient(TestServer(create_app(settings, clock=lambda: datetime(2026, 11, 26, 0, 30, tzinfo=UTC))))
        await morning.start_server()
        try:
            supply = await (await morning.get("/api/v1/supply")).json()  # 08:30 local
            fair_rows = [row for row in supply["rows"] if row["source"] == "fair"]
            assert sorted(row["county"] for row in fair_rows) == ["liuzhi", "panzhou"], fair_rows
            assert all(row["positions"] == 5 and row["employer"].startswith("回放建工") for row in fair_rows)
        finally:
            await morning.close()
        for kind, code in (("week", "2026-W48"), ("month", "2026-11"), ("quarter", "2026-Q4")):
            response = await client.get(f"/api/v1/reports?period={kind}&at={code}&by=county", headers=headers)
            total = (await response.json())["rows"][-1]
            assert {c: total[c] for c in REPORT_COLUMNS} == {c: expected["total"][c] for c in REPORT_COLUMNS}, kind
        csv = await client.get("/exports/reports.csv?period=day&at=2026-11-26&by=market", headers=headers)
        body = await csv.read()
        assert csv.content_type == "text/csv" and body.startswith(b"\xef\xbb\xbf")
        assert "登记人次" in body.decode("utf-8-sig")
    finally:
        await client.close()


async def _all_views(settings: Settings) -> dict[bytes, bytes]:
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        found: dict[bytes, bytes] = {}
        async for key in redis.scan_iter(match=f"{settings.topic_prefix}*", count=1000):
            if any(key.startswith(f"{settings.topic_prefix}{kept}".encode()) for kept in KEPT):
                continue  # not read models: rebuild keeps them
            if await redis.type(key) == b"hash":  # the day ledgers and the dashboard's markets
                found[key] = repr(sorted((await redis.hgetall(key)).items())).encode()
            else:
                found[key] = await redis.get(key)
        return found
    finally:
        await redis.aclose()


async def test_wipe_and_rebuild_gives_identical_read_models(replayed: Replayed) -> None:
    settings = replayed.settings
    await wait_projected(settings)
    before = await _all_views(settings)
    assert len(before) > 500
    wiped = await rebuild(settings)
    assert wiped == len(before)
    after = await _all_views(settings)
    assert set(after) == set(before)
    differing = sorted(k for k in before if _comparable(k, before[k]) != _comparable(k, after[k]))
    assert not differing, (
        f"{len(differing)} keys differ, e.g. {differing[:5]}; first before {before[differing[0]][:600]!r} "
        f"after {after[differing[0]][:600]!r}"
    )


def _comparable(key: bytes, value: bytes) -> Any:
    """The value to compare. Exception: ``quota-board`` is written from every fair-events partition (each
    entry from its own scope's partition, so the entries compare exactly), and its ``_applied`` bookkeeping
    keeps only the last 64 fact ids: which ids those are follows how the partitions' batches interleaved (a known
    trait of ``fair_views``, reported to the lead), so with more than 64 quota facts not even their set is
    stable. ``_applied`` is left out of the comparison, everything else compared exactly. The same holds for an
    employer's ``employer-requests`` list, written from the partitions of every market they post in: its entries
    do not depend on the order (the view keeps the newest requests by time, and applying a fact again changes
    nothing), while its ``_applied`` bookkeeping names the last fact applied, which follows the interleaving."""
    if key.endswith(b"quota-board"):
        view = json.loads(value)
        view.pop("_applied", None)
        return view
    if b"employer-requests:" in key:
        view = json.loads(value)
        view.pop("_applied", None)
        return view
    return value
