"""The market's derived look-ups (:mod:`services.market_index`) answer like a scan of the fields, also after the
fields were changed behind their back."""

from __future__ import annotations

from services import records as r
from services.market import decide, new_state
from services.market_index import active_check_in, already_applied, remember
from services.market_state import decode_state, encode_state
from tests.unit.market_fixtures import FCFS, check_in


def test_recent_commands_are_found_and_forgotten_when_trimmed() -> None:
    state = new_state("zs-market", "zhongshan")
    for n in range(5):
        remember(state, f"id{n}", kept=3)
    assert state.recent_commands == ["id2", "id3", "id4"]
    assert [already_applied(state, f"id{n}") for n in range(5)] == [False, False, True, True, True]


def test_an_index_rebuilds_when_the_list_was_changed_directly() -> None:
    state = new_state("zs-market", "zhongshan")
    remember(state, "a", kept=10)
    assert already_applied(state, "a")
    state.recent_commands[:] = ["b"]
    assert not already_applied(state, "a") and already_applied(state, "b")


def test_a_worker_queued_twice_is_refused_also_after_a_fresh_decode() -> None:
    state = new_state("zs-market", "zhongshan")
    decide(state, check_in(1, worker="w_x"), FCFS)
    again = decode_state(encode_state(state))  # no index: built from the fields
    decision = decide(again, check_in(2, worker="w_x"), FCFS)
    assert [type(f) for f in decision.facts] == [r.CommandRefused]
    assert "ticket 1" in decision.facts[0].message_en  # type: ignore[union-attr]


def test_a_worker_who_left_may_queue_again_and_status_changes_need_no_index_update() -> None:
    state = new_state("zs-market", "zhongshan")
    decide(state, check_in(1, worker="w_x"), FCFS)
    assert active_check_in(state, "w_x") is state.workers["c1"]
    state.workers["c1"].status = "left"
    assert active_check_in(state, "w_x") is None
    decide(state, check_in(2, worker="w_x"), FCFS)
    assert active_check_in(state, "w_x") is state.workers["c2"]


def test_workers_cleared_and_replaced_are_indexed_again() -> None:
    state = new_state("zs-market", "zhongshan")
    decide(state, check_in(1, worker="w_x"), FCFS)
    assert active_check_in(state, "w_x") is not None
    state.workers.clear()
    assert active_check_in(state, "w_x") is None
    decide(state, check_in(3, worker="w_y"), FCFS)
    assert active_check_in(state, "w_y") is state.workers["c3"] and active_check_in(state, "w_x") is None


def test_the_index_is_not_encoded_or_compared() -> None:
    state = new_state("zs-market", "zhongshan")
    decide(state, check_in(1), FCFS)
    plain = decode_state(encode_state(state))
    assert plain == state and encode_state(plain) == encode_state(state)
