"""The three recovery races fixed by streams/faust_patches.py, each shown deterministically.

Each test drives Faust's own method (``Consumer._wait_next_records``, ``Consumer.getmany``,
``Recovery._resume_streams`` / ``on_recovery_completed``) with the interleaving that loses records — a
recovery step that runs while a fetch is awaited, a pause between a fetch and its delivery, the order of the
steps at a rebalance's end — and checks that no record is lost. Against Faust 0.15.3 without the patches, each
of them fails (deploy/upstream/README.md); with them, each passes. The broker side is not
needed: the fetch, the seek and the recovery's collaborators are recorded instead, because what is under test is
Faust's control flow around them (the fault test tests/faults/test_kill_stream_worker.py covers a real broker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import faust
import pytest
from faust.tables.recovery import Recovery
from faust.transport import consumer as base
from faust.types import TP

from streams import faust_patches

faust_patches.apply()

TOPIC = "market-commands"


def _consumer() -> Any:
    """The aiokafka driver's consumer of a Faust app that is not started, with partition 0 active."""
    app = faust.App("patch-test", broker="kafka://127.0.0.1:9", store="memory://")
    consumer = app.consumer
    tp = TP(TOPIC, 0)
    consumer._active_partitions = set()  # what Faust's on_partitions_assigned leaves before resuming any
    base.Consumer.resume_partitions(consumer, {tp})
    return consumer


async def test_a_fetch_asks_for_the_partitions_active_when_it_was_made() -> None:
    """Defect 1: recovery pauses the partitions while the fetch is queued; an emptied set means "every
    assigned partition" to aiokafka, so records of paused partitions came back and were dropped."""
    consumer = _consumer()
    tp = TP(TOPIC, 0)
    asked: list[set[TP]] = []

    async def fetch(active_partitions: set[TP] | None, timeout: float) -> dict[TP, list[Any]]:
        base.Consumer.pause_partitions(consumer, {tp})  # recovery runs while the fetch waits its turn
        asked.append(set(active_partitions or ()))  # what aiokafka reads when the queued fetch runs
        return {}

    consumer._getmany = fetch
    await consumer._wait_next_records(0.01)
    assert asked == [{tp}]


class _Record:
    def __init__(self, offset: int) -> None:
        self.offset, self.timestamp, self.timestamp_type = offset, None, 0
        self.key, self.value, self.headers = b"k", b"v", []
        self.checksum, self.serialized_key_size, self.serialized_value_size = None, 1, 1


async def test_records_of_a_partition_paused_after_the_fetch_are_read_again() -> None:
    """Defect 2: records fetched for a partition that was paused before they were delivered were skipped, and
    the fetch position stayed past them: nothing read them again until the next rebalance."""
    consumer = _consumer()
    tp = TP(TOPIC, 0)
    position = {"next": 7}  # the fetch position after records 5 and 6
    sought: list[tuple[TP, int]] = []

    async def fetch(active_partitions: set[TP] | None, timeout: float) -> dict[TP, list[Any]]:
        records = {tp: [_Record(5), _Record(6)]}
        base.Consumer.pause_partitions(consumer, {tp})  # back-pressure or recovery, before delivery
        return records

    async def seek(partition: TP, offset: int) -> None:
        sought.append((partition, offset))
        position["next"] = offset

    class Assignment:
        def state_value(self, partition: TP) -> Any:
            return type("State", (), {"position": position["next"]})()

    class Raw:
        _subscription = type("Sub", (), {"subscription": type("S", (), {"assignment": Assignment()})()})()

    consumer._getmany = fetch
    consumer.seek = seek
    consumer._thread = type("Thread", (), {"_ensure_consumer": staticmethod(lambda: Raw())})()
    consumer.app.consumer_generation_id = 0
    delivered = [message.offset async for _, message in consumer.getmany(0.01)]
    assert delivered == []  # paused: not delivered now...
    assert sought == [(tp, 5)]  # ...and read again from 5 when resumed


class _Recorder:
    """Any attribute path, called, is recorded in order and returns an awaitable; ``values`` answers some."""

    def __init__(self, calls: list[str], values: dict[str, Any], path: str = "") -> None:
        self._calls, self._values, self._path = calls, values, path

    def __getattr__(self, name: str) -> Any:
        path = f"{self._path}.{name}".lstrip(".")
        if path in self._values and not callable(self._values[path]):
            return self._values[path]
        return _Recorder(self._calls, self._values, path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._calls.append(self._path)
        if self._path in self._values:
            return self._values[self._path]()
        return self

    def __await__(self) -> Generator[Any, None, None]:
        return asyncio.sleep(0).__await__()

    def __bool__(self) -> bool:
        return True


@pytest.mark.parametrize("method", ["_resume_streams", "on_recovery_completed"])
async def test_a_rebalance_ends_by_seeking_before_any_stream_partition_is_fetched_again(method: str) -> None:
    """Defect 3: Faust resumed the stream partitions, then awaited the seek, then cleared the stream queues
    (``flow_control.resume``): records fetched meanwhile were thrown away behind the fetch position."""
    calls: list[str] = []
    tp = TP(TOPIC, 0)
    values: dict[str, Any] = {
        "app.consumer.assignment": lambda: {tp},
        "app.consumer_generation_id": 3,
        "_is_changelog_tp": lambda: False,
        "tables.values": lambda: [],
    }
    recovery = _Recorder(calls, values)
    await getattr(Recovery, method)(recovery, 3)
    seek, clear = calls.index("app.consumer.perform_seek"), calls.index("app.flow_control.resume")
    resume = calls.index("app.consumer.resume_partitions")
    assert seek < resume and clear < resume, calls
