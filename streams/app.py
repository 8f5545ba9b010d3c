"""The Faust application factory: topics, tables and agents for one settings object."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import StreamT

from services import geography, topics
from services.adapters import kafka_connection
from services.adapters import metrics as metrics_endpoint
from services.adapters.partitioner import CachedPartitioner
from services.market import records
from services.market.decide import MarketRules, MarketState
from services.market.due import next_due
from services.records import encode
from services.settings import Settings
from streams import consumer_fast_path, diagnostics, faust_patches, kafka_tuning, sensors
from streams.batching import take_ready
from streams.fair_agent import register_fair_agents
from streams.jobseeker_agent import register_jobseeker_agents
from streams.market_agent import MARKET_CODEC, market_step
from streams.metrics import LAG_REFRESH_SECONDS, FactTopics, StreamMetrics, consumer_lags
from streams.roster_agent import ROSTER_CODEC, roster_step, worker_of
from streams.tables import writer_table
from streams.ticker import Agenda, Clock
from streams.trust_agent import register_trust_agents
from streams.writer import DirectTopic, SingleWriter


def raw_schema() -> faust.Schema[bytes, bytes]:
    """Bytes in, bytes out: ``services.records`` decodes, so a bad record can be dead-lettered."""
    return faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def tune_framework(app: faust.App, settings: Settings) -> None:
    """The worker's changes to Faust and aiokafka themselves, made before ``app`` starts.

    Race fixes (streams/faust_patches.py), a closed connection on uvloop turned into a retried error
    (services/adapters/kafka_connection.py), the fetch loop's fast path (streams/consumer_fast_path.py), batched
    fetches (streams/kafka_tuning.py) and no per-event
    statistics (streams/sensors.py). The bare-Faust ceiling of tests/benchmarks/perf/bare_faust.py runs once with
    and once without them, so the matcher's ratio is reported against both.
    """
    faust_patches.apply()
    kafka_connection.apply()  # the worker runs on uvloop: a write to a closed connection must not crash it
    consumer_fast_path.apply()
    kafka_tuning.batch_fetches(app, settings.consumer_fetch_min_bytes, settings.consumer_fetch_max_wait_ms)
    sensors.without_event_statistics(app)


def _state_table(app: faust.App, name: str, settings: Settings) -> Any:
    """A writer's table of raw bytes, one partition per input partition."""
    return writer_table(app, name, partitions=settings.partitions, schema=raw_schema())


def _changelog(table: Any, settings: Settings) -> DirectTopic | None:
    """The table's changelog topic for the writer's direct writes (``None``: through Faust's table, as before)."""
    return DirectTopic(table.changelog_topic) if settings.stream_direct_changelog else None


