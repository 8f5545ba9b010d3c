"""The stream worker's consumer batches its fetches as the settings say (Faust itself passes no fetch size)."""

from __future__ import annotations

import asyncio

from services.settings import Settings
from streams.app import create_app


def test_worker_consumer_gets_the_fetch_settings() -> None:
    settings = Settings(
        consumer_fetch_min_bytes=12345, consumer_fetch_max_wait_ms=7, stream_producer_linger_seconds=0.004
    )

    async def build() -> tuple[int, int, float]:
        app = create_app(settings)
        thread = app.consumer._thread  # Faust's aiokafka consumer thread: creates the aiokafka consumer
        consumer = thread._create_worker_consumer(app.transport)
        try:
            return consumer._fetch_min_bytes, consumer._fetch_max_wait_ms, app.conf.producer_linger
        finally:
            await consumer.stop()

    assert asyncio.run(build()) == (12345, 7, 0.004)


def test_projector_consumer_gets_the_fetch_settings() -> None:
    import redis.asyncio as aioredis

    from projector.app import Projector

    settings = Settings(consumer_fetch_min_bytes=4321, consumer_fetch_max_wait_ms=9)

    async def build() -> tuple[int, int]:
        redis = aioredis.Redis.from_url("redis://127.0.0.1:1")  # never connected: only the consumer is read
        projector = Projector(settings, redis)
        try:
            return projector.consumer._fetch_min_bytes, projector.consumer._fetch_max_wait_ms
        finally:
            await projector.consumer.stop()
            await redis.aclose()

    assert asyncio.run(build()) == (4321, 9)


def test_agent_streams_hold_the_configured_buffer() -> None:
    """Faust's stream buffer follows ``stream_buffer_maxsize`` (the point at which Faust stops fetching a partition
    is four fifths of it), for the worker and for the bare agent of the stream ceiling alike."""
    from tests.benchmarks.perf.bare_faust import create_app as create_bare_app

    settings = Settings(stream_buffer_maxsize=12288)
    assert Settings().stream_buffer_maxsize == 16384
    for app in (create_app(settings), create_bare_app(settings, "bare-topic", 1)):
        assert app.conf.stream_buffer_maxsize == 12288
        queue = app.topic("some-topic").queue  # each agent's stream reads the queue of a channel like this
        assert (queue.maxsize, queue.pressure_high_size) == (12288, 9830)
