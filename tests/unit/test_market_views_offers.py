"""Offers that end, in the views (services/readmodels/market_views.py): the deadline, the expiry notice and the
pause on the ticket, and the request's log of offers with who was offered next."""

from __future__ import annotations

from datetime import timedelta

from services.market import records as r
from services.readmodels import keys
from services.readmodels.views import View
from services.records import derived_id
from tests.unit.market_fixtures import T0, answer, check_in, head, job, run, step
from tests.unit.test_market_views import P, project


def _tick(n: int, minutes: int) -> r.Tick:
    return r.Tick(**head(f"t{n}", T0 + timedelta(minutes=minutes)))  # type: ignore[arg-type]


def _view(store: dict[str, View | None], key: str) -> View:
    view = store[key]
    assert view is not None
    return view


def test_the_ticket_shows_the_offers_deadline() -> None:
    _, events = run(check_in(1), job(1))
    ticket = _view(project(events), keys.ticket(P, "c1"))
    assert ticket["offer"]["expires_at"] == (T0 + timedelta(minutes=10)).isoformat()
    assert ticket.get("notice") is None


def test_an_expired_offer_leaves_a_notice_and_the_worker_in_the_queue() -> None:
    _, events = run(check_in(1), job(1), _tick(1, 10))
    ticket = _view(project(events), keys.ticket(P, "c1"))
    assert (ticket["status"], ticket["offer"]) == ("queued", None)
    assert ticket["notice"] == {
        "kind": "offer_expired",
        "at": (T0 + timedelta(minutes=10)).isoformat(),
        "paused": False,
        "missed": 1,
    }
    assert ticket["past_offers"][-1]["outcome"] == "expired"


def test_the_second_expiry_pauses_the_ticket_and_confirming_lifts_it() -> None:
    state, events = run(check_in(1), job(1), job(2, at=T0 + timedelta(minutes=1)), _tick(1, 10), _tick(2, 20))
    store = project(events)
    ticket = _view(store, keys.ticket(P, "c1"))
    assert ticket["status"] == "paused"
    assert ticket["notice"]["paused"] is True
    resumed = step(state, r.ConfirmWaiting(**head("cw1", T0 + timedelta(minutes=21)), checkin_id="c1"))  # type: ignore[arg-type]
    store = project(resumed.facts, store)
    ticket = _view(store, keys.ticket(P, "c1"))
    assert (ticket["status"], ticket["notice"]) == ("queued", None)


def test_a_new_offer_or_an_answer_clears_the_notice() -> None:
    state, events = run(check_in(1), job(1), _tick(1, 10))
    facts = step(state, job(2, at=T0 + timedelta(minutes=11))).facts
    store = project([*events, *facts])
    ticket = _view(store, keys.ticket(P, "c1"))
    assert (ticket["status"], ticket["notice"]) == ("offered", None)


def test_the_request_lists_expired_and_declined_offers_and_who_was_offered_next() -> None:
    """j1 (one place): c1 lets it expire, c2 declines it, c3 is offered it."""
    state, events = run(check_in(1), check_in(2), check_in(3), job(1), _tick(1, 10))
    decline = answer(derived_id("offer", "j1", "c2"), "c2", "decline", 1, T0 + timedelta(minutes=12))
    facts = step(state, decline).facts
    request = _view(project([*events, *facts]), keys.job_request(P, "j1"))
    log = request["offer_log"]
    assert [(x["checkin_id"], x["outcome"], x.get("next_checkin_id")) for x in log] == [
        ("c1", "expired", "c2"),
        ("c2", "declined", "c3"),
        ("c3", "open", None),
    ]
    assert log[0]["ended_at"] == (T0 + timedelta(minutes=10)).isoformat()
    assert log[2]["expires_at"] == (T0 + timedelta(minutes=22)).isoformat()


def test_the_offer_log_is_idempotent_under_replay() -> None:
    _, events = run(check_in(1), check_in(2), job(1), _tick(1, 10))
    once = project(events)
    twice = project(events, dict(once))
    assert twice == once


def test_staff_why_not_says_paused() -> None:
    from services.readmodels.why_not import explain

    _, events = run(check_in(1), job(1), job(2, at=T0 + timedelta(minutes=1)), _tick(1, 10), _tick(2, 20))
    store = project(events)
    answer_ = explain(_view(store, keys.ticket(P, "c1")), _view(store, keys.job_request(P, "j2")), [])
    assert (answer_["eligible"], answer_["rule"]) == (False, "paused")
    assert "我还在等工作" in answer_["message_zh"]
