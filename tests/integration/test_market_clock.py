"""The market clock on the real stack: idle markets hear nothing, a due offer expires on time (issue 29).

A stack of its own (its own topics and stream worker, the clock on: ``tick_interval_seconds=1``, offers of
4 s), because the clock runs on real time here. At start the worker ticks each market of the catalogue once
(their states are unknown to it); after that, with nothing due, not one command reaches ``market-commands``
(before issue 29: one per market per second). A worker checked in and a job posted give an offer, which
expires within a beat of its expiry instant, from a tick sent for it alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer

from deploy.local import procs
from services import geography, topics
from services.market import records, request_life
from services.records import encode
from services.settings import Settings
from services.topics import topic_specs
from tests.integration.test_metrics import scrape, total
from tests.support import stack
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually

MARKET = geography.MARKETS_BY_ID["lz-market"]
TTL_SECONDS = 4


@pytest.fixture(scope="module")
def clock_stack(
    settings: Settings, kafka: stack.KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    run = uuid.uuid4().hex[:8]
    own = dataclasses.replace(
        settings,
        topic_prefix=f"clk{run}.",
        streams_app_id=f"lingong-clock-{run}",
        tick_interval_seconds=1.0,
        offer_ttl_seconds=TTL_SECONDS,
        streams_metrics_port=procs.free_port(),
    )
    kafka.create_topics(topic_specs(own))
    worker = stack.stream_worker(own, tmp_path_factory.mktemp("clock-platform"))
    try:
        yield own
    finally:
        worker.stop()


async def _ticks(settings: Settings) -> float | None:
    try:
        seen = await scrape(f"http://{settings.metrics_host}:{settings.streams_metrics_port}/metrics")
    except OSError:
        return None
    return total(seen, "lingong_market_ticks_total")


async def _commands(settings: Settings) -> list[records.MarketCommand]:
    return [
        records.decode_command(m.value or b"")
        for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_COMMANDS))
    ]


async def _facts(settings: Settings) -> list[records.MarketEvent]:
    return [
        records.decode_event(m.value or b"")
        for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))
    ]


async def test_idle_markets_get_no_tick_and_a_due_offer_expires_on_time(clock_stack: Settings) -> None:
    await eventually(lambda: _at_least(clock_stack, len(geography.MARKETS)), timeout=30, what="the first ticks")
    before = await _commands(clock_stack)
    assert {c.market_id for c in before if isinstance(c, records.Tick)} == {m.market_id for m in geography.MARKETS}
    # Idle: five beats of the clock (after a rebalance at start, if any, primed the markets again), no command.
    primed = await _ticks(clock_stack)
    while True:
        await asyncio.sleep(5)
        now_ticks = await _ticks(clock_stack)
        if now_ticks == primed:
            break
        primed = now_ticks  # the worker's assignment was still settling: its new partitions' markets primed
    assert primed is not None and primed <= 3 * len(geography.MARKETS)
    before = await _commands(clock_stack)
    await asyncio.sleep(5)
    assert len(await _commands(clock_stack)) == len(before), "idle markets were sent commands"

    now = datetime.now(UTC)
    start = min(request_life.minute_of_day(now) + 30, 23 * 60)
    head = {"at": now, "market_id": MARKET.market_id, "county": MARKET.county}
    commands = [
        records.CheckIn(
            id=f"clock-c-{uuid.uuid4().hex}",
            **head,  # type: ignore[arg-type]
            worker=f"clock-worker-{uuid.uuid4().hex}",
            worker_masked="5202**********0001",
            kiosk_id="k",
            trades=("mason",),
            min_day_wage=150,
            available_from=0,
            available_until=24 * 60 - 1,
        ),
        records.PostJobRequest(
            id=f"clock-j-{uuid.uuid4().hex}",
            **head,  # type: ignore[arg-type]
            employer_id="e-clock",
            employer_name="测试用工单位",
            trade="mason",
            headcount=1,
            day_wage=220,
            start=start,
            hours=1,
            place="六枝特区",
        ),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=clock_stack.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for command in commands:
            await producer.send_and_wait(
                clock_stack.topic(topics.MARKET_COMMANDS), encode(command), key=MARKET.market_id.encode()
            )
    finally:
        await producer.stop()

    async def expired() -> tuple[records.OfferMade, records.OfferExpired] | None:
        facts = await _facts(clock_stack)
        made = [f for f in facts if isinstance(f, records.OfferMade)]
        gone = [f for f in facts if isinstance(f, records.OfferExpired)]
        return (made[0], gone[0]) if made and gone else None

    made, gone = await eventually(expired, timeout=TTL_SECONDS + 15, what="the offer's expiry")
    assert gone.offer_id == made.offer_id
    late = gone.at - made.expires_at
    assert timedelta(0) <= late < timedelta(seconds=2.5), f"expired {late} after its instant"
    ticks = await _ticks(clock_stack)
    assert ticks is not None and ticks - primed <= 3, f"{ticks - primed} ticks for one offer's expiry"


async def _at_least(settings: Settings, count: int) -> bool:
    ticks = await _ticks(settings)
    return ticks is not None and ticks >= count
