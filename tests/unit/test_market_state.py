"""The market's state stays out of the cycle collector's reach however long the queue grows."""

from __future__ import annotations

import gc
from datetime import timedelta

from services.market import records as r
from services.market.decide import decide, decode_state, encode_state, new_state
from services.market.state import MarketState
from tests.unit.market_fixtures import FCFS, MAX_FILL, T0, answer, check_in, head, job


def _tracked_within(state: MarketState) -> int:
    """Objects reachable from ``state`` (its index included) that the cycle collector tracks."""
    seen: set[int] = set()
    todo: list[object] = [state]
    tracked = 0
    while todo:
        item = todo.pop()
        if id(item) in seen or isinstance(item, type):  # not into classes and from there the modules
            continue
        seen.add(id(item))
        tracked += gc.is_tracked(item)
        todo.extend(gc.get_referents(item))
    return tracked


def test_queued_workers_add_no_tracked_objects() -> None:
    state = new_state("zs-market", "zhongshan")
    for n in range(200):
        state = decide(state, check_in(n, trades=(("mason", "porter")[n % 2],), at=T0), FCFS).state
    gc.collect()  # tuples of strings are untracked by the first collection that sees them
    small = _tracked_within(state)
    for n in range(200, 2_000):
        state = decide(state, check_in(n, trades=(("mason", "porter")[n % 2],), at=T0), FCFS).state
    gc.collect()
    assert not gc.is_tracked(state.workers["c1999"])
    assert _tracked_within(state) == small  # 1,800 more workers, not one more object to traverse


def test_a_worker_who_passed_and_took_a_job_is_untracked_and_round_trips() -> None:
    state = new_state("zs-market", "zhongshan")
    for command in (check_in(1), job(1), job(2)):
        state = decide(state, command, FCFS).state
    offers = [o for o in state.offers.values() if o.checkin_id == "c1"]
    state = decide(state, answer(offers[0].offer_id, "c1", "decline", 1), FCFS).state
    later = r.Tick(**head("t", T0 + timedelta(minutes=1)))  # type: ignore[arg-type]
    state = decide(state, later, FCFS).state
    second = next(o for o in state.offers.values() if o.checkin_id == "c1")
    state = decide(state, answer(second.offer_id, "c1", "accept", 2), FCFS).state
    worker = state.workers["c1"]
    assert worker.passed_requests == (offers[0].request_id,) and len(worker.commitments) == 1
    assert not gc.is_tracked(worker)
    again = decode_state(encode_state(state))
    assert again.workers["c1"] == worker and not gc.is_tracked(again.workers["c1"])


def test_deciding_leaves_no_cyclic_garbage() -> None:
    """Every object a command allocates is freed by reference counting: nothing for the cycle collector, which
    pauses every stream of the worker (max_fill's augmenting paths used to leave one cycle per allocation)."""
    gc.collect()
    gc.disable()
    try:
        state = new_state("zs-market", "zhongshan")
        for n in range(60):
            state = decide(state, check_in(n, trades=(("mason", "porter")[n % 2],), at=T0), MAX_FILL).state
            if n % 10 == 0:
                state = decide(state, job(n, trade=("mason", "porter")[n % 4 // 2], headcount=3), MAX_FILL).state
        assert state.offers  # the allocation ran
        assert gc.collect() == 0
    finally:
        gc.enable()
