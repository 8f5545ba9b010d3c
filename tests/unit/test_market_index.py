"""The market's derived look-ups (:mod:`services.market.index`) answer like a scan of the fields, also after the
fields were changed behind their back."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from services.market import records as r
from services.market.decide import decide, new_state
from services.market.index import (
    active_check_in,
    add_worker,
    already_applied,
    any_waiting,
    expired_offers,
    fitting_workers,
    open_slots,
    pending_offers,
    remember,
    requests_of_trades,
    waiting_workers,
    workers_of_trade,
)
from services.market.state import MarketState, decode_state, encode_state
from services.market.state import open_slots as scanned_open_slots
from tests.unit.market_fixtures import FCFS, T0, answer, check_in, job, run


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


# ---------------------------------------------------------------- waiting workers, offers, requests


def _offered_market() -> MarketState:
    """c1 holds the only place of j1 (expires at T0 + 10 min); c2 (mason) and c3 (porter) wait."""
    state, _ = run(job(1), check_in(1), check_in(2), check_in(3, trades=("porter",)))
    assert state.workers["c1"].status == "offered"
    return state


def test_waiting_workers_per_trade_follow_offers_and_departures() -> None:
    state = _offered_market()
    assert [w.checkin_id for w in waiting_workers(state, ["mason"])] == ["c2"]
    assert [w.checkin_id for w in waiting_workers(state, ["porter", "mason"])] == ["c2", "c3"]  # queue order
    (offer,) = state.offers.values()
    decide(state, answer(offer.offer_id, "c1", "decline", 1), FCFS)  # c1 waits again; c2 gets the place
    assert [w.checkin_id for w in waiting_workers(state, ["mason"])] == ["c1"]
    state.workers["c1"].status = "left"  # behind the index's back: a worker who stops waiting is dropped
    assert waiting_workers(state, ["mason"]) == [] and not any_waiting(state, ["mason"])
    assert any_waiting(state, ["porter"]) and not any_waiting(state, ["cleaner"])


def test_waiting_workers_after_a_fresh_decode_and_after_the_offers_changed_directly() -> None:
    state = _offered_market()
    again = decode_state(encode_state(state))
    assert [w.checkin_id for w in waiting_workers(again, ["mason"])] == ["c2"]
    # An offer removed without drop_offer: the offers no longer look like the index's record, it is rebuilt.
    (offer_id,) = state.offers
    del state.offers[offer_id]
    state.workers["c1"].status, state.workers["c1"].offer_id = "waiting", None
    assert [w.checkin_id for w in waiting_workers(state, ["mason"])] == ["c1", "c2"]
    assert open_slots(state, state.requests["j1"]) == 1 and pending_offers(state, "j1") == []


def test_open_slots_and_pending_offers_match_a_scan_of_the_offers() -> None:
    state, _ = run(job(1, headcount=3), check_in(1), check_in(2), job(2, headcount=2), check_in(3))
    for request in state.requests.values():
        assert open_slots(state, request) == scanned_open_slots(state, request)
        assert pending_offers(state, request.request_id) == [
            o for o in state.offers.values() if o.request_id == request.request_id
        ]
    state.offers.clear()  # behind the index's back
    assert open_slots(state, state.requests["j1"]) == 3 and pending_offers(state, "j1") == []


def test_offers_expire_in_order_of_expiry_then_id_and_only_once() -> None:
    state, _ = run(job(1, headcount=2), check_in(1), check_in(2, at=T0 + timedelta(minutes=1)))
    assert expired_offers(state, T0 + timedelta(minutes=9)) == []
    first, second = sorted(state.offers.values(), key=lambda o: o.expires_at)
    assert expired_offers(state, T0 + timedelta(minutes=30)) == [first, second]


def test_an_offer_dropped_or_decoded_afresh_does_not_expire_from_a_stale_heap_entry() -> None:
    state, _ = run(job(1), check_in(1))
    (offer,) = state.offers.values()
    fresh = decode_state(encode_state(state))
    assert expired_offers(fresh, offer.expires_at) == [fresh.offers[offer.offer_id]]
    decide(state, answer(offer.offer_id, "c1", "accept", 1), FCFS)
    assert state.offers == {} and expired_offers(state, offer.expires_at + timedelta(hours=1)) == []


def test_a_replaced_check_in_id_is_filed_under_its_new_trades() -> None:
    state = _offered_market()
    replacement = msgspec.structs.replace(state.workers["c3"], trades=("cleaner",))
    add_worker(state, replacement)
    assert workers_of_trade(state, "porter") == [] and workers_of_trade(state, "cleaner") == [replacement]
    assert [w.checkin_id for w in waiting_workers(state, ["cleaner", "mason"])] == ["c2", "c3"]


def test_workers_of_a_trade_include_those_who_left_and_are_indexed_again_when_cleared() -> None:
    state = _offered_market()
    state.workers["c2"].status = "left"
    assert [w.checkin_id for w in workers_of_trade(state, "mason")] == ["c1", "c2"]
    state.workers.clear()
    assert workers_of_trade(state, "mason") == [] and waiting_workers(state, ["mason"]) == []


def test_requests_by_trade_follow_additions_and_direct_changes() -> None:
    state, _ = run(job(1), job(2, trade="porter"), job(3))
    assert [q.request_id for q in requests_of_trades(state, ["mason", "mason"])] == ["j1", "j3"]
    assert [q.request_id for q in requests_of_trades(state, ["porter", "mason"])] == ["j2", "j1", "j3"]
    state.requests["j4"] = msgspec.structs.replace(state.requests["j2"], request_id="j4")  # behind its back
    assert [q.request_id for q in requests_of_trades(state, ["porter"])] == ["j2", "j4"]
    state.requests.clear()
    assert requests_of_trades(state, ["mason"]) == []


def test_fitting_workers_follow_new_check_ins_and_a_request_s_new_start() -> None:
    """Worked out when first asked, extended by each new check-in, worked out again when the request's terms
    change (a reopened request starts later) or the workers are replaced; in queue order, any status."""
    state, _ = run(job(1, trade="carpenter", wage=500, start=9 * 60, hours=4))  # nobody fits: stays open
    request = state.requests["j1"]
    assert list(fitting_workers(state, request)) == []
    for n, hours in ((1, (7 * 60, 13 * 60)), (2, (7 * 60, 18 * 60)), (3, (7 * 60, 18 * 60))):
        trades = ("carpenter",) if n != 3 else ("mason",)
        state = decide(state, check_in(n, trades=trades, wage=100, hours=hours), FCFS).state
    assert list(fitting_workers(state, request)) == ["c1", "c2"]  # offered or not: lasting terms only
    request.start = 14 * 60  # as a reopened request: c1 (until 13:00) no longer fits
    assert list(fitting_workers(state, request)) == ["c2"]
    state.workers.clear()
    assert list(fitting_workers(state, request)) == []
