"""The benchmark's offer watcher (tests/benchmarks/perf/phases.py ``OfferWatch``), on the real Redis, and its
split of kiosk-to-offer into hops, on the real Kafka."""

from __future__ import annotations

import asyncio
import time
import uuid

import msgspec
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer

from services import records, topics
from services.readmodels import keys
from services.settings import Settings
from services.topics import topic_specs
from tests.benchmarks.perf import workload
from tests.benchmarks.perf.phases import HOPS, OfferWatch, hop_latencies, p99_by_second
from tests.support import stack
from tests.unit.test_benchmark_optimum import offered as offer_made  # an offer_made fact of a check-in id


async def _write(redis: aioredis.Redis, prefix: str, checkin_id: str, status: str) -> None:
    """What the projector does: the view and its change notice in one transaction."""
    key = keys.ticket(prefix, checkin_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, b'{"checkin_id": "%s", "status": "%s"}' % (checkin_id.encode(), status.encode()))
        pipe.publish(keys.changes_channel(prefix, key), b"1")
        await pipe.execute()


async def _until(condition: object, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def test_stamps_a_watched_ticket_when_its_view_says_offered(
    redis_server: stack.RedisServer, redis: aioredis.Redis
) -> None:
    prefix = f"watch{uuid.uuid4().hex[:8]}."
    watch = OfferWatch(Settings(redis_url=redis_server.url, topic_prefix=prefix))
    await watch.start()
    try:
        watch.sent(0, 1.0, ("m", "a"))
        watch.sent(1, 2.0, ("m", "b"))
        watch.sent(2, 3.0, ("m", "marker"))
        await _write(redis, prefix, "a", "queued")
        await _write(redis, prefix, "b", "queued")
        await _write(redis, prefix, "unwatched", "offered")
        # notices arrive in order: once the marker's offer is seen, the three writes before it were read too
        await _write(redis, prefix, "marker", "offered")
        await _until(lambda: "marker" in watch.offered)
        assert set(watch.offered) == {"marker"}  # queued is not offered; an unwatched ticket is ignored
        await _write(redis, prefix, "a", "offered")
        await _until(lambda: "a" in watch.offered)
        first = watch.offered["a"]
        await _write(redis, prefix, "a", "offered")  # a later change does not move the stamp
        await _write(redis, prefix, "b", "offered")
        await _until(lambda: "b" in watch.offered)
        assert watch.offered["a"] == first
        assert set(watch.offered) == {"a", "b", "marker"}
        await watch.wait(["a", "b"], timeout=1)
    finally:
        await watch.close()


async def test_hop_latencies_split_the_way_by_the_records_broker_timestamps(kafka: stack.KafkaBroker) -> None:
    """Each hop is the time between two of a check-in's records' broker timestamps (or the generator's clock):
    records of check-ins not scheduled, other facts and a check-in without an offer are left out."""
    run = uuid.uuid4().hex[:8]
    settings = Settings(kafka_bootstrap=kafka.bootstrap, topic_prefix=f"hops{run}.", partitions=2)
    kafka.create_topics(topic_specs(settings))
    now = workload.utc_now()
    key = b"hops-key"
    base = float(int(time.time()) - 60)  # wall-clock seconds; the broker refuses timestamps far ahead of its clock
    checkins = [workload.check_in_record(n, workload.MARKETS[0], "carpenter", key, now) for n in range(3)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    try:

        async def put(topic: str, record: msgspec.Struct, at: float) -> None:
            await producer.send_and_wait(
                settings.topic(topic), records.encode(record), key=b"k", timestamp_ms=round(at * 1000)
            )

        for n, checkin in enumerate(checkins):  # check-in n: 5 ms in the gateway, 20 + n ms roster, 30 ms market
            await put(topics.WORKER_COMMANDS, checkin, base + n + 0.005)
            await put(topics.MARKET_COMMANDS, checkin, base + n + 0.025 + n / 1000)
        other = workload.check_in_record(9, workload.MARKETS[0], "carpenter", key, now)  # not scheduled: left out
        await put(topics.WORKER_COMMANDS, other, base)
        for n, checkin in enumerate(checkins[:2]):  # the third is never offered
            await put(topics.MARKET_EVENTS, offer_made(checkin.id, "request", checkin.id), base + n + 0.055 + n / 1000)
    finally:
        await producer.stop()
    scheduled = {c.id: base + n for n, c in enumerate(checkins)}
    offered = {checkins[0].id: base + 0.095, checkins[1].id: base + 1.096}  # projector: 40 ms
    hops = await hop_latencies(settings, scheduled, offered)
    assert list(hops) == list(HOPS)
    expected = ([5, 5], [20, 21], [30, 30], [40, 40])
    for hop, (low, high) in zip(HOPS, expected, strict=True):
        assert hops[hop]["p50_ms"] == pytest.approx(low, abs=0.01)
        assert hops[hop]["max_ms"] == pytest.approx(high, abs=0.01)


def test_p99_by_second_groups_by_the_scheduled_second() -> None:
    pairs = [(10.0, 10.05), (10.5, 10.6), (11.2, 11.5), (12.9, 12.91)]
    assert p99_by_second(pairs) == [100, 300, 10]
    assert p99_by_second([]) == []
