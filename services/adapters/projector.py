"""The read-model projector: consumes facts from Kafka and writes the views to Redis, exactly once.

Each batch of one partition is applied in one Redis transaction together with the partition's next offset
(``projector:offset:<topic>:<partition>``), watched for concurrent change. On (re)assignment the consumer
seeks to the offsets stored in Redis, so Kafka's committed offsets are never relied on: wiping Redis and
restarting replays every topic from the start and rebuilds the same views (``lingong rebuild``).

While Redis is unreachable the projector waits and retries the batch it holds (backoff up to
``REDIS_RETRY_MAX_SECONDS``, an ERROR line per attempt): nothing is skipped, and since the offsets live in Redis
nothing is ever committed past a record not written. When Redis answers again and holds an offset *older* than
the one this projector last wrote or sought to (Redis restarted empty, or ``lingong rebuild`` wiped it), every
assigned partition is sought back to the offsets Redis holds (the beginning where it holds none), exactly as after
a rebalance, so the views are replayed from the topics instead of being written on top of a lost state.

Run as ``python -m services.adapters.projector``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import msgspec
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from services import fair_records, records, topics
from services.readmodels import keys
from services.readmodels.fair_views import FairViews
from services.readmodels.market_views import MarketViews
from services.readmodels.registry_views import RegistryViews
from services.readmodels.report_sources import with_fair_reporting, with_market_reporting
from services.readmodels.views import View, dump, load
from services.readmodels.worker_views import WorkerViews
from services.settings import Settings

log = logging.getLogger("lingong.projector")

#: Longest wait between two attempts to reach Redis (the wait doubles from ``REDIS_RETRY_FIRST_SECONDS``).
REDIS_RETRY_FIRST_SECONDS = 0.2
REDIS_RETRY_MAX_SECONDS = 5.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
#: How often the projector checks that Redis still holds the offsets it wrote (partitions without new records too).
OFFSET_CHECK_SECONDS = 1.0


class RedisStateLost(Exception):
    """Redis holds an older offset for a partition than this projector wrote: its data was lost or wiped."""


class Projection(Protocol):
    def keys_for(self, event: Any) -> list[str]: ...

    def apply(self, event: Any, current: dict[str, View | None]) -> dict[str, View | None]: ...


class Source(msgspec.Struct, frozen=True):
    """A topic, how to decode its records, and the projection that turns them into views."""

    topic: str
    decode: Callable[[bytes], Any]
    projection: Projection


def sources(settings: Settings) -> list[Source]:
    prefix = settings.topic_prefix
    return [
        Source(
            settings.topic(topics.MARKET_EVENTS),
            records.decode_event,
            with_market_reporting(prefix, MarketViews(prefix)),
        ),
        Source(settings.topic(topics.REGISTRY), records.decode_registry, RegistryViews(prefix)),
        Source(
            settings.topic(topics.FAIR_EVENTS),
            fair_records.decode_event,
            with_fair_reporting(prefix, FairViews(prefix)),
        ),
        Source(settings.topic(topics.WORKER_EVENTS), records.decode_worker_event, WorkerViews(prefix)),
    ]


class Projector:
    """Consumes the sources' topics and keeps their views in Redis."""

    def __init__(self, settings: Settings, redis: aioredis.Redis) -> None:
        self.settings = settings
        self.redis = redis
        self.sources = {s.topic: s for s in sources(settings)}
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=f"{settings.topic_prefix}{settings.projector_group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        self.projected = 0
        self.skipped = 0
        #: Per partition, the offset Redis held after this projector's last write or seek (None: the beginning).
        self.expected: dict[TopicPartition, int | None] = {}
        #: Counts seeks: a batch fetched before one is stale (it may not follow the offsets Redis now holds).
        self.seeks = 0
        self.stop = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Project until ``stop`` is set."""
        self.stop = stop
        await self.consumer.start()
        self.consumer.subscribe(list(self.sources), listener=_SeekToStoredOffsets(self))
        loop = asyncio.get_running_loop()
        next_check = loop.time()
        try:
            while not stop.is_set():
                batches = await self.consumer.getmany(timeout_ms=200, max_records=2000)
                fetched = self.seeks
                if loop.time() >= next_check:  # is Redis there, with our offsets (idle partitions too)?
                    next_check = loop.time() + OFFSET_CHECK_SECONDS
                    await self.until_written(self.check_stored_offsets)
                for tp, batch in batches.items():
                    if not await self.until_written(self.project_batch, tp, batch, fetched=fetched):
                        break  # sought back (or stopping): the rest of these batches is stale
        finally:
            await self.consumer.stop()

    async def until_written(
        self, write: Callable[..., Awaitable[None]], *args: Any, fetched: int | None = None
    ) -> bool:
        """``await write(*args)``, retried while Redis is unreachable. False when nothing was written because
        Redis lost its state (every assigned partition is then sought back), the partitions were sought since
        the batch was ``fetched`` (a rebalance, or Redis lost: the batch is stale), or the projector is stopping."""
        delay = REDIS_RETRY_FIRST_SECONDS
        while not self.stop.is_set() and fetched in (None, self.seeks):
            try:
                await write(*args)
                return True
            except RedisStateLost as lost:
                log.error("Redis lost the read models (%s): replaying from the offsets it holds", lost)
                await self.until_written(self.seek_to_stored_offsets)
                return False
            except REDIS_DOWN as error:
                log.error("Redis unreachable (%s); nothing written, retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, REDIS_RETRY_MAX_SECONDS)
        return False

    async def seek_to_stored_offsets(self, assigned: Sequence[TopicPartition] | None = None) -> None:
        """Seek ``assigned`` (default: every assigned partition) to the offsets Redis holds, or the beginning."""
        self.seeks += 1
        for tp in self.consumer.assignment() if assigned is None else assigned:
            offset = await self.stored_offset(tp)
            if offset is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, offset)
            self.expected[tp] = offset
        self.seeks += 1

    async def check_stored_offsets(self) -> None:
        """Raise :class:`RedisStateLost` if Redis holds an older offset than written for an assigned partition."""
        tps = [tp for tp, offset in self.expected.items() if offset]
        names = [keys.projector_offset(self.settings.topic_prefix, tp.topic, tp.partition) for tp in tps]
        for tp, raw in zip(tps, await self.redis.mget(names) if names else [], strict=True):
            self._check_not_behind(tp, raw, self.expected.get(tp))

    def _check_not_behind(self, tp: TopicPartition, stored: bytes | str | None, expected: int | None) -> int:
        start = int(stored) if stored is not None else 0
        if start < (expected or 0):
            raise RedisStateLost(f"{tp.topic}:{tp.partition} at {start}, this projector wrote {expected}")
        return start

    async def stored_offset(self, tp: TopicPartition) -> int | None:
        raw = await self.redis.get(keys.projector_offset(self.settings.topic_prefix, tp.topic, tp.partition))
        return None if raw is None else int(raw)

    async def project_batch(self, tp: TopicPartition, batch: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Apply ``batch`` and store the next offset in one watched transaction; retry on a race."""
        source = self.sources[tp.topic]
        offset_key = keys.projector_offset(self.settings.topic_prefix, tp.topic, tp.partition)
        expected = self.expected.get(tp)  # where this batch follows on (a seek meanwhile changes self.expected)
        while True:
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(offset_key)
                    stored = await pipe.get(offset_key)
                    start = self._check_not_behind(tp, stored, expected)
                    todo = [m for m in batch if m.offset >= start]
                    if not todo:
                        self.expected[tp] = start
                        return
                    events = [self._decode(source, m) for m in todo]
                    wanted = sorted({k for e in events if e is not None for k in source.projection.keys_for(e)})
                    current: dict[str, View | None] = {}
                    if wanted:
                        values = await pipe.mget(wanted)
                        current = {k: load(v) for k, v in zip(wanted, values, strict=True)}
                    changed: dict[str, View | None] = {}
                    for event in events:
                        if event is None:
                            continue
                        update = source.projection.apply(event, current)
                        current.update(update)
                        changed.update(update)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    for key, view in changed.items():
                        data = dump(view)
                        if data is None:
                            pipe.delete(key)
                        else:
                            pipe.set(key, data)
                        pipe.publish(keys.changes_channel(self.settings.topic_prefix, key), b"1")
                    pipe.set(offset_key, todo[-1].offset + 1)
                    await pipe.execute()
                    self.expected[tp] = todo[-1].offset + 1
                    self.projected += len(todo)
                    return
                except WatchError:
                    log.info("offset of %s moved under us; retrying the batch", tp)

    def _decode(self, source: Source, message: ConsumerRecord[bytes, bytes]) -> Any:
        try:
            return source.decode(message.value or b"")
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            # Facts are written by our agents only; a bad one was already dead-lettered upstream or is a bug.
            self.skipped += 1
            log.error(
                "skipping undecodable fact %s:%s@%s: %s",
                message.topic,
                message.partition,
                message.offset,
                error,
            )
            return None


class _SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.projector.expected = {tp: o for tp, o in self.projector.expected.items() if tp in assigned}
        await self.projector.until_written(self.projector.seek_to_stored_offsets, assigned)


async def serve(settings: Settings) -> None:
    redis = aioredis.Redis.from_url(settings.redis_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    projector = Projector(settings, redis)
    log.info("projector started: %s", ", ".join(projector.sources))
    try:
        await projector.run(stop)
    finally:
        await redis.aclose()
        log.info("projector stopped after %d records", projector.projected)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(serve(Settings.from_environ(os.environ)))


if __name__ == "__main__":
    main()
