"""The one place the gateway talks to Kafka: an idempotent producer with ``acks="all"``.

:meth:`Publisher.publish` returns only after the broker acknowledged the record, or raises
:class:`BrokerUnavailable` within ``produce_timeout_seconds``; the handler then answers 503 with
``Retry-After``. A record whose send timed out may still be delivered later: that is safe because command
ids are derived from the Idempotency-Key, so the client's retry is deduplicated downstream.

Records are handed to aiokafka a batch at a time (``create_batch`` / ``send_batch``), not one ``send`` each:
the records that concurrent requests publish to one partition while that partition's previous batch is on its
way (and, first, within ``gateway_linger_ms``) go out together in one record batch with one acknowledgement.
Per record, ``send`` cost the gateway about a third of its CPU at 3,000 check-ins/s (a metadata wait, the
partition lists built anew, a future and a ``RecordMetadata`` per record, a timeout per request); here that is
work per batch. The guarantees are ``send_and_wait``'s: each caller waits for its own record's
acknowledgement, at most one batch per partition is in flight at a time (so a partition's records keep the
order they were published in), and a failure fails exactly the records of the batches it hit.

Each record has its own deadline, ``produce_timeout_seconds`` after it was published: a record that joined a
partition's queue late, while an earlier batch was stalled, still gets its whole time (a deadline counted from
the oldest record of a batch once answered 503 after 0.08 s). A delivery waits until its newest record's
deadline; its older records fail at theirs, one timer per batch, not per record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, OutOfOrderSequenceNumber

from services.adapters.partitioner import CachedPartitioner
from services.settings import Settings

log = logging.getLogger("lingong.gateway.publisher")

#: A record waiting for its batch: key, value, the future its publisher awaits, and its deadline (loop time).
Pending = tuple[bytes, bytes, asyncio.Future[None], float]
Partition = tuple[str, int]

#: The largest record accepted (key and value), below aiokafka's ``max_request_size`` and the broker's
#: ``message.max.bytes`` (1 MiB): larger, it is refused here as ``send`` refused it (503), before any batch.
MAX_RECORD_BYTES = 1_000_000


class BrokerUnavailable(Exception):
    """Kafka did not acknowledge in time; nothing may be answered with a 2xx."""


class PublishMetrics(Protocol):
    """Where the publisher reports each record's fate (gateway/metrics.py)."""

    def produced(self, seconds: float) -> None: ...

    def produce_failed(self) -> None: ...


