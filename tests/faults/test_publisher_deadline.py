"""Each record the gateway publishes has its whole produce timeout, counted from its own publish, even when it
waits behind a stalled batch (issue 29: a deadline counted from the oldest record of a batch answered 503 after
0.08 s). The broker is a test's own, paused with SIGSTOP: it accepts connections and answers nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import uuid
from collections.abc import Awaitable
from pathlib import Path

from gateway.publisher import BrokerUnavailable, Publisher
from services.settings import Settings
from services.topics import TopicSpec
from tests.support import stack

TIMEOUT = 2.0


async def _timed(publish: Awaitable[None]) -> tuple[float, BaseException | None]:
    """Seconds from now until ``publish`` settles, and how it failed (``None``: acknowledged)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        await publish
    except BaseException as error:
        return loop.time() - started, error
    return loop.time() - started, None


async def test_a_record_queued_behind_a_stalled_batch_gets_its_whole_timeout(
    tmp_path: Path, settings: Settings
) -> None:
    with stack.kafka_broker(tmp_path / "kafka") as kafka:
        topic = f"deadline-{uuid.uuid4().hex[:8]}"
        kafka.create_topics([TopicSpec(topic, 1, 1)])
        own = dataclasses.replace(
            settings, kafka_bootstrap=kafka.bootstrap, produce_timeout_seconds=TIMEOUT, gateway_linger_ms=0
        )
        publisher = Publisher(own)
        await publisher.publish(topic, b"k", b"warm")  # connected, with the partition's leader
        assert kafka.pid is not None
        os.kill(kafka.pid, signal.SIGSTOP)
        try:
            stalled = asyncio.ensure_future(_timed(publisher.publish(topic, b"k", b"first")))
            await asyncio.sleep(0.1)  # the first batch is on its way; the next records queue behind it
            early = asyncio.ensure_future(_timed(publisher.publish(topic, b"k", b"early")))
            await asyncio.sleep(TIMEOUT - 0.3)
            late = asyncio.ensure_future(_timed(publisher.publish(topic, b"k", b"late")))  # same queue, 1.7 s on
            outcomes = await asyncio.gather(stalled, early, late)
        finally:
            os.kill(kafka.pid, signal.SIGCONT)
            await publisher.close()
    for elapsed, error in outcomes:
        assert isinstance(error, BrokerUnavailable), outcomes
        assert TIMEOUT - 0.05 <= elapsed <= TIMEOUT + 1.0, outcomes  # its own whole timeout, not less
