"""Offers that end: a worker who lets two offers expire is paused until "我还在等工作" (services/market/decide.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.market import records as r
from services.market.allocation import choose_offers
from services.market.decide import MarketRules
from services.market.eligibility import REASONS, why_not
from services.market.state import MarketState, decode_state, encode_state
from services.policy import AllocationPolicy
from services.records import derived_id
from tests.unit.market_fixtures import FCFS, T0, answer, check_in, head, job, of, run, step


def _tick(n: int | str, minutes: int) -> r.Tick:
    return r.Tick(**head(f"t{n}", T0 + timedelta(minutes=minutes)))  # type: ignore[arg-type]


def _confirm(n: int | str, checkin_id: str, at: datetime = T0) -> r.ConfirmWaiting:
    return r.ConfirmWaiting(**head(f"cw{n}", at), checkin_id=checkin_id)  # type: ignore[arg-type]


def _two_missed() -> tuple[MarketState, list[r.MarketEvent]]:
    """c1 lets the offers of j1 (expires 08:10) and j2 (offered 08:10, expires 08:20) expire; then c2 checks in
    and is offered j1."""
    return run(
        check_in(1),
        job(1),
        job(2, at=T0 + timedelta(minutes=1)),
        _tick(1, 10),
        _tick(2, 20),
        check_in(2, at=T0 + timedelta(minutes=20)),
    )


def test_the_offer_carries_its_deadline() -> None:
    _, events = run(check_in(1), job(1))
    (offer,) = of(events, r.OfferMade)
    assert offer.expires_at == T0 + timedelta(minutes=10)


def test_one_expired_offer_leaves_the_worker_in_the_queue() -> None:
    state, events = run(check_in(1), job(1), _tick(1, 10))
    (expired,) = of(events, r.OfferExpired)
    assert (expired.paused, expired.missed) == (False, 1)
    assert state.workers["c1"].status == "waiting"


def test_the_second_expired_offer_pauses_the_worker() -> None:
    state, events = _two_missed()
    expired = of(events, r.OfferExpired)
    assert [(e.checkin_id, e.paused, e.missed) for e in expired] == [("c1", False, 1), ("c1", True, 2)]
    assert state.workers["c1"].status == "paused"
    # the open places went to c2, who came later: c1 is not eligible while paused
    assert [(o.checkin_id, o.request_id) for o in of(events, r.OfferMade)][-1] == ("c2", "j1")


def test_a_paused_worker_gets_no_offer_and_why_not_says_paused() -> None:
    state, _ = _two_missed()
    decision = step(state, job(3, at=T0 + timedelta(minutes=21)))
    assert not of(decision.facts, r.OfferMade)  # c2 holds j1's offer, c1 is paused
    paused = decision.state.workers["c1"]
    assert why_not(paused, decision.state.requests["j3"]) == "paused"
    assert "我还在等工作" in REASONS["paused"][0]
    assert choose_offers(decision.state, FCFS.policy, T0 + timedelta(minutes=21)) == []


def test_passing_over_a_paused_worker_of_a_better_tier_is_no_tier_violation() -> None:
    state, _ = run(
        check_in(1, groups=("veteran",)),
        job(1),
        job(2, at=T0 + timedelta(minutes=1)),
        _tick(1, 10),
        _tick(2, 20),
        check_in(2, at=T0 + timedelta(minutes=20)),
    )
    decline = answer(derived_id("offer", "j1", "c2"), "c2", "decline", 1, T0 + timedelta(minutes=22))
    decision = step(state, decline)
    workers = decision.state.workers
    assert workers["c1"].tier < workers["c2"].tier  # a veteran, paused
    offers = of(decision.facts, r.OfferMade)
    assert [(o.checkin_id, o.request_id) for o in offers] == [("c2", "j2")]
    assert not offers[0].reordered
    assert why_not(workers["c1"], decision.state.requests["j2"]) == "paused"  # the first rule that fails


def test_confirming_lifts_the_pause_and_the_worker_is_offered_again() -> None:
    state, _ = _two_missed()
    decision = step(state, job(3, at=T0 + timedelta(minutes=21)))
    decision = step(decision.state, _confirm(1, "c1", T0 + timedelta(minutes=22)))
    assert [type(f) for f in decision.facts] == [r.WorkerResumed, r.OfferMade]
    assert decision.facts[0].checkin_id == "c1"  # type: ignore[union-attr]
    assert decision.facts[1].request_id == "j3"  # type: ignore[union-attr]
    assert decision.state.workers["c1"].missed == 0


def test_confirming_twice_or_while_not_paused_changes_nothing() -> None:
    state, _ = _two_missed()
    first = step(state, _confirm(1, "c1"))
    assert of(first.facts, r.WorkerResumed)
    again = step(first.state, _confirm(1, "c1"))  # the same command: deduplicated
    assert again.facts == []
    other = step(again.state, _confirm(2, "c1"))  # a second confirmation: already waiting
    assert other.facts == []
    assert step(other.state, _confirm(3, "c2")).facts == []  # holds an offer: unchanged
    assert other.state.workers["c2"].status == "offered"


def test_confirming_for_an_unknown_or_departed_check_in_is_refused() -> None:
    state, events = run(check_in(1), r.CheckOut(**head("o1"), checkin_id="c1"), _confirm(1, "c1"))  # type: ignore[arg-type]
    assert of(events, r.CommandRefused)[-1].rule == "not_checked_in"
    assert of(step(state, _confirm(2, "nobody")).facts, r.CommandRefused)[0].rule == "not_checked_in"


def test_a_decline_is_not_an_expiry() -> None:
    state, events = run(
        check_in(1),
        job(1),
        answer(derived_id("offer", "j1", "c1"), "c1", "decline", 1),
        job(2, at=T0 + timedelta(minutes=1)),
        answer(derived_id("offer", "j2", "c1"), "c1", "decline", 2, at=T0 + timedelta(minutes=1)),
        job(3, at=T0 + timedelta(minutes=2)),
        _tick(1, 12),
    )
    assert len(of(events, r.OfferDeclined)) == 2
    (expired,) = of(events, r.OfferExpired)
    assert (expired.missed, expired.paused) == (1, False)
    assert state.workers["c1"].status == "waiting"


def test_a_pause_survives_the_stored_state_and_ends_with_the_day() -> None:
    state, _ = _two_missed()
    restored = decode_state(encode_state(state))
    assert restored.workers["c1"].status == "paused"
    assert restored.workers["c1"].missed == 2
    decision = step(restored, _tick("midnight", 16 * 60 + 1))
    assert [f.checkin_id for f in of(decision.facts, r.WorkerLeft)] == ["c1", "c2"]


def test_pausing_can_be_switched_off() -> None:
    never = MarketRules(
        offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="fcfs"), missed_before_pause=0
    )
    state, events = run(
        check_in(1), job(1), job(2, at=T0 + timedelta(minutes=1)), _tick(1, 10), _tick(2, 20), rules=never
    )
    assert not any(e.paused for e in of(events, r.OfferExpired))
    assert state.workers["c1"].status == "waiting"
