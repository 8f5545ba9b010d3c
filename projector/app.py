"""The read-model projector: consumes facts from Kafka and writes the views to Redis, exactly once.

The batches of every partition one poll returned are applied in one Redis transaction together with each
partition's next offset (``projector:offset:<topic>:<partition>``), watched for concurrent change. On
(re)assignment the consumer seeks to the offsets stored in Redis, so Kafka's committed offsets are never relied
on: wiping Redis and restarting replays every topic from the start and rebuilds the same views (``lingong rebuild``).

While Redis is unreachable the projector waits and retries the batch it holds (backoff up to
``REDIS_RETRY_MAX_SECONDS``, an ERROR line per attempt): nothing is skipped, and since the offsets live in Redis
nothing is ever committed past a record not written. When Redis answers again and holds an offset *older* than
the one this projector last wrote or sought to (Redis restarted empty, or ``lingong rebuild`` wiped it), every
assigned partition is sought back to the offsets Redis holds (the beginning where it holds none), exactly as after
a rebalance, so the views are replayed from the topics instead of being written on top of a lost state.

Run as ``python -m projector``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, cast

import msgspec
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from projector import metrics as projector_metrics
from services import topics
from services.adapters import gc_tuning, kafka_connection, metrics
from services.fairs import records as fair_records
from services.jobseekers import records as jobseeker_records
from services.market import records
from services.people.records import decode_registry
from services.readmodels import keys
from services.readmodels.fair_views import FairViews
from services.readmodels.jobseeker_views import JobseekerViews
from services.readmodels.market_views import MarketViews
from services.readmodels.registry_views import RegistryViews
from services.readmodels.report_sources import Together, with_fair_reporting, with_market_reporting
from services.readmodels.trust_views import CaseViews, ReliabilityViews
from services.readmodels.views import View, dump, field_key, load, split_key
from services.readmodels.worker_views import WorkerViews
from services.settings import Settings
from services.trust import records as trust_records

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
            with_market_reporting(prefix, MarketViews(prefix), ReliabilityViews(prefix)),
        ),
        Source(settings.topic(topics.REGISTRY), decode_registry, RegistryViews(prefix)),
        Source(
            settings.topic(topics.FAIR_EVENTS),
            fair_records.decode_event,
            with_fair_reporting(prefix, FairViews(prefix)),
        ),
        Source(settings.topic(topics.WORKER_EVENTS), records.decode_worker_event, WorkerViews(prefix)),
        Source(
            settings.topic(topics.JOBSEEKER_EVENTS),
            jobseeker_records.decode_event,
            JobseekerViews(prefix),
        ),
        # issue 28: cases, and their findings in the reliability records
        Source(
            settings.topic(topics.TRUST_EVENTS),
            trust_records.decode_event,
            Together(CaseViews(prefix), ReliabilityViews(prefix)),
        ),
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
            fetch_min_bytes=settings.consumer_fetch_min_bytes,
            fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
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
                if batches and not await self.until_written(self.project_batches, batches, fetched=fetched):
                    await self.refetch(batches)
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

    async def refetch(self, batches: Mapping[TopicPartition, Sequence[ConsumerRecord[bytes, bytes]]]) -> None:
        """After ``batches`` were not written (stale, Redis lost, or stopping): seek their partitions that are still
        assigned back to the offsets Redis holds. The consumer's position has moved past the dropped records; a
        seek that began before the fetch and ended after it (a rebalance's callback awaits Redis per partition)
        marks a batch stale that came from the new position, and without this seek its records would never be
        fetched again — on a quiet partition, the projector would never catch up."""
        if self.stop.is_set():
            return
        assigned = self.consumer.assignment()
        await self.until_written(self.seek_to_stored_offsets, [tp for tp in batches if tp in assigned])

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
        """Apply one partition's ``batch`` (see :meth:`project_batches`)."""
        await self.project_batches({tp: batch})

    async def project_batches(self, batches: Mapping[TopicPartition, Sequence[ConsumerRecord[bytes, bytes]]]) -> None:
        """Apply the batches of every partition a poll returned, and store each partition's next offset, in one
        transaction watching the partitions' offsets and the views it reads; retry on a race (redis-py's
        transaction pipeline: WATCH, the reads, then MULTI/EXEC; a ``WatchError`` means another writer got there
        first, or the watching connection was lost, and the batch is read and applied again). A partition's facts
        apply in log order; the partitions one after another, sharing the batch's copies of the views."""
        prefix = self.settings.topic_prefix
        # Where each batch follows on (a seek meanwhile changes self.expected): Redis behind it lost its data.
        expected = {tp: self.expected.get(tp) for tp in batches}
        offset_keys = {tp: keys.projector_offset(prefix, tp.topic, tp.partition) for tp in batches}
        decoded = {tp: [(m, self._decode(self.sources[tp.topic], m)) for m in batch] for tp, batch in batches.items()}
        wanted = sorted(
            {
                k
                for tp, pairs in decoded.items()
                for _, e in pairs
                if e is not None
                for k in self.sources[tp.topic].projection.keys_for(e)
            }
        )
        # Watched: the offsets and every key the batch reads. A view such as the quota board or a county's figures
        # is written from several partitions, which two projector processes may own at once (``lingong rebuild``
        # runs one beside the live one): a write by the other between our read and our EXEC fails the EXEC, and
        # the batch is applied again on what is stored then, instead of overwriting it (a lost update).
        watched = [*offset_keys.values(), *dict.fromkeys(split_key(k)[0] for k in wanted)]
        async with self.redis.pipeline(transaction=True) as transaction:
            while True:
                try:
                    await self._apply_once(transaction, decoded, expected, offset_keys, watched, wanted)
                    return
                except WatchError:
                    # a fresh start: no watch, the connection back in the pool
                    await transaction.reset()  # type: ignore[no-untyped-call]
                    log.info("offsets or views of %s moved under us; retrying the batches", list(batches))

    async def _apply_once(
        self,
        transaction: Pipeline,
        decoded: Mapping[TopicPartition, list[tuple[ConsumerRecord[bytes, bytes], Any]]],
        expected: Mapping[TopicPartition, int | None],
        offset_keys: Mapping[TopicPartition, str],
        watched: Sequence[str],
        wanted: Sequence[str],
    ) -> None:
        """One attempt of :meth:`project_batches`; ``WatchError`` when a watched key changed before ``EXEC`` (or the
        watching connection was lost), and then nothing was written."""
        prefix = self.settings.topic_prefix
        await transaction.watch(*watched)
        stored, current = await _read_views(transaction, list(offset_keys.values()), wanted)
        changed: dict[str, View | None] = {}
        next_offsets: dict[str, int] = {}
        reached: dict[TopicPartition, int] = {}
        applied = 0
        for (tp, pairs), raw in zip(decoded.items(), stored, strict=True):
            # RedisStateLost, or a bug in a view, leaves here with nothing written (the pipeline's reset unwatches)
            start = reached[tp] = self._check_not_behind(tp, raw, expected[tp])
            todo = [(m, e) for m, e in pairs if m.offset >= start]
            if not todo:
                continue
            projection = self.sources[tp.topic].projection
            for _, event in todo:
                if event is not None:
                    update = projection.apply(event, current)
                    current.update(update)
                    changed.update(update)
            next_offsets[offset_keys[tp]] = reached[tp] = todo[-1][0].offset + 1
            applied += len(todo)
        if next_offsets:
            transaction.multi()  # type: ignore[no-untyped-call]
            for command in _writes(prefix, changed, next_offsets):
                transaction.execute_command(*command)
            await transaction.execute()  # WatchError when a watched key changed: nothing was applied
            self.projected += applied
        else:
            await transaction.unwatch()  # type: ignore[no-untyped-call]
        self.expected.update(reached)

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


async def _read_views(
    transaction: Pipeline, offset_keys: Sequence[str], wanted: Sequence[str]
) -> tuple[list[Any], dict[str, View | None]]:
    """Read, on ``transaction`` (watching), the stored offsets and the current values of ``wanted`` view keys:
    plain keys in one MGET, hash fields in one HMGET per hash. A projector that changes any watched key before
    this one's ``EXEC`` makes the ``EXEC`` fail (and the batch is applied again)."""
    plain: list[str] = []
    fields: dict[str, list[str]] = {}
    for view_key in wanted:
        key, field = split_key(view_key)
        if field is None:
            plain.append(key)
        else:
            fields.setdefault(key, []).append(field)

    async def read(*command: Any) -> list[Any]:  # a watching pipeline runs a command at once (not buffered)
        return cast(list[Any], await transaction.execute_command(*command))

    offsets = await read("MGET", *offset_keys)
    current: dict[str, View | None] = {}
    if plain:
        current.update(zip(plain, map(load, await read("MGET", *plain)), strict=True))
    for key, names in fields.items():
        values = await read("HMGET", key, *names)
        current.update((field_key(key, n), load(v)) for n, v in zip(names, values, strict=True))
    return offsets, current


def _writes(prefix: str, changed: dict[str, View | None], next_offsets: dict[str, int]) -> list[tuple[Any, ...]]:
    """The batch's writes: one MSET of the changed plain keys and the partitions' next offsets, one DEL of the
    deleted plain keys, one HSET and one HDEL per hash, and one change notice per changed key or hash (a hash
    changed by many facts of the batch is announced once)."""
    plain: list[Any] = []
    deleted: list[str] = []
    hset: dict[str, list[Any]] = {}
    hdel: dict[str, list[str]] = {}
    for view_key, view in changed.items():
        key, field = split_key(view_key)
        data = dump(view)
        if field is not None:
            if data is None:
                hdel.setdefault(key, []).append(field)
            else:
                hset.setdefault(key, []).extend((field, data))
        elif data is None:
            deleted.append(key)
        else:
            plain += (key, data)
    for key, offset in next_offsets.items():
        plain += (key, offset)
    writes: list[tuple[Any, ...]] = [("MSET", *plain)]
    if deleted:
        writes.append(("DEL", *deleted))
    writes += [("HSET", key, *pairs) for key, pairs in hset.items()]
    writes += [("HDEL", key, *names) for key, names in hdel.items()]
    writes += [
        ("PUBLISH", keys.changes_channel(prefix, key), b"1") for key in dict.fromkeys(split_key(k)[0] for k in changed)
    ]
    return writes


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
    endpoint = metrics.serve(
        projector_metrics.registry_of(projector), settings.metrics_host, settings.projector_metrics_port, "projector"
    )
    log.info("projector started: %s", ", ".join(projector.sources))
    try:
        await projector.run(stop)
    finally:
        await redis.aclose()
        if endpoint is not None:
            endpoint.close()
        log.info("projector stopped after %d records", projector.projected)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_environ(os.environ)
    kafka_connection.apply()  # on uvloop: a write to a connection the broker closed is a connection error
    gc_tuning.apply(settings.gc_young_threshold)
    try:
        import uvloop  # the same event loop as the gateway and the stream worker: less CPU per fact
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        asyncio.run(serve(settings))
    else:
        uvloop.run(serve(settings))


if __name__ == "__main__":
    main()
