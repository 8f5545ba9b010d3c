"""The market views: facts from the real decision function in, the ticket, offer and request views out."""

from __future__ import annotations

from services.market import records as r
from services.readmodels import keys
from services.readmodels.market_views import MarketViews
from services.readmodels.views import View
from tests.unit.market_fixtures import T0, check_in, head, job, of, run, step

P = "t."


def project(events: list[r.MarketEvent], store: dict[str, View | None] | None = None) -> dict[str, View | None]:
    views = MarketViews(P)
    store = {} if store is None else store
    for event in events:
        store.update(views.apply(event, {k: store.get(k) for k in views.keys_for(event)}))
    return store


def test_check_out_withdraws_the_offer_in_the_ticket_offer_and_request_views() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    offer = of(events, r.OfferMade)[0]
    facts = step(state, r.CheckOut(**head("out"), checkin_id="c1")).facts  # type: ignore[arg-type]
    assert [type(e) for e in facts] == [r.OfferWithdrawn, r.WorkerLeft, r.OfferMade]
    store = project([*events, *facts])
    ticket = store[keys.ticket(P, "c1")]
    assert ticket is not None
    assert (ticket["status"], ticket["offer"], ticket["left_reason"]) == ("left", None, "checked_out")
    assert ticket["past_offers"] == [
        {"offer_id": offer.offer_id, "request_id": "j1", "outcome": "withdrawn", "at": T0.isoformat()}
    ]
    withdrawn = store[keys.offer(P, offer.offer_id)]
    assert withdrawn is not None and withdrawn["status"] == "withdrawn"
    request = store[keys.job_request(P, "j1")]
    assert request is not None
    assert offer.offer_id not in request["offers_out"] and "c1" not in request["offered_to"]
    assert request["offered_to"] == ["c2"]


def test_a_cancelled_request_is_closed_in_its_view() -> None:
    state, events = run(check_in(1), job(1))
    cancel = r.CancelJobRequest(**head("cancel"), request_id="j1", employer_id="e1")  # type: ignore[arg-type]
    facts = step(state, cancel).facts
    store = project([*events, *facts])
    request = store[keys.job_request(P, "j1")]
    assert request is not None
    assert (request["status"], request["offers_out"]) == ("cancelled", [])
    ticket = store[keys.ticket(P, "c1")]
    assert ticket is not None and (ticket["status"], ticket["offer"]) == ("queued", None)


def test_every_updater_is_routed_by_keys_for() -> None:
    """Each (view kind, fact type) with an updater is among the keys ``keys_for`` names for that fact."""
    from services.readmodels.market_views import _UPDATERS

    state, events = run(check_in(1), check_in(2), job(1))
    facts = [*events, *step(state, r.CheckOut(**head("out"), checkin_id="c1")).facts]  # type: ignore[arg-type]
    cancel = r.CancelJobRequest(**head("cancel"), request_id="j1", employer_id="e1")  # type: ignore[arg-type]
    facts += step(state, cancel).facts
    views = MarketViews(P)
    routed = {(k[len(P) :].split(":", 1)[0], type(e)) for e in facts for k in views.keys_for(e)}
    seen_types = {type(e) for e in facts}
    wanted = {pair for pair in _UPDATERS if pair[1] in seen_types}
    assert wanted <= routed, wanted - routed


def test_a_placement_commands_refusal_correction_and_dispute_reach_the_ticket_and_the_request() -> None:
    """Issue 23: a step the market refuses shows on the ticket's job and the request with its command id (the
    ticket keeps its status); a correction withdraws the step and its time; a dispute marks the job."""
    from datetime import timedelta

    from tests.unit.market_fixtures import T0, answer

    state, events = run(check_in(1), job(1))
    offer = of(events, r.OfferMade)[0]
    accepted = step(state, answer(offer.offer_id, "c1", "accept", 1))
    placement_id = of(accepted.facts, r.PlacementStarted)[0].placement_id
    facts = [*events, *accepted.facts]
    early = r.RecordPlacementStep(**head("s1"), placement_id=placement_id, step="completed", employer_id="e1")  # type: ignore[arg-type]
    facts += step(state, early).facts
    store = project(facts)
    ticket = store[keys.ticket(P, "c1")]
    assert ticket is not None and ticket["status"] == "placed"
    (job_view,) = ticket["jobs"]
    assert job_view["refusal"]["rule"] == "completion_before_arrival" and job_view["refusal"]["command_id"] == "xs1"
    assert job_view["end_at"] == "2026-11-26T09:00:00+00:00"  # 09:00-17:00 local
    request = store[keys.job_request(P, "j1")]
    assert request is not None and request["last_refusal"]["command_id"] == "xs1"
    arrived = r.RecordPlacementStep(**head("s2"), placement_id=placement_id, step="arrived", employer_id="e1")  # type: ignore[arg-type]
    withdraw = r.CorrectPlacementStep(**head("s3"), placement_id=placement_id, step="arrived", employer_id="e1")  # type: ignore[arg-type]
    unpaid = r.ReportWageUnpaid(**head("s4", T0 + timedelta(hours=9)), placement_id=placement_id, checkin_id="c1")  # type: ignore[arg-type]
    for command in (arrived, withdraw, unpaid):
        facts += step(state, command).facts
    store = project(facts)
    ticket = store[keys.ticket(P, "c1")]
    assert ticket is not None
    (job_view,) = ticket["jobs"]
    assert (job_view["steps"], job_view["step_times"], job_view["disputed"]) == ([], {}, True)
    placement = store[keys.placement(P, placement_id)]
    assert placement is not None and placement["disputed"] and placement["day"] == "2026-11-26"


