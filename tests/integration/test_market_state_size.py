"""A market's whole state is one record of the ``market-states`` table (its snapshot, taken every
``Settings.market_journal_max`` commands; in between a batch writes a segment of its own commands): with thousands of
workers queued it passes Kafka's default 1 MB record limit, which used to stop the stream worker. The changelog
topics and the stream worker's producer take records up to ``Settings.stream_state_max_bytes``."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaProducer

from services import geography, topics
from services.market import records
from services.people import identity
from services.records import encode
from services.settings import Settings
from streams.writer import JOURNAL_SUFFIX, SNAPSHOT_SUFFIX
from tests.conftest import TEST_NOW, new_id_number, take_lane
from tests.support.kafka_reader import read_topic

#: Enough workers at one market for a state record well above 1 MiB (about 400 bytes each).
WORKERS = 3_600  # the last snapshot (every 64 commands in the tests) holds over 3,500
ONE_MIB = 1024 * 1024


async def test_a_market_with_thousands_of_workers_keeps_deciding(platform: Settings) -> None:
    # A lane at the last market: taking the next lane in order would shift every later test's lane.
    market, trade = take_lane(geography.MARKETS[-1].market_id)
    county = geography.market(market).county
    check_ins = [
        records.CheckIn(
            id=str(uuid.uuid4()),
            at=TEST_NOW,
            market_id=market,
            county=county,
            worker=identity.pseudonymise(new_id_number(), platform.pseudonym_key),
            worker_masked="5202**********0000",
            kiosk_id="kiosk-state-size",
            trades=(trade,),
            min_day_wage=100,
            available_from=7 * 60,
            available_until=18 * 60,
        )
        for _ in range(WORKERS)
    ]
    await _send(platform, market, check_ins)
    queued = await _facts(platform, market, records.WorkerQueued, {c.id for c in check_ins})
    assert len(queued) == WORKERS, f"{WORKERS - len(queued)} of {WORKERS} check-ins never queued"

    changelog = f"{platform.streams_app_id}-market-states-changelog"
    records_of_market = [m for m in await read_topic(platform.kafka_bootstrap, changelog) if m.key]
    snapshots = [m for m in records_of_market if m.key in (market.encode(), market.encode() + SNAPSHOT_SUFFIX)]
    assert snapshots and ONE_MIB < len(snapshots[-1].value or b"") < platform.stream_state_max_bytes
    # Between snapshots a batch writes only a segment of its commands and the journal's head: far smaller.
    journals = [m for m in records_of_market if m.key.startswith(market.encode() + JOURNAL_SUFFIX)]
    assert journals and max(len(m.value or b"") for m in journals) < ONE_MIB // 4

    # Still deciding after the large record; and the queue is left empty for the tests that follow.
    check_outs = [
        records.CheckOut(id=str(uuid.uuid4()), at=TEST_NOW, market_id=market, county=county, checkin_id=c.id)
        for c in check_ins
    ]
    await _send(platform, market, check_outs)
    left = await _facts(platform, market, records.WorkerLeft, {c.id for c in check_ins})
    assert len(left) == WORKERS, f"{WORKERS - len(left)} of {WORKERS} check-outs never decided"


async def _send(platform: Settings, market: str, commands: list[records.CheckIn] | list[records.CheckOut]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        topic = platform.topic(topics.MARKET_COMMANDS)
        sends = [await producer.send(topic, encode(c), key=market.encode()) for c in commands]
        for future in sends:
            await future
    finally:
        await producer.stop()


async def _facts(
    platform: Settings, market: str, kind: type[records.WorkerQueued] | type[records.WorkerLeft], wanted: set[str]
) -> set[str]:
    """The check-in ids among ``wanted`` with a fact of ``kind`` on ``market-events`` (waits up to 3 min)."""
    found: set[str] = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and found != wanted:
        await asyncio.sleep(2)
        for message in await read_topic(platform.kafka_bootstrap, platform.topic(topics.MARKET_EVENTS)):
            if message.key == market.encode():
                fact = records.decode_event(message.value or b"")
                if isinstance(fact, kind) and fact.checkin_id in wanted:
                    found.add(fact.checkin_id)
    return found
