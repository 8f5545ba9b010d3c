"""The market's single-writer decisions (services/market/decide.py, services/market/allocation.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.market import records as r
from services.market.allocation import choose_offers, passed_over
from services.market.decide import MarketRules, encode_state, open_slots
from services.market.state import WaitingWorker, decode_state
from services.policy import AllocationPolicy
from services.records import derived_id
from tests.unit.market_fixtures import (
    FCFS,
    MAX_FILL,
    T0,
    answer,
    check_in,
    head,
    job,
    of,
    run,
    step,
)


def test_first_come_first_served_offer() -> None:
    _, events = run(check_in(1), check_in(2), job(1))
    (offer,) = of(events, r.OfferMade)
    assert offer.checkin_id == "c1" and offer.rule == "fcfs" and offer.rank == 1
    assert [q.ticket_no for q in of(events, r.WorkerQueued)] == [1, 2]


def test_ineligible_workers_are_skipped_order_kept() -> None:
    _, events = run(check_in(1, trades=("cleaner",)), check_in(2, wage=300), check_in(3), job(1, wage=250))
    (offer,) = of(events, r.OfferMade)
    assert offer.checkin_id == "c3"


def test_hours_must_fit_the_workers_day() -> None:
    _, events = run(check_in(1), job(1, start=12 * 60, hours=8))
    assert of(events, r.OfferMade) == []


def test_certificate_required_only_goes_to_holders() -> None:
    _, events = run(
        check_in(1, trades=("electrician",)),
        check_in(2, trades=("electrician",), certificates=("electrician",)),
        job(1, trade="electrician", certificate_required=True),
    )
    assert of(events, r.OfferMade)[0].checkin_id == "c2"


def test_veteran_green_channel_comes_first_and_says_so() -> None:
    _, events = run(check_in(1), check_in(2), check_in(3, groups=("veteran",)), job(1))
    (offer,) = of(events, r.OfferMade)
    assert offer.checkin_id == "c3" and offer.tier == 0 and offer.tier_name == "green_channel"


def test_priority_groups_before_general_after_veterans() -> None:
    state, events = run(
        check_in(1), check_in(2, groups=("relocated",)), check_in(3, groups=("veteran",)), job(1, headcount=3)
    )
    assert [o.checkin_id for o in of(events, r.OfferMade)] == ["c3", "c2", "c1"]
    assert [o.tier for o in of(events, r.OfferMade)] == [0, 1, 2]


def test_decline_offers_the_next_in_line_and_not_again_to_the_same_worker() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    first = of(events, r.OfferMade)[0]
    decision = step(state, answer(first.offer_id, "c1", "decline", 1))
    assert [type(e) for e in decision.facts] == [r.OfferDeclined, r.OfferMade]
    assert of(decision.facts, r.OfferMade)[0].checkin_id == "c2"


def test_accept_places_and_fills_within_headcount() -> None:
    state, events = run(check_in(1), check_in(2), check_in(3), job(1, headcount=2))
    offers = of(events, r.OfferMade)
    assert [o.checkin_id for o in offers] == ["c1", "c2"]
    facts: list[r.MarketEvent] = []
    for n, o in enumerate(offers):
        facts = step(state, answer(o.offer_id, o.checkin_id, "accept", n)).facts
    assert len(of(facts, r.JobRequestFilled)) == 1
    request = state.requests["j1"]
    assert len(request.placements) == 2 and open_slots(state, request) == 0


def test_placement_id_is_derived_from_the_offer() -> None:
    state, events = run(check_in(1), job(1))
    offer = of(events, r.OfferMade)[0]
    (placement,) = of(step(state, answer(offer.offer_id, "c1", "accept", 1)).facts, r.PlacementStarted)
    assert placement.placement_id == derived_id("placement", offer.offer_id)


def test_two_short_jobs_that_do_not_overlap() -> None:
    state, events = run(check_in(1), job(1, start=8 * 60 + 30, hours=3), job(2, start=13 * 60, hours=4))
    first = of(events, r.OfferMade)
    assert len(first) == 1
    second = of(step(state, answer(first[0].offer_id, "c1", "accept", 1)).facts, r.OfferMade)
    assert len(second) == 1 and second[0].request_id == "j2"


def test_no_overlapping_jobs() -> None:
    state, events = run(check_in(1), job(1, start=9 * 60, hours=4), job(2, start=11 * 60, hours=4))
    first = of(events, r.OfferMade)[0]
    assert of(step(state, answer(first.offer_id, "c1", "accept", 1)).facts, r.OfferMade) == []


def test_commitments_from_another_market_block_overlaps() -> None:
    busy = r.Commitment(placement_id="p0", market_id="sc-market", start=9 * 60, end=12 * 60)
    _, events = run(check_in(1, commitments=(busy,)), job(1, start=10 * 60, hours=2), job(2, start=13 * 60, hours=2))
    assert [o.request_id for o in of(events, r.OfferMade)] == ["j2"]


def test_same_command_twice_has_no_effect() -> None:
    state, _ = run(check_in(1), job(1))
    before = encode_state(state)
    decision = step(state, job(1))
    assert decision.facts == [] and encode_state(decision.state) == before


def test_replay_from_the_same_state_gives_identical_events() -> None:
    state, _ = run(check_in(1))
    stored = encode_state(state)
    a = step(decode_state(stored), job(1)).facts
    b = step(decode_state(stored), job(1)).facts
    assert a == b and [e.id for e in a] == [e.id for e in b]


def test_second_check_in_of_the_same_worker_is_refused() -> None:
    _, events = run(check_in(1, worker="w_x"), check_in(2, worker="w_x"))
    (refused,) = of(events, r.CommandRefused)
    assert refused.rule == "already_checked_in" and refused.subject_id == "c2"


def test_answer_to_unknown_offer_is_refused() -> None:
    _, events = run(check_in(1), answer("nope", "c1", "accept", 1))
    assert of(events, r.CommandRefused)[0].rule == "offer_not_open"


def test_expired_offer_moves_to_the_next_worker_on_a_tick() -> None:
    state, _ = run(check_in(1), check_in(2), job(1))
    decision = step(state, r.Tick(**head("t1", T0 + timedelta(minutes=11))))  # type: ignore[arg-type]
    assert of(decision.facts, r.OfferExpired)[0].checkin_id == "c1"
    assert of(decision.facts, r.OfferMade)[0].checkin_id == "c2"


def test_the_clock_never_runs_backwards() -> None:
    state, _ = run(check_in(1), job(1), r.Tick(**head("t", T0 + timedelta(minutes=5))))  # type: ignore[arg-type]
    decision = step(state, check_in(2, at=T0))
    assert decision.facts[0].at == T0 + timedelta(minutes=5)


def test_cancel_releases_offered_and_accepted_workers_to_their_old_place() -> None:
    state, events = run(check_in(1), check_in(2), job(1, headcount=2))
    o1, o2 = of(events, r.OfferMade)
    step(state, answer(o1.offer_id, "c1", "accept", 1))
    cancel = r.CancelJobRequest(**head("cancel"), request_id="j1", employer_id="e1")  # type: ignore[arg-type]
    facts = step(state, cancel).facts
    assert {type(e) for e in facts} >= {r.OfferWithdrawn, r.PlacementCancelled, r.JobRequestClosed}
    assert state.workers["c1"].status == "waiting" and state.workers["c1"].commitments == ()
    assert state.workers["c2"].status == "waiting" and state.workers["c1"].ticket_no == 1
    facts = step(state, job(2)).facts
    assert of(facts, r.OfferMade)[0].checkin_id == "c1"


def test_cancel_by_another_employer_is_refused() -> None:
    state, _ = run(check_in(1), job(1))
    cancel = r.CancelJobRequest(**head("c"), request_id="j1", employer_id="e2")  # type: ignore[arg-type]
    assert of(step(state, cancel).facts, r.CommandRefused)[0].rule == "request_not_open"


def test_check_out_withdraws_the_offer_and_tells_the_roster() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    decision = step(state, r.CheckOut(**head("out"), checkin_id="c1"))  # type: ignore[arg-type]
    kinds = [type(e) for e in decision.facts]
    assert kinds == [r.OfferWithdrawn, r.WorkerLeft, r.OfferMade]
    assert of(decision.facts, r.OfferMade)[0].checkin_id == "c2"
    (release,) = decision.to_roster
    assert release.checkin_id == "c1" and release.reason == "checked_out"


def test_no_show_offers_the_next_worker_at_once() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    offer = of(events, r.OfferMade)[0]
    placed = of(step(state, answer(offer.offer_id, "c1", "accept", 1)).facts, r.PlacementStarted)[0]
    no_show = r.MarkNoShow(**head("ns", T0 + timedelta(hours=1)), placement_id=placed.placement_id, employer_id="e1")  # type: ignore[arg-type]
    decision = step(state, no_show)
    assert of(decision.facts, r.PlacementCancelled)[0].reason == "no_show"
    assert of(decision.facts, r.OfferMade)[0].checkin_id == "c2"
    assert decision.to_roster[0].reason == "no_show"


def test_the_day_ends_at_local_midnight() -> None:
    state, events = run(check_in(1), check_in(2), job(1), job(2, trade="cleaner"))
    midnight = T0 + timedelta(hours=16)  # 2026-11-27 00:00 in Liupanshui
    decision = step(state, r.Tick(**head("mid", midnight)))  # type: ignore[arg-type]
    assert len(of(decision.facts, r.WorkerLeft)) == 2
    assert {e.reason for e in of(decision.facts, r.JobRequestClosed)} == {"expired"}
    assert len(of(decision.facts, r.OfferWithdrawn)) == 1
    assert {c.reason for c in decision.to_roster} == {"end_of_day"}
    assert decision.state.workers == {} and decision.state.next_ticket == 1


def test_max_fill_reroutes_within_a_batch_and_counts_the_reordering() -> None:
    # Two requests and two workers decided in one batch: the versatile first ticket takes the welding job so
    # that the second ticket can take the masonry job; place by place, only one of them would be filled.
    state, _ = run(job(1), job(2, trade="welder"), rules=MAX_FILL)
    for n, trades in ((1, ("mason", "welder")), (2, ("mason",))):
        w = check_in(n, trades=trades)
        state.workers[w.id] = _waiting(w, n)
    choices = choose_offers(state, MAX_FILL.policy, T0)
    assert sorted((c.worker.checkin_id, c.request.request_id) for c in choices) == [
        ("c1", "j2"),
        ("c2", "j1"),
    ]
    # Both are offered a place in this decision: nobody is passed over, so this is not a reordering.
    offered = {c.worker.checkin_id for c in choices}
    assert [passed_over(c, offered) for c in choices] == [False, False]
    fcfs = choose_offers(state, AllocationPolicy(within_tier="fcfs"), T0)
    assert [(c.worker.checkin_id, c.request.request_id) for c in fcfs] == [("c1", "j1")]


def test_max_fill_passing_over_an_earlier_ticket_is_a_reordering() -> None:
    # c1 (mason and welder) declined the welding job, which stays open for another welder; max_fill gives the
    # masonry job to c2, who fits fewer of today's jobs, and leaves c1 waiting: that passes over c1.
    state, events = run(check_in(1, trades=("mason", "welder")), check_in(2), job(0, trade="welder"), rules=MAX_FILL)
    (welding,) = of(events, r.OfferMade)
    decision = step(state, answer(welding.offer_id, "c1", "decline", 1), MAX_FILL)
    decision = step(decision.state, job(1), MAX_FILL)
    (offer,) = of(decision.facts, r.OfferMade)
    assert (offer.checkin_id, offer.reordered, offer.rank) == ("c2", True, 2)
    assert decision.state.workers["c1"].status == "waiting"


@pytest.mark.parametrize(
    "rules",
    [FCFS, MarketRules(policy=AllocationPolicy(within_tier="lottery", lottery_seed="2026"))],
    ids=["fcfs", "lottery"],
)
def test_fcfs_and_lottery_offers_are_never_reorderings(rules: MarketRules) -> None:
    # Several places decided at once, jobs of two trades, a decline and a second round: the queue order itself
    # decides, so no offer passes over anyone earlier in it.
    commands: list[r.MarketCommand] = [
        *(check_in(i, trades=("mason", "porter") if i % 2 else ("mason",)) for i in range(1, 9)),
        job(1, headcount=3),
        job(2, trade="porter", headcount=2),
        job(3, headcount=2, start=14 * 60, hours=3),
    ]
    state, events = run(*commands, rules=rules)
    first = of(events, r.OfferMade)[0]
    decision = step(state, answer(first.offer_id, first.checkin_id, "decline", 1), rules)
    offers = of(events, r.OfferMade) + of(decision.facts, r.OfferMade)
    assert len(offers) >= 7
    assert not any(o.reordered for o in offers)
    assert all(o.rank >= 1 for o in offers)


def _waiting(c: r.CheckIn, ticket: int) -> WaitingWorker:
    return WaitingWorker(
        checkin_id=c.id,
        worker=c.worker,
        worker_masked=c.worker_masked,
        ticket_no=ticket,
        trades=c.trades,
        min_day_wage=c.min_day_wage,
        available_from=c.available_from,
        available_until=c.available_until,
        checked_in_at=c.at,
    )


@pytest.mark.parametrize("headcount", [1, 3, 5])
def test_never_more_accepted_than_headcount(headcount: int) -> None:
    state, events = run(*(check_in(i) for i in range(10)), job(1, headcount=headcount))
    accepted = 0
    for n in range(20):
        offers = list(state.offers.values())
        if not offers:
            break
        o = offers[0]
        accepted += len(of(step(state, answer(o.offer_id, o.checkin_id, "accept", 100 + n)).facts, r.OfferAccepted))
    assert accepted == headcount
