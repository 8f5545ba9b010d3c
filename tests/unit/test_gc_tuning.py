"""The collector's settings at process start (services/adapters/gc_tuning.py)."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator

import pytest

from services.adapters import gc_tuning


@pytest.fixture
def collector() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        if gc_tuning._log_slow_collection in gc.callbacks:
            gc.callbacks.remove(gc_tuning._log_slow_collection)


def test_zero_leaves_the_collector_alone(collector: None) -> None:
    before = gc.get_threshold()
    gc_tuning.apply(0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_threshold_raises_the_young_generation_and_freezes_the_start_up_heap(collector: None) -> None:
    gc_tuning.apply(50_000)
    assert gc.get_threshold() == (50_000, gc_tuning.MIDDLE_THRESHOLD, gc_tuning.OLDEST_THRESHOLD)
    assert gc.get_freeze_count() > 1000  # the imported modules at least


def test_cycles_are_still_collected(collector: None) -> None:
    gc_tuning.apply(50_000)

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b
    assert gc.collect() >= 2


def test_a_slow_collection_is_logged_with_its_generation(collector: None, caplog: pytest.LogCaptureFixture) -> None:
    gc_tuning.apply(50_000)
    assert gc_tuning._log_slow_collection in gc.callbacks
    with caplog.at_level(logging.INFO, logger=gc_tuning.__name__):
        gc_tuning._log_slow_collection("start", {"generation": 0})
        gc_tuning._log_slow_collection("stop", {"generation": 0, "collected": 1, "uncollectable": 0})  # fast
        gc_tuning._log_slow_collection("start", {"generation": 2})
        time.sleep(gc_tuning.SLOW_COLLECTION_SECONDS + 0.01)
        gc_tuning._log_slow_collection("stop", {"generation": 2, "collected": 94, "uncollectable": 0})
    (line,) = [r.getMessage() for r in caplog.records if r.name == gc_tuning.__name__]
    assert line.startswith("gc: generation 2 collection took ") and "(94 collected, 0 uncollectable)" in line