# ---------------------------------------------------------------- issue 24: headcount and the employer's list


def test_a_headcount_change_and_its_refusal_reach_the_request_view() -> None:
    from datetime import timedelta

    state, events = run(check_in(1), check_in(2), job(1, headcount=1))
    offer = of(events, r.OfferMade)[0]
    accepted = step(state, r.AnswerOffer(**head("a"), offer_id=offer.offer_id, checkin_id="c1", answer="accept"))  # type: ignore[arg-type]
    raised = step(state, r.ChangeHeadcount(**head("h1"), request_id="j1", employer_id="e1", headcount=2))  # type: ignore[arg-type]
    store = project([*events, *accepted.facts, *raised.facts])
    request = store[keys.job_request(P, "j1")]
    assert request is not None
    assert (request["headcount"], request["previous_headcount"], request["status"]) == (2, 1, "open")
    at = T0 + timedelta(minutes=1)
    lowered = step(state, r.ChangeHeadcount(**head("h2", at), request_id="j1", employer_id="e1", headcount=0))  # type: ignore[arg-type]
    store = project(lowered.facts, store)
    request = store[keys.job_request(P, "j1")]
    assert request is not None and request["last_refusal"]["rule"] == "headcount_range"
    assert request["last_refusal"]["command_id"] == "xh2" and "refusal" not in request


def test_the_employer_list_keeps_today_and_the_seven_days_before_newest_first() -> None:
    from datetime import timedelta

    store: dict[str, View | None] = {}
    for n, days in enumerate((9, 7, 0), start=1):
        _, events = run(job(n, at=T0 - timedelta(days=days)))
        project(events, store)
    listing = store[keys.employer_requests(P, "e1")]
    assert listing is not None
    assert [x["request_id"] for x in listing["requests"]] == ["j3", "j2"]  # j1 (nine days ago) fell off
    assert [x["date"] for x in listing["requests"]] == ["2026-11-26", "2026-11-19"]


def test_a_tentative_offer_shows_on_the_ticket_and_as_planned_on_the_request_until_it_turns_firm() -> None:
    from datetime import timedelta

    from services.market.decide import MarketRules, decide
    from services.policy import AllocationPolicy

    rolling = MarketRules(
        offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="rolling", lead_minutes=30)
    )
    state, events = run(job(1, start=10 * 60, hours=4), check_in(1), check_in(2), rules=rolling)
    store = project(events)
    ticket = store[keys.ticket(P, "c1")]
    assert ticket is not None and ticket["status"] == "queued"
    assert ticket["tentative"] == {
        "request_id": "j1",
        "employer_name": "凉都建筑",
        "trade": "mason",
        "day_wage": 200,
        "start": "10:00",
        "hours": 4,
        "place": "钟山区",
        "firm_at": (T0 + timedelta(minutes=90)).isoformat(),
        "since": T0.isoformat(),
    }
    request = store[keys.job_request(P, "j1")]
    assert request is not None and (request["planned"], request["held_for"]) == (1, ["c1"])
    # a veteran arrives: the place is theirs; c1's ticket says why theirs went
    veteran = decide(state, check_in(3, groups=("veteran",), at=T0 + timedelta(minutes=5)), rolling)
    store = project(veteran.facts, store)
    ticket = store[keys.ticket(P, "c1")]
    assert ticket is not None and ticket["tentative"] is None
    assert ticket["tentative_released"]["reason"] == "better_tier"
    request = store[keys.job_request(P, "j1")]
    assert request is not None and (request["planned"], request["held_for"]) == (1, ["c3"])
    # at 09:30 the held place turns firm: an offer on the ticket, nothing planned any more
    tick = decide(veteran.state, r.Tick(**head("t", T0 + timedelta(minutes=90))), rolling)  # type: ignore[arg-type]
    store = project(tick.facts, store)
    ticket = store[keys.ticket(P, "c3")]
    assert ticket is not None and ticket["status"] == "offered" and ticket["tentative"] is None
    request = store[keys.job_request(P, "j1")]
    assert request is not None and (request["planned"], request["held_for"]) == (0, [])
