"""Placement steps (services/market/decide.py ``_placement_step``, ``_correct_step``, ``_report_unpaid``, ``_no_show``):
the employer records arrival, completion and the wage paid in that order; the worker confirms the wage received;
each once; strangers are refused; the clock rules of services/market/placement_life.py come out as ``CommandRefused``
with the rule; corrections and wage disputes are new facts. The job: 09:00-17:00, the clock starts at 08:00."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.market import records as r
from services.market.state import MarketState
from tests.unit.market_fixtures import T0, answer, check_in, head, job, of, run, step


def _placed() -> tuple[MarketState, str]:
    state, events = run(check_in(1), job(1))
    offer = of(events, r.OfferMade)[0]
    decision = step(state, answer(offer.offer_id, "c1", "accept", 1))
    return decision.state, of(decision.facts, r.PlacementStarted)[0].placement_id


def _step(
    n: str,
    placement_id: str,
    what: str,
    *,
    employer: str = "",
    checkin: str = "",
    at: datetime = T0,
    with_arrival: bool = False,
) -> r.RecordPlacementStep:
    return r.RecordPlacementStep(
        **head(n, at),  # type: ignore[arg-type]
        placement_id=placement_id,
        step=what,  # type: ignore[arg-type]
        employer_id=employer,
        checkin_id=checkin,
        with_arrival=with_arrival,
    )


def _correct(n: str, placement_id: str, what: str, *, at: datetime, **who: str) -> r.CorrectPlacementStep:
    return r.CorrectPlacementStep(**head(n, at), placement_id=placement_id, step=what, **who)  # type: ignore[arg-type]


def _hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


def _refused(decision: object) -> str:
    (fact,) = of(decision.facts, r.CommandRefused)  # type: ignore[attr-defined]
    return str(fact.rule)


def test_employer_steps_in_order_and_the_worker_confirms_the_wage() -> None:
    state, placement_id = _placed()
    early = step(state, _step("s0", placement_id, "wage_paid", employer="e1"))
    assert of(early.facts, r.CommandRefused)[0].rule == "wage_before_completion"
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


def test_arrival_earlier_than_an_hour_before_the_start_is_refused() -> None:
    state, placement_id = _placed()
    early = step(state, _step("e0", placement_id, "arrived", employer="e1", at=T0 - timedelta(minutes=1)))
    # the market's clock is already 08:00 (the acceptance): a command stamped earlier is judged at 08:00
    assert of(early.facts, r.PlacementStepRecorded)[0].step == "arrived"


def test_the_clock_rules_come_out_as_refusals() -> None:
    state, placement_id = _placed()
    assert _refused(step(state, _step("n1", placement_id, "completed", employer="e1"))) == "completion_before_arrival"
    both = step(state, _step("n2", placement_id, "completed", employer="e1", with_arrival=True))
    assert _refused(both) == "completion_before_start"
    assert _refused(step(state, _step("n3", placement_id, "wage_received", checkin="c1"))) == "wage_before_completion"
    no_show = r.MarkNoShow(**head("n4"), placement_id=placement_id, employer_id="e1")  # type: ignore[arg-type]
    assert _refused(step(state, no_show)) == "no_show_before_start"
    unpaid = r.ReportWageUnpaid(**head("n5", _hours(8.5)), placement_id=placement_id, checkin_id="c1")  # type: ignore[arg-type]
    assert _refused(step(state, unpaid)) == "unpaid_before_end"


def test_arrived_and_completed_at_once_after_the_start_records_both() -> None:
    state, placement_id = _placed()
    decision = step(state, _step("b1", placement_id, "completed", employer="e1", at=_hours(1), with_arrival=True))
    facts = of(decision.facts, r.PlacementStepRecorded)
    assert [(f.step, f.steps, f.version) for f in facts] == [
        ("arrived", ("arrived",), 1),
        ("completed", ("arrived", "completed"), 2),
    ]


def test_no_show_after_the_start_but_never_after_arrival() -> None:
    state, placement_id = _placed()
    arrived = step(state, _step("a1", placement_id, "arrived", employer="e1"))
    late = r.MarkNoShow(**head("a2", _hours(2)), placement_id=placement_id, employer_id="e1")  # type: ignore[arg-type]
    assert _refused(step(arrived.state, late)) == "no_show_after_arrival"
    state, placement_id = _placed()
    absent = step(state, late)
    assert of(absent.facts, r.PlacementCancelled)[0].reason == "no_show"


def test_a_correction_is_a_new_fact_by_the_recording_party_within_the_window() -> None:
    state, placement_id = _placed()
    d = step(state, _step("c1", placement_id, "arrived", employer="e1"))
    d = step(d.state, _step("c2", placement_id, "completed", employer="e1", at=_hours(0.25)))
    assert _refused(step(d.state, _correct("c3", placement_id, "arrived", at=_hours(0.3), employer_id="e1"))) == (
        "correction_dependent_step"
    )
    assert _refused(step(d.state, _correct("c4", placement_id, "completed", at=_hours(0.3), checkin_id="c1"))) == (
        "placement_unknown"
    )
    d = step(d.state, _correct("c6", placement_id, "completed", at=_hours(0.5), employer_id="e1"))
    (fact,) = of(d.facts, r.PlacementStepCorrected)
    assert (fact.step, fact.steps, fact.version, fact.completed_at) == ("completed", ("arrived",), 3, None)
    d = step(d.state, _step("c7", placement_id, "completed", employer="e1", at=_hours(0.6)))
    assert of(d.facts, r.PlacementStepRecorded)[0].version == 4
    late = _correct("c8", placement_id, "completed", at=_hours(0.6 + 0.51), employer_id="e1")
    assert _refused(step(d.state, late)) == "correction_window_passed"


def test_not_paid_opens_one_dispute_after_the_end_and_not_after_the_wage_was_received() -> None:
    state, placement_id = _placed()
    unpaid = r.ReportWageUnpaid(**head("u1", _hours(9)), placement_id=placement_id, checkin_id="c1")  # type: ignore[arg-type]
    d = step(state, unpaid)
    (dispute,) = of(d.facts, r.WageDisputeOpened)
    assert (dispute.employer_name, dispute.day_wage, dispute.worker_masked) == ("凉都建筑", 200, "5202**********0001")
    twice = r.ReportWageUnpaid(**head("u2", _hours(9)), placement_id=placement_id, checkin_id="c1")  # type: ignore[arg-type]
    assert step(d.state, twice).facts == []
    d = step(d.state, _step("u3", placement_id, "wage_received", checkin="c1", at=_hours(9.1)))
    after = r.ReportWageUnpaid(**head("u4", _hours(9.2)), placement_id=placement_id, checkin_id="c1")  # type: ignore[arg-type]
    assert _refused(step(d.state, after)) == "unpaid_after_received"
    d = step(d.state, _correct("u5", placement_id, "wage_received", at=_hours(9.2), checkin_id="c1"))
    reopened = step(d.state, r.ReportWageUnpaid(**head("u6", _hours(9.3)), placement_id=placement_id, checkin_id="c1"))  # type: ignore[arg-type]
    assert of(reopened.facts, r.WageDisputeOpened)
