"""Placement steps (services/market.py ``_placement_step``): the employer records arrival, completion and the
wage paid in that order; the worker confirms the wage received; each once; strangers are refused."""

from __future__ import annotations

from services import records as r
from services.market_state import MarketState
from tests.unit.market_fixtures import answer, check_in, head, job, of, run, step


def _placed() -> tuple[MarketState, str]:
    state, events = run(check_in(1), job(1))
    offer = of(events, r.OfferMade)[0]
    decision = step(state, answer(offer.offer_id, "c1", "accept", 1))
    return decision.state, of(decision.facts, r.PlacementStarted)[0].placement_id


def _step(n: str, placement_id: str, what: str, *, employer: str = "", checkin: str = "") -> r.RecordPlacementStep:
    return r.RecordPlacementStep(
        **head(n),  # type: ignore[arg-type]
        placement_id=placement_id,
        step=what,  # type: ignore[arg-type]
        employer_id=employer,
        checkin_id=checkin,
    )


def test_employer_steps_in_order_and_the_worker_confirms_the_wage() -> None:
    state, placement_id = _placed()
    early = step(state, _step("s0", placement_id, "wage_paid", employer="e1"))
    assert of(early.facts, r.CommandRefused)[0].rule == "step_order"
    recorded = []
    decision = early
    for n, (what, who) in enumerate(
        [("arrived", "e"), ("completed", "e"), ("wage_paid", "e"), ("wage_received", "w")], start=1
    ):
        command = _step(f"s{n}", placement_id, what, **({"employer": "e1"} if who == "e" else {"checkin": "c1"}))
        decision = step(decision.state, command)
        (fact,) = of(decision.facts, r.PlacementStepRecorded)
        recorded.append(fact.steps)
    assert recorded[-1] == ("arrived", "completed", "wage_paid", "wage_received")
    again = step(decision.state, _step("s9", placement_id, "arrived", employer="e1"))
    assert again.facts == []


def test_another_employer_or_worker_is_refused() -> None:
    state, placement_id = _placed()
    stranger = step(state, _step("x1", placement_id, "arrived", employer="e2"))
    assert of(stranger.facts, r.CommandRefused)[0].rule == "placement_unknown"
    other = step(stranger.state, _step("x2", placement_id, "wage_received", checkin="c2"))
    assert of(other.facts, r.CommandRefused)[0].rule == "placement_unknown"
