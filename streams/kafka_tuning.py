"""Fetch batching for the stream worker's consumer: Faust passes no ``fetch_min_bytes`` to aiokafka.

With aiokafka's default of one byte, the broker answers a fetch as soon as any record is ready, so under a
steady flow the consumer re-fetches every assigned partition (dozens, with the tables' changelogs) for each few
records; in the pipeline benchmark the broker's garbage collector then took a quarter of its CPU.
:func:`batch_fetches` makes every worker consumer Faust creates for ``app`` ask for ``min_bytes`` or a wait of
``max_wait_ms``, whichever comes first (the projector passes the same settings to its own consumer).
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver

_ATTRIBUTE = "lingong_fetch"
_installed = False


def batch_fetches(app: faust.App, min_bytes: int, max_wait_ms: int) -> None:
    """From now on, ``app``'s worker consumer fetches at least ``min_bytes`` or waits ``max_wait_ms``."""
    setattr(app, _ATTRIBUTE, (min_bytes, max_wait_ms))
    _install()


def _install() -> None:
    global _installed
    if _installed:
        return
    create = driver.AIOKafkaConsumerThread._create_worker_consumer

    def create_batching(self: Any, transport: Any) -> Any:
        consumer = create(self, transport)
        fetch = getattr(self.app, _ATTRIBUTE, None)
        if fetch is not None:
            if not hasattr(consumer, "_fetch_min_bytes") or not hasattr(consumer, "_fetch_max_wait_ms"):
                raise RuntimeError("aiokafka's consumer changed: review streams/kafka_tuning.py")
            consumer._fetch_min_bytes, consumer._fetch_max_wait_ms = fetch  # read by its Fetcher at start()
        return consumer

    driver.AIOKafkaConsumerThread._create_worker_consumer = create_batching  # type: ignore[method-assign]
    _installed = True
