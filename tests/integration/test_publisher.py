"""The gateway's publisher (gateway/publisher.py) on the real broker: every acknowledged record is on its
partition exactly once, in the order it was published; a partition's records share batches; a broker that
does not answer is a :class:`BrokerUnavailable` within the timeout."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections import defaultdict

import pytest

from deploy.local import procs
from gateway.publisher import BrokerUnavailable, Publisher
from services.adapters.partitioner import CachedPartitioner
from services.settings import Settings
from services.topics import TopicSpec
from tests.support import stack
from tests.support.kafka_reader import read_topic


def _topic(kafka: stack.KafkaBroker, partitions: int) -> str:
    name = f"publisher-{uuid.uuid4().hex[:8]}"
    kafka.create_topics([TopicSpec(name, partitions, 1)])
    return name


async def test_concurrent_records_are_each_on_their_partition_once_in_publish_order(
    kafka: stack.KafkaBroker, settings: Settings
) -> None:
    topic = _topic(kafka, 3)
    publisher = Publisher(settings)
    keys = [f"worker-{n % 40}".encode() for n in range(600)]
    try:
        # Connected, with the topic's metadata and leaders, before the burst: until then each publish waits at its
        # own pace, so the order they reach the publisher is not the order they were called in.
        await asyncio.gather(*(publisher.publish(topic, b"warm-%d" % n, b"warm") for n in range(12)))
        # 600 publishes at once: many per partition in one loop iteration, more while batches are in flight,
        # and values large enough (1 KiB) that one partition's records need several 16 KiB record batches.
        await asyncio.gather(*(publisher.publish(topic, key, b"%05d:" % n + b"x" * 1024) for n, key in enumerate(keys)))
        late = [publisher.publish(topic, b"worker-0", b"%05d:late" % n) for n in range(600, 610)]
        await asyncio.gather(*late)
    finally:
        await publisher.close()
    on_topic = [r for r in await read_topic(settings.kafka_bootstrap, topic) if r.value != b"warm"]
    numbers = [int(r.value[:5]) for r in on_topic]
    assert sorted(numbers) == list(range(610))  # nothing lost, nothing twice
    partitioner = CachedPartitioner()
    by_partition: dict[int, list[int]] = defaultdict(list)
    for record in sorted(on_topic, key=lambda r: (r.partition, r.offset)):
        assert record.partition == partitioner(record.key, [0, 1, 2], [0, 1, 2])  # Kafka's default partition
        by_partition[record.partition].append(int(record.value[:5]))
    for published in by_partition.values():
        assert published == sorted(published)  # a partition keeps the publish order


async def test_the_records_of_one_loop_iteration_share_one_batch(kafka: stack.KafkaBroker, settings: Settings) -> None:
    topic = _topic(kafka, 1)
    publisher = Publisher(settings)
    try:
        await publisher.publish(topic, b"k", b"first")  # connects and loads the topic's metadata
        before = publisher.batches
        await asyncio.gather(*(publisher.publish(topic, b"k", b"%d" % n) for n in range(50)))
        assert publisher.batches - before == 1
    finally:
        await publisher.close()
    on_topic = await read_topic(settings.kafka_bootstrap, topic)
    assert [r.value for r in on_topic] == [b"first", *(b"%d" % n for n in range(50))]


async def test_a_broker_that_does_not_answer_is_broker_unavailable_within_the_timeout(settings: Settings) -> None:
    silent = procs.free_port()
    nowhere = dataclasses.replace(settings, kafka_bootstrap=f"127.0.0.1:{silent}", produce_timeout_seconds=1)
    publisher = Publisher(nowhere)
    started = time.monotonic()
    try:
        with pytest.raises(BrokerUnavailable):
            await publisher.publish("nowhere", b"k", b"v")
    finally:
        await publisher.close()
    assert time.monotonic() - started < 5
