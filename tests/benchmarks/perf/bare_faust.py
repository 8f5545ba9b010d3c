"""The stream ceiling: a bare Faust agent that only decodes each record (as the matcher does) and counts.

Run as ``python -m tests.benchmarks.perf.bare_faust worker`` with ``LINGONG_*`` settings and
``PERF_BARE_TOPIC`` / ``PERF_BARE_EXPECT``. Same Faust settings as :func:`streams.app.create_app` (broker,
commit interval, raw serializers, uvloop); it logs ``bare: <n> records in <s> s``
measured from the first record it saw to the ``PERF_BARE_EXPECT``-th.

Stock Faust by default. With ``PERF_BARE_TUNED=1`` the app first gets the stream worker's own changes to Faust and
aiokafka (:func:`streams.app.tune_framework`: the fetch loop's fast path, no per-event statistics, batched fetches,
the race fixes), so the matcher can also be compared with the framework as the worker runs it.
"""

from __future__ import annotations

import os
import time

import faust

from services.market import records
from services.settings import Settings
from streams.app import raw_schema, tune_framework


def create_app(settings: Settings, topic: str, expect: int, *, tuned: bool = False) -> faust.App:
    app = faust.App(
        f"{settings.streams_app_id}-bare",
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        topic_partitions=settings.partitions,
        topic_allow_declare=False,
        broker_commit_interval=settings.stream_commit_interval_seconds,
        broker_session_timeout=settings.stream_session_timeout_seconds,
        consumer_auto_offset_reset="earliest",
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
    )
    if tuned:
        tune_framework(app, settings)
    source = app.topic(topic, schema=raw_schema())
    seen = {"n": 0, "first": 0.0}

    @app.agent(source, name="bare_count")
    async def count(stream: faust.Stream) -> None:  # type: ignore[type-arg]
        async for event in stream.events():
            records.decode_command(event.message.value)
            if seen["n"] == 0:
                seen["first"] = time.monotonic()
            seen["n"] += 1
            if seen["n"] == expect:
                elapsed = time.monotonic() - seen["first"]
                print(f"bare: {expect} records in {elapsed:.6f} s", flush=True)

    return app


def main() -> None:
    import uvloop

    uvloop.install()  # as python -m streams does
    settings = Settings.from_environ(os.environ)
    tuned = os.environ.get("PERF_BARE_TUNED") == "1"
    app = create_app(settings, os.environ["PERF_BARE_TOPIC"], int(os.environ["PERF_BARE_EXPECT"]), tuned=tuned)
    app.main()


if __name__ == "__main__":
    main()
