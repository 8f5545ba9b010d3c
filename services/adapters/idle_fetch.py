"""Fetches that wait long while a consumer has nothing to read, and batch while it has.

The stream worker and the projector fetch with ``LINGONG_CONSUMER_FETCH_MIN_BYTES`` (16 KiB) or
``…_MAX_WAIT_MS`` (20 ms), whichever comes first: under load that keeps fetches few and full (with one byte the
pipeline at 600/s cost 4.3 instead of 2.8 ms of CPU per fact and fell behind). But with nothing to read every
consumer then asks the broker for every assigned partition 50 times a second: an idle stack took 40-48 % of a
core (Kafka 21-29 %, stream worker 12 %, projector 6 %).

:func:`apply` makes every aiokafka consumer that asks for more than one byte switch by what its last fetches
brought: after :data:`EMPTY_FETCHES_TO_IDLE` fetches in a row that brought no record, the next asks for one byte
with a wait of ``idle_wait_ms`` (the broker answers as soon as anything arrives, so a record after a quiet spell
is not held back at all); after one that brought records, the consumer's own batching settings again. Under
load nothing changes; when idle a consumer fetches every ``idle_wait_ms``. With several brokers the mode is the
consumer's, switched by whichever node answered last (a node's request may go out in the other mode: harmless
either way).

**Off by default** (``LINGONG_CONSUMER_IDLE_FETCH_WAIT_MS=0``). It cuts an idle stack's CPU by two thirds, but in
the two full benchmark runs with it on, kiosk to offer at 500/s cost 5.3-5.4 ms of CPU per check-in against
4.5-4.6 in the two runs before it (the gateway, which it does not touch, 1.09 in all four): the stream worker,
the projector and Kafka each paid more. A deployment that is quiet most of the day may turn it on.

Reviewed against aiokafka 0.14.0 (``Fetcher._proc_fetch_request`` returns whether it added records, and
``_create_fetch_requests`` reads ``_fetch_min_bytes`` / ``_fetch_max_wait_ms`` for every request). On another
version :func:`apply` logs a warning and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import aiokafka
from aiokafka.consumer.fetcher import Fetcher

log = logging.getLogger(__name__)

#: The aiokafka versions whose fetcher this was reviewed against.
REVIEWED_VERSIONS = ("0.14.0",)

_state: dict[str, Any] = {"idle_wait_ms": 0, "original": None}


#: How many fetches in a row must bring nothing before a consumer counts as idle. Under load a single fetch
#: comes back empty now and then (it asks only for the partitions with nothing buffered); switching on that
#: alone would make the next fetch a one-byte one.
EMPTY_FETCHES_TO_IDLE = 3


async def _proc_fetch_request(self: Any, assignment: Any, node_id: int, request: Any) -> Any:
    added = await _state["original"](self, assignment, node_id, request)
    busy = self.__dict__.get("_lingong_busy_fetch")
    if busy is None:  # the consumer's own settings, as it started
        busy = self._lingong_busy_fetch = (self._fetch_min_bytes, self._fetch_max_wait_ms)
        self._lingong_empty_fetches = 0
    idle_wait_ms = _state["idle_wait_ms"]
    if busy[0] > 1 and idle_wait_ms > 0:
        self._lingong_empty_fetches = 0 if added else self._lingong_empty_fetches + 1
        idle = self._lingong_empty_fetches >= EMPTY_FETCHES_TO_IDLE
        self._fetch_min_bytes, self._fetch_max_wait_ms = (1, idle_wait_ms) if idle else busy
    return added


def apply(idle_wait_ms: int) -> None:
    """From now on, batching consumers fetch with (1 byte, ``idle_wait_ms``) after an empty fetch (0: never)."""
    _state["idle_wait_ms"] = idle_wait_ms
    if _state["original"] is not None or idle_wait_ms <= 0:
        return  # installed already, or off (the default: aiokafka's fetcher is left as it is)
    if aiokafka.__version__ not in REVIEWED_VERSIONS:
        log.warning(
            "aiokafka %s is not one of %s: idle consumers keep fetching every max wait "
            "(review services/adapters/idle_fetch.py)",
            aiokafka.__version__,
            REVIEWED_VERSIONS,
        )
        return
    _state["original"] = Fetcher._proc_fetch_request
    Fetcher._proc_fetch_request = _proc_fetch_request


def fetch_mode(consumer: aiokafka.AIOKafkaConsumer) -> tuple[int, int]:
    """The (min bytes, max wait ms) ``consumer``'s next fetch asks for (for tests and diagnostics)."""
    fetcher = consumer._fetcher
    return fetcher._fetch_min_bytes, fetcher._fetch_max_wait_ms
