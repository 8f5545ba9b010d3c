"""The collector's settings at process start (services/adapters/gc_tuning.py)."""

from __future__ import annotations

import gc
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