class Publisher:
    def __init__(self, settings: Settings, metrics: PublishMetrics | None = None) -> None:
        self._settings = settings
        self._metrics = metrics
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._partitioner = CachedPartitioner()  # Kafka's default partitions; a retried command's key hashed once
        #: Per topic: the cluster's partition set last seen and its sorted list.
        self._layout: dict[str, tuple[set[int], list[int]]] = {}
        #: Records not yet handed to aiokafka, per partition, oldest first.
        self._waiting: dict[Partition, list[Pending]] = {}
        #: Partitions with a delivery running (it takes what waits when its batch is acknowledged).
        self._delivering: set[Partition] = set()
        self._flush_scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        #: Record batches handed to aiokafka so far.
        self.batches = 0

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=0,  # batches are formed here (gateway_linger_ms) and handed over closed
            request_timeout_ms=max(1000, int(self._settings.produce_timeout_seconds * 1000)),
            retry_backoff_ms=100,
            metadata_max_age_ms=30_000,
            partitioner=self._partitioner,
        )

    async def _ready(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        async with self._lock:
            if self._producer is None:
                producer = self._new_producer()
                try:
                    await asyncio.wait_for(producer.start(), self._settings.produce_timeout_seconds)
                except (TimeoutError, KafkaError, OSError) as error:
                    await _quietly_stop(producer)
                    raise BrokerUnavailable(f"cannot connect to Kafka: {error!r}") from error
                self._producer = producer
            return self._producer

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        """Send one record and wait for the broker's acknowledgement (all in-sync replicas)."""
        if self._metrics is None:
            await self._publish(topic, key, value)
            return
        started = time.perf_counter()
        try:
            await self._publish(topic, key, value)
        except BrokerUnavailable:
            self._metrics.produce_failed()
            raise
        self._metrics.produced(time.perf_counter() - started)

    async def _publish(self, topic: str, key: bytes, value: bytes) -> None:
        producer = self._producer or await self._ready()
        if len(key) + len(value) > MAX_RECORD_BYTES:
            raise BrokerUnavailable(f"record of {len(key) + len(value)} bytes is larger than {MAX_RECORD_BYTES}")
        partition = self._partitioner(key, await self._partitions(producer, topic), ())
        loop = asyncio.get_running_loop()
        acknowledged: asyncio.Future[None] = loop.create_future()
        waiting = self._waiting.get((topic, partition))
        if waiting is None:
            waiting = self._waiting[(topic, partition)] = []
        waiting.append((key, value, acknowledged, loop.time() + self._settings.produce_timeout_seconds))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            linger = self._settings.gateway_linger_ms / 1000
            if linger > 0:
                loop.call_later(linger, self._flush)
            else:
                loop.call_soon(self._flush)
        await acknowledged

    async def _partitions(self, producer: AIOKafkaProducer, topic: str) -> list[int]:
        """The topic's partitions, sorted (the partitioner's ``all_partitions``), from the producer's metadata;
        waits for the metadata the first time (``UnknownTopicOrPartitionError`` / timeout: 503)."""
        known = producer.client.cluster.partitions_for_topic(topic)
        if known is None:
            try:
                async with asyncio.timeout(self._settings.produce_timeout_seconds):
                    known = await producer.partitions_for(topic)
            except (TimeoutError, KafkaError) as error:
                raise BrokerUnavailable(f"no metadata for {topic}: {error!r}") from error
        layout = self._layout.get(topic)
        if layout is None or layout[0] != known:
            layout = self._layout[topic] = (known, sorted(known))
        return layout[1]

    def _flush(self) -> None:
        """Start a delivery for every partition with records waiting and none running."""
        self._flush_scheduled = False
        for partition in list(self._waiting):
            if partition not in self._delivering:
                self._delivering.add(partition)
                task = asyncio.get_running_loop().create_task(self._deliver(partition))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(self, partition: Partition) -> None:
        """Send what waits for ``partition`` as one batch (more when it is too large for one), settle its
        records' futures, and go on while records keep arriving; then leave the partition idle."""
        try:
            while records := self._waiting.pop(partition, None):
                await self._send(partition, records)
        finally:
            self._delivering.discard(partition)

    async def _send(self, partition: Partition, records: list[Pending]) -> None:
        """One delivery; every record of ``records`` is settled when it returns: acknowledged, or failed with
        :class:`BrokerUnavailable` at its own deadline (``records`` oldest first: the newest deadline is last)."""
        topic, number = partition
        error: BaseException | None = None
        producer: AIOKafkaProducer | None = None
        try:
            async with asyncio.timeout_at(records[-1][3]):
                producer = self._producer or await self._ready()
                for group, batch in _batches(producer, records):
                    self.batches += 1
                    await _expiring(self._acknowledge(producer, batch, topic, number), records)
                    _settle(group, None)
        except BrokerUnavailable as unavailable:
            error = unavailable
        except OutOfOrderSequenceNumber as lost:
            if producer is not None:
                await self._reset(producer)
            error = BrokerUnavailable("producer sequence lost; producer re-created")
            error.__cause__ = lost
        except (TimeoutError, KafkaError) as failed:
            error = BrokerUnavailable(f"Kafka did not acknowledge: {failed!r}")
            error.__cause__ = failed
        except BaseException as failed:  # cancelled (shutdown) or a bug: no record may be left waiting
            _settle(records, failed if isinstance(failed, Exception) else BrokerUnavailable("publisher stopped"))
            raise
        if error is not None:
            _settle(records, error)

    async def _acknowledge(self, producer: AIOKafkaProducer, batch: object, topic: str, number: int) -> None:
        acknowledged = await producer.send_batch(batch, topic, partition=number)
        await acknowledged

    async def ping(self) -> bool:
        """True when the producer is connected and knows the cluster."""
        try:
            producer = await self._ready()
        except BrokerUnavailable:
            return False
        return bool(producer.client.cluster.brokers())

    async def _reset(self, producer: AIOKafkaProducer) -> None:
        async with self._lock:
            if self._producer is producer:
                self._producer = None
        await _quietly_stop(producer)

    async def close(self) -> None:
        """Stop: deliveries under way are cancelled and records not yet acknowledged fail."""
        for partition in list(self._waiting):
            _settle(self._waiting.pop(partition), BrokerUnavailable("publisher stopped"))
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._producer is not None:
            await _quietly_stop(self._producer)
            self._producer = None


def _batches(producer: AIOKafkaProducer, records: Sequence[Pending]) -> list[tuple[Sequence[Pending], object]]:
    """``records`` in record batches of the producer's batch size, each closed (sent at once), in order."""
    out: list[tuple[Sequence[Pending], object]] = []
    batch, start = producer.create_batch(), 0
    for at, (key, value, _, _) in enumerate(records):
        if batch.append(key=key, value=value, timestamp=None) is None:  # full: close it, start the next
            out.append((records[start:at], batch))
            batch, start = producer.create_batch(), at
            batch.append(key=key, value=value, timestamp=None)
    batch.close()
    out.append((records[start:], batch))
    return out


async def _expiring(step: Coroutine[Any, Any, None], records: Sequence[Pending]) -> None:
    """Run ``step`` (a batch sent and acknowledged); meanwhile fail, each at its own deadline, the records of
    ``records`` (oldest first) whose deadline passes. Cancelled with ``step`` by the delivery's own timeout."""
    loop = asyncio.get_running_loop()
    task = loop.create_task(step)
    try:
        live = 0
        while not task.done():
            while live < len(records) and (records[live][2].done() or records[live][3] <= loop.time()):
                _settle(records[live : live + 1], BrokerUnavailable("Kafka did not acknowledge in time"))
                live += 1
            timeout = records[live][3] - loop.time() if live < len(records) else None
            await asyncio.wait((task,), timeout=timeout)
        task.result()
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _settle(records: Sequence[Pending], error: BaseException | None) -> None:
    for _, _, future, _ in records:
        if not future.done():
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)


async def _quietly_stop(producer: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), 10)
    except Exception:
        log.warning("producer did not stop cleanly", exc_info=True)