def create_app(settings: Settings, *, clock: Clock = _utc_now, deduplicate: bool = True) -> faust.App:
    """Build the stream application. Nothing is started; ``app.main()`` or ``faust worker`` runs it."""
    app = faust.App(
        settings.streams_app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        producer_linger=settings.stream_producer_linger_seconds,
        # A market's state is one table record and may pass Kafka's default 1 MB (the changelog topics allow it).
        producer_max_request_size=settings.stream_state_max_bytes,
        # Kafka's default partition of each key, murmur2 remembered for keys seen again (a market's id).
        producer_partitioner=CachedPartitioner(),
        broker_commit_interval=settings.stream_commit_interval_seconds,
        broker_session_timeout=settings.stream_session_timeout_seconds,
        consumer_auto_offset_reset="earliest",
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        web_enabled=False,
        table_standby_replicas=0,
        # Tables restore from their changelogs with the app's serializers: bytes, like every topic here.
        key_serializer="raw",
        value_serializer="raw",
    )
    tune_framework(app, settings)
    # One schema object per topic and table: Faust mutates them, sharing one breaks key decoding.
    market_commands = app.topic(settings.topic(topics.MARKET_COMMANDS), schema=raw_schema())
    market_events = app.topic(settings.topic(topics.MARKET_EVENTS), schema=raw_schema())
    worker_commands = app.topic(settings.topic(topics.WORKER_COMMANDS), schema=raw_schema())
    worker_events = app.topic(settings.topic(topics.WORKER_EVENTS), schema=raw_schema())
    dead_letters = app.topic(settings.topic(topics.DEAD_LETTERS), schema=raw_schema())

    if not deduplicate:
        logging.getLogger("lingong.streams").warning(
            "!!! deduplication off: the agents apply repeated command ids again (tests/faults only) !!!"
        )
    rules = {
        m.market_id: dataclasses.replace(MarketRules.from_settings(settings, m.market_id), deduplicate=deduplicate)
        for m in geography.MARKETS
    }
    default_rules = dataclasses.replace(MarketRules.from_settings(settings), deduplicate=deduplicate)

    def rules_for(market_id: str) -> MarketRules:
        return rules.get(market_id, default_rules)

    metrics = StreamMetrics()
    ticking = settings.tick_interval_seconds > 0
    agenda = Agenda(geography.MARKETS)

    def decided(command: records.MarketCommand, state: MarketState) -> None:
        """File the market's next due instant after ``command`` (the market clock, streams/ticker.py)."""
        now = command.at if state.clock is None else max(state.clock, command.at)
        agenda.file(command.market_id, command.county, next_due(state, rules_for(command.market_id), now))

    market_table, roster_table = (
        _state_table(app, "market-states", settings),
        _state_table(app, "worker-rosters", settings),
    )
    market_writer = SingleWriter(
        name="match_market",
        table=market_table,
        changelog=_changelog(market_table, settings),
        dead_letters=dead_letters,
        decode=records.decode_command,
        key_of=lambda c: c.market_id.encode(),
        step=market_step(
            rules_for=rules_for,
            market_events=DirectTopic(market_events),
            worker_commands=DirectTopic(worker_commands),
            fact_topic=FactTopics(DirectTopic(market_events), metrics),
            decided=decided if ticking else None,
        ),
        codec=MARKET_CODEC,
        journal_max=settings.market_journal_max,  # a batch writes its commands, not the market's whole state
    )
    roster_writer = SingleWriter(
        name="admit_worker",
        table=roster_table,
        changelog=_changelog(roster_table, settings),
        dead_letters=dead_letters,
        decode=records.decode_worker_command,
        key_of=worker_of,
        step=roster_step(
            worker_events=DirectTopic(worker_events),
            market_commands=DirectTopic(market_commands),
            deduplicate=deduplicate,
        ),
        codec=ROSTER_CODEC,
    )

    # Per batch, not per event: the batch's outputs are acknowledged in one round trip and each market's state
    # is written once per batch (the events are acked only after the body returned; see SingleWriter).
    batch_max, within = settings.stream_batch_max, settings.stream_batch_within_seconds

    def take(stream: Any, max_: int, wait: float) -> AsyncIterator[Sequence[Any]]:
        """The batches of an agent: natural (streams/batching.py) or Faust's timer batches, as configured."""
        if settings.stream_take_ready:
            return take_ready(stream, max_, wait)
        batches: AsyncIterator[Sequence[Any]] = stream.take_events(max_, within=wait)
        return batches

    @app.agent(market_commands, name="match_market")
    async def match_market(stream: StreamT[Any]) -> None:
        """Single writer of each market: apply every command in order, emit the facts."""
        async for events in take(stream, batch_max, settings.market_batch_within_seconds):
            await market_writer.handle_batch(events)

    @app.agent(worker_commands, name="admit_worker")
    async def admit_worker(stream: StreamT[Any]) -> None:
        """Single writer of each worker's roster: one active check-in across all markets."""
        async for events in take(stream, batch_max, within):
            await roster_writer.handle_batch(events)

    if ticking:
        market_commands_name = settings.topic(topics.MARKET_COMMANDS)

        @app.timer(settings.tick_interval_seconds, name="tick_markets")  # type: ignore[untyped-decorator]  # Faust's App.timer and App.task return a bare Callable
        async def tick_markets() -> None:
            """On every worker: tick the markets of its partitions that have something due (streams/ticker.py)."""
            now = clock()
            consumer = app.consumer
            try:
                held = [tp.partition for tp in consumer.assignment() if tp.topic == market_commands_name]
                count = consumer.topic_partitions(market_commands_name) or settings.partitions
            except Exception:  # the consumer is not started yet: nothing is held
                return
            agenda.hold(held, count, now)
            for tick in agenda.due(now):
                await market_commands.send(key=tick.market_id.encode(), value=encode(tick))
                metrics.ticks.inc()

    writers: list[SingleWriter[Any, Any]] = [
        market_writer,
        roster_writer,
        *register_fair_agents(app, settings, raw_schema, clock=clock),
        *register_jobseeker_agents(app, settings, raw_schema, clock=clock),
        *register_trust_agents(app, settings, raw_schema, clock=clock),  # issue 28
    ]

    for writer in writers:
        writer.metrics = metrics

    @app.task  # type: ignore[untyped-decorator]  # Faust's App.timer and App.task return a bare Callable
    async def install_diagnostics() -> None:
        diagnostics.install(app, writers)
        metrics_endpoint.serve(metrics.registry, settings.metrics_host, settings.streams_metrics_port, "streams")

    async def position(tp: Any) -> int | None:
        try:
            found: int | None = await asyncio.wait_for(app.consumer.position(tp), LAG_REFRESH_SECONDS / 2)
        except Exception:  # not fetched yet, or the broker is slow: no figure this round
            return None
        return found

    @app.timer(LAG_REFRESH_SECONDS, name="measure_lag")  # type: ignore[untyped-decorator]  # Faust's App.timer and App.task return a bare Callable
    async def measure_lag() -> None:
        """The consumer lag of every assigned partition of the agents' topics (streams/metrics.py)."""
        consumer = app.consumer
        try:
            assigned = consumer.assignment()
        except Exception:  # the consumer is not started yet
            return
        sources = frozenset(tp.topic for tp in assigned if not tp.topic.endswith("-changelog"))
        handled = {tp: offset for writer in writers for tp, offset in writer.handled.items()}
        metrics.set_lag(await consumer_lags(assigned, sources, consumer.highwater, handled, position))

    return app
