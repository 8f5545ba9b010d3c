"""Tentative offers (issue 26): the plan's held places told to the worker as ``PlaceHeld``, made firm as an
``OfferMade`` with ``held_since``, or ended by a ``PlaceReleased`` that says why."""

from __future__ import annotations

from datetime import timedelta

from services.market import records as r
from services.market.decide import MarketRules, decide, decode_state, encode_state, new_state
from services.policy import AllocationPolicy
from tests.unit.market_fixtures import FCFS, MAX_FILL, T0, check_in, head, job, of, run

ROLLING = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="rolling", lead_minutes=30))


def test_a_place_not_yet_due_is_held_for_the_worker_with_the_time_it_becomes_firm() -> None:
    # 08:00: a job at 10:00 under rolling:30 becomes due at 09:30
    state, events = run(job(1, start=10 * 60), check_in(1), rules=ROLLING)
    held = of(events, r.PlaceHeld)
    assert [(h.checkin_id, h.request_id) for h in held] == [("c1", "j1")]
    assert held[0].firm_at == T0 + timedelta(minutes=90)
    assert (held[0].trade, held[0].day_wage, held[0].start, held[0].rule) == ("mason", 200, 600, "rolling")
    assert not of(events, r.OfferMade)
    assert state.workers["c1"].status == "waiting"  # a tentative offer keeps the worker free
    assert state.held["c1"].request_id == "j1"


def test_the_held_place_becomes_firm_at_its_time_and_the_offer_says_since_when() -> None:
    state, _ = run(job(1, start=10 * 60), check_in(1), rules=ROLLING)
    quiet = decide(state, r.Tick(**head("t1", T0 + timedelta(minutes=60))), ROLLING)  # type: ignore[arg-type]
    assert not quiet.facts  # the hold stands: nothing to say
    firm = decide(quiet.state, r.Tick(**head("t2", T0 + timedelta(minutes=90))), ROLLING)  # type: ignore[arg-type]
    offers = of(firm.facts, r.OfferMade)
    assert [(o.checkin_id, o.request_id, o.held_since) for o in offers] == [("c1", "j1", T0)]
    assert not of(firm.facts, r.PlaceReleased)
    assert firm.state.held == {}


def test_a_better_tier_arriving_takes_the_held_place_and_the_release_says_so() -> None:
    state, _ = run(job(1, start=10 * 60), check_in(1), rules=ROLLING)
    veteran = check_in(2, groups=("veteran",), at=T0 + timedelta(minutes=5))
    decision = decide(state, veteran, ROLLING)
    released = of(decision.facts, r.PlaceReleased)
    assert [(x.checkin_id, x.request_id, x.reason) for x in released] == [("c1", "j1", "better_tier")]
    assert [(h.checkin_id, h.request_id) for h in of(decision.facts, r.PlaceHeld)] == [("c2", "j1")]
    assert set(decision.state.held) == {"c2"}


def test_a_worker_moved_to_another_place_is_told_both() -> None:
    # c1 fits both jobs and holds j1; c2 arrives fitting only j1: the plan moves c1 to j2
    state, _ = run(job(1, start=10 * 60), check_in(1, trades=("mason", "porter")), rules=ROLLING)
    state = decide(state, job(2, trade="porter", start=11 * 60, hours=4, at=T0 + timedelta(minutes=1)), ROLLING).state
    assert state.held["c1"].request_id == "j1"
    decision = decide(state, check_in(2, at=T0 + timedelta(minutes=2)), ROLLING)
    assert [(x.checkin_id, x.reason) for x in of(decision.facts, r.PlaceReleased)] == [("c1", "moved")]
    assert {(h.checkin_id, h.request_id) for h in of(decision.facts, r.PlaceHeld)} == {("c1", "j2"), ("c2", "j1")}


def test_cancelling_a_request_releases_its_held_places() -> None:
    state, _ = run(job(1, start=10 * 60), check_in(1), rules=ROLLING)
    cancel = r.CancelJobRequest(**head("x", T0 + timedelta(minutes=1)), request_id="j1", employer_id="e1")  # type: ignore[arg-type]
    decision = decide(state, cancel, ROLLING)
    assert [(x.checkin_id, x.reason) for x in of(decision.facts, r.PlaceReleased)] == [("c1", "request_closed")]
    assert decision.state.held == {}


def test_checking_out_releases_the_held_place() -> None:
    state, _ = run(job(1, start=10 * 60), check_in(1), rules=ROLLING)
    decision = decide(state, r.CheckOut(**head("o", T0 + timedelta(minutes=1)), checkin_id="c1"), ROLLING)  # type: ignore[arg-type]
    assert [(x.checkin_id, x.reason) for x in of(decision.facts, r.PlaceReleased)] == [("c1", "worker_unavailable")]


def test_max_fill_with_a_window_holds_the_places_inside_it() -> None:
    rules = MarketRules(
        offer_ttl=timedelta(minutes=10),
        policy=AllocationPolicy(within_tier="max_fill", window_seconds=1200, start_soon_minutes=45),
    )
    _, events = run(job(1, start=12 * 60, hours=4), check_in(1), rules=rules)
    assert [(h.checkin_id, h.firm_at) for h in of(events, r.PlaceHeld)] == [("c1", T0 + timedelta(minutes=20))]


def test_no_tentative_offers_where_every_place_is_offered_at_once() -> None:
    for rules in (FCFS, MAX_FILL):
        state, events = run(job(1, start=10 * 60), check_in(1), check_in(2), rules=rules)
        assert not of(events, r.PlaceHeld) and not of(events, r.PlaceReleased)
        assert state.held == {}
        assert all(o.held_since is None for o in of(events, r.OfferMade))


def test_the_day_end_releases_every_held_place_and_holds_survive_storage() -> None:
    state, _ = run(job(1, start=15 * 60, hours=2), check_in(1), rules=ROLLING)
    state = decode_state(encode_state(state))
    assert state.held["c1"].request_id == "j1"
    midnight = T0 + timedelta(hours=16, minutes=1)  # 00:01 local the next day
    decision = decide(state, r.Tick(**head("t", midnight)), ROLLING)  # type: ignore[arg-type]
    assert [(x.checkin_id, x.reason) for x in of(decision.facts, r.PlaceReleased)] == [("c1", "end_of_day")]
    assert decision.state.held == {}
    assert new_state("zs-market", "zhongshan").held == {}


def test_keep_held_leaves_a_tentative_offer_where_it_is_when_another_place_would_do() -> None:
    # c1 fits both jobs and holds j1; j2 starts earlier and is as hard to fill: the plan would move c1 to it
    def after_j2(rules: MarketRules) -> list[r.MarketEvent]:
        state, _ = run(job(1, start=10 * 60, hours=4), check_in(1, trades=("mason", "porter")), rules=rules)
        j2 = job(2, trade="porter", start=9 * 60 + 45, hours=4, at=T0 + timedelta(minutes=1))
        return decide(state, j2, rules).facts

    moved = after_j2(ROLLING)
    assert [(x.checkin_id, x.reason) for x in of(moved, r.PlaceReleased)] == [("c1", "moved")]
    keep = MarketRules(
        offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="rolling", lead_minutes=30, keep_held=True)
    )
    kept = after_j2(keep)
    assert not of(kept, r.PlaceReleased) and not of(kept, r.PlaceHeld)
