"""The Faust application factory: topics, tables and agents for one settings object."""

from __future__ import annotations

import faust

from services import topics
from services.market import MarketRules
from services.settings import Settings
from streams.market_agent import MarketWriter


def create_app(settings: Settings) -> faust.App:
    """Build the stream application. Nothing is started; ``app.main()`` or ``faust worker`` runs it."""
    app = faust.App(
        settings.streams_app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        broker_commit_interval=settings.stream_commit_interval_seconds,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        table_standby_replicas=0,
    )

    def raw() -> faust.Schema:
        """Bytes in, bytes out: ``services.records`` decodes, so a bad record can be dead-lettered."""
        return faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    market_commands = app.topic(settings.topic(topics.MARKET_COMMANDS), schema=raw())
    market_events = app.topic(settings.topic(topics.MARKET_EVENTS), schema=raw())
    dead_letters = app.topic(settings.topic(topics.DEAD_LETTERS), schema=raw())
    market_states = app.Table("market-states", default=None, partitions=settings.partitions, schema=raw())
    writer = MarketWriter(
        states=market_states,
        events=market_events,
        dead_letters=dead_letters,
        rules=MarketRules.from_settings(settings),
    )

    @app.agent(market_commands, name="match_market")
    async def match_market(stream: faust.Stream) -> None:  # type: ignore[type-arg]
        """Single writer of each market: apply every command in order, emit the facts."""
        async for event in stream.events():
            await writer.handle(event.message)

    return app
