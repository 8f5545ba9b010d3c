"""services/market/decide.py, ``ChangeHeadcount`` (issue 24): the employer changes how many workers a request needs,
and never more workers are accepted than the headcount."""

from __future__ import annotations

from datetime import timedelta

from services.market import records as r
from tests.unit.market_fixtures import T0, answer, check_in, head, job, of, run, step


def change(n: int, headcount: int, request_id: str = "j1", employer_id: str = "e1") -> r.ChangeHeadcount:
    return r.ChangeHeadcount(
        **head(f"hc{n}", T0 + timedelta(minutes=1)),  # type: ignore[arg-type]
        request_id=request_id,
        employer_id=employer_id,
        headcount=headcount,
    )


def accepted_twice() -> tuple[object, list[r.MarketEvent]]:
    """Three places, three workers: two accept, the third offer awaits an answer."""
    state, events = run(job(1, headcount=3), check_in(1), check_in(2), check_in(3))
    offers = of(events, r.OfferMade)
    assert len(offers) == 3
    for n, offer in enumerate(offers[:2]):
        events += step(state, answer(offer.offer_id, offer.checkin_id, "accept", n)).facts
    return state, events


def test_raising_the_headcount_offers_the_new_places() -> None:
    state, events = run(job(1, headcount=1), check_in(1), check_in(2))
    assert len(of(events, r.OfferMade)) == 1
    facts = step(state, change(1, 2)).facts
    (changed,) = of(facts, r.HeadcountChanged)
    assert (changed.headcount, changed.previous, changed.accepted, changed.status) == (2, 1, 0, "open")
    assert [o.checkin_id for o in of(facts, r.OfferMade)] == ["c2"]
    assert state.requests["j1"].headcount == 2


def test_lowering_below_the_accepted_is_refused_by_the_rule() -> None:
    state, _ = accepted_twice()
    facts = step(state, change(1, 1)).facts  # type: ignore[arg-type]
    (refused,) = of(facts, r.CommandRefused)
    assert (refused.command_type, refused.rule, refused.subject_id) == (
        "change_headcount",
        "headcount_below_accepted",
        "j1",
    )
    assert "2 人" in refused.message_zh and "2 workers" in refused.message_en
    assert state.requests["j1"].headcount == 3  # type: ignore[attr-defined]
    assert not of(facts, r.HeadcountChanged)


def test_lowering_to_the_accepted_withdraws_the_offer_awaiting_and_fills() -> None:
    state, events = accepted_twice()
    waiting = of(events, r.OfferMade)[2]
    facts = step(state, change(1, 2)).facts  # type: ignore[arg-type]
    (withdrawn,) = of(facts, r.OfferWithdrawn)
    assert (withdrawn.offer_id, withdrawn.reason) == (waiting.offer_id, "headcount_lowered")
    (changed,) = of(facts, r.HeadcountChanged)
    assert (changed.headcount, changed.status) == (2, "filled")
    # the withdrawn worker's late "accept" finds no offer: never more accepted than the headcount
    late = step(state, answer(waiting.offer_id, waiting.checkin_id, "accept", 9)).facts  # type: ignore[arg-type]
    assert not of(late, r.PlacementStarted)
    assert of(late, r.CommandRefused)[0].rule == "offer_not_open"
    assert len(state.requests["j1"].placements) == 2  # type: ignore[attr-defined]


def test_raising_a_filled_request_opens_it_again() -> None:
    state, events = run(job(1, headcount=1), check_in(1))
    offer = of(events, r.OfferMade)[0]
    step(state, answer(offer.offer_id, offer.checkin_id, "accept", 1))
    assert state.requests["j1"].status == "filled"
    facts = step(state, change(1, 2)).facts
    assert of(facts, r.HeadcountChanged)[0].status == "open"
    assert state.requests["j1"].status == "open"


def test_only_the_employer_of_an_open_request_changes_it() -> None:
    state, _ = run(job(1, headcount=2))
    facts = step(state, change(1, 3, employer_id="e2")).facts
    assert of(facts, r.CommandRefused)[0].rule == "request_not_open"
    cancel = r.CancelJobRequest(**head("x", T0), request_id="j1", employer_id="e1")  # type: ignore[arg-type]
    step(state, cancel)
    facts = step(state, change(2, 3)).facts
    assert of(facts, r.CommandRefused)[0].rule == "request_not_open"
    assert state.requests["j1"].headcount == 2


def test_a_headcount_out_of_range_is_refused_and_the_same_is_no_fact() -> None:
    state, _ = run(job(1, headcount=2))
    assert of(step(state, change(1, 0)).facts, r.CommandRefused)[0].rule == "headcount_range"
    assert of(step(state, change(2, 201)).facts, r.CommandRefused)[0].rule == "headcount_range"
    assert step(state, change(3, 2)).facts == []


def test_the_same_command_twice_is_applied_once() -> None:
    state, _ = run(job(1, headcount=1))
    assert of(step(state, change(1, 3)).facts, r.HeadcountChanged)
    assert step(state, change(1, 3)).facts == []


def test_raising_a_filled_request_past_its_start_plus_the_grace_closes_it_instead_of_opening_it() -> None:
    """Found by the request-life state machine: a filled request is not closed by the clock, so a raised headcount
    after its start plus the grace must close it (start_passed) rather than open it to offers it may not make."""
    state, events = run(job(1, headcount=1, start=8 * 60 + 10), check_in(1), check_in(2))  # 08:10, grace to 08:40
    (offer,) = of(events, r.OfferMade)
    step(state, answer(offer.offer_id, offer.checkin_id, "accept", 1))
    assert state.requests["j1"].status == "filled"
    late = r.ChangeHeadcount(
        **head("hc-late", T0 + timedelta(minutes=45)),  # type: ignore[arg-type]  # 08:45, past 08:40
        request_id="j1",
        employer_id="e1",
        headcount=2,
    )
    facts = step(state, late).facts
    assert [type(f).__name__ for f in facts if isinstance(f, r.HeadcountChanged | r.JobRequestClosed)] == [
        "HeadcountChanged",
        "JobRequestClosed",
    ]
    (closed,) = of(facts, r.JobRequestClosed)
    assert closed.reason == "start_passed"
    assert state.requests["j1"].status == "closed" and not of(facts, r.OfferMade)
