"""The market's single-writer decisions, first come first served (services/market.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services import records as r
from services.market import MarketRules, decide, decode_state, encode_state, new_state, open_slots

T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 in Liupanshui
RULES = MarketRules(offer_ttl=timedelta(minutes=10))


def check_in(
    n: int,
    *,
    trades: tuple[str, ...] = ("mason",),
    wage: int = 150,
    at: datetime = T0,
    worker: str | None = None,
) -> r.CheckIn:
    return r.CheckIn(
        id=f"c{n}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        worker=worker or f"w_{n}",
        worker_masked="5202**********0001",
        kiosk_id="k1",
        trades=trades,
        min_day_wage=wage,
        available_from=7 * 60,
        available_until=18 * 60,
    )


def job(
    n: int,
    *,
    trade: str = "mason",
    headcount: int = 1,
    wage: int = 200,
    start: int = 9 * 60,
    hours: int = 8,
    at: datetime = T0,
) -> r.PostJobRequest:
    return r.PostJobRequest(
        id=f"j{n}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        employer_id="e1",
        employer_name="凉都建筑",
        trade=trade,
        headcount=headcount,
        day_wage=wage,
        start=start,
        hours=hours,
        place="钟山区",
    )


def answer(offer_id: str, checkin_id: str, what: str, n: int, at: datetime = T0) -> r.AnswerOffer:
    return r.AnswerOffer(
        id=f"a{n}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        offer_id=offer_id,
        checkin_id=checkin_id,
        answer=what,
    )  # type: ignore[arg-type]


def run(*commands: r.MarketCommand) -> tuple[object, list[r.MarketEvent]]:
    state = new_state("zs-market", "zhongshan")
    out: list[r.MarketEvent] = []
    for c in commands:
        state, events = decide(state, c, RULES)
        out.extend(events)
    return state, out


def of(events: list[r.MarketEvent], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def test_first_come_first_served_offer() -> None:
    _, events = run(check_in(1), check_in(2), job(1))
    (offer,) = of(events, r.OfferMade)
    assert offer.checkin_id == "c1" and offer.rule == "fcfs" and offer.rank == 1
    assert [q.ticket_no for q in of(events, r.WorkerQueued)] == [1, 2]


def test_ineligible_workers_are_skipped_with_reason_order_kept() -> None:
    _, events = run(check_in(1, trades=("cleaner",)), check_in(2, wage=300), check_in(3), job(1, wage=250))
    (offer,) = of(events, r.OfferMade)
    assert offer.checkin_id == "c3"


def test_hours_must_fit_the_workers_day() -> None:
    _, events = run(check_in(1), job(1, start=12 * 60, hours=8))
    assert of(events, r.OfferMade) == []


def test_decline_offers_the_next_in_line_and_not_again_to_the_same_worker() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    first = of(events, r.OfferMade)[0]
    state, events = decide(state, answer(first.offer_id, "c1", "decline", 1), RULES)
    assert [type(e) for e in events] == [r.OfferDeclined, r.OfferMade]
    assert of(events, r.OfferMade)[0].checkin_id == "c2"


def test_accept_places_and_fills_within_headcount() -> None:
    state, events = run(check_in(1), check_in(2), check_in(3), job(1, headcount=2))
    offers = of(events, r.OfferMade)
    assert [o.checkin_id for o in offers] == ["c1", "c2"]
    for n, o in enumerate(offers):
        state, events = decide(state, answer(o.offer_id, o.checkin_id, "accept", n), RULES)
    assert len(of(events, r.JobRequestFilled)) == 1
    request = state.requests["j1"]
    assert len(request.accepted) == 2 and open_slots(state, request) == 0


def test_placement_id_is_derived_from_the_offer() -> None:
    state, events = run(check_in(1), job(1))
    offer = of(events, r.OfferMade)[0]
    _, events = decide(state, answer(offer.offer_id, "c1", "accept", 1), RULES)
    (placement,) = of(events, r.PlacementStarted)
    assert placement.placement_id == r.derived_id("placement", offer.offer_id)


def test_a_worker_holds_one_offer_and_no_more_after_placement() -> None:
    state, events = run(check_in(1), job(1), job(2))
    assert len(of(events, r.OfferMade)) == 1
    offer = of(events, r.OfferMade)[0]
    _, events = decide(state, answer(offer.offer_id, "c1", "accept", 1), RULES)
    assert of(events, r.OfferMade) == []


def test_same_command_twice_has_no_effect() -> None:
    state, _ = run(check_in(1), job(1))
    before = encode_state(state)
    state, again = decide(state, job(1), RULES)
    assert again == [] and encode_state(state) == before


def test_replay_from_the_same_state_gives_identical_events() -> None:
    state, _ = run(check_in(1))
    stored = encode_state(state)
    _, a = decide(decode_state(stored), job(1), RULES)
    _, b = decide(decode_state(stored), job(1), RULES)
    assert a == b and [e.id for e in a] == [e.id for e in b]


def test_second_check_in_of_the_same_worker_is_refused() -> None:
    _, events = run(check_in(1, worker="w_x"), check_in(2, worker="w_x"))
    (refused,) = of(events, r.CommandRefused)
    assert refused.rule == "already_checked_in" and refused.subject_id == "c2"


def test_answer_to_unknown_offer_is_refused() -> None:
    _, events = run(check_in(1), answer("nope", "c1", "accept", 1))
    assert of(events, r.CommandRefused)[0].rule == "offer_not_open"


def test_expired_offer_moves_to_the_next_worker() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    late = T0 + timedelta(minutes=11)
    _, events = decide(state, check_in(3, at=late), RULES)
    assert of(events, r.OfferExpired)[0].checkin_id == "c1"
    assert of(events, r.OfferMade)[0].checkin_id == "c2"


@pytest.mark.parametrize("headcount", [1, 3, 5])
def test_never_more_accepted_than_headcount(headcount: int) -> None:
    state, events = run(*(check_in(i) for i in range(10)), job(1, headcount=headcount))
    accepted = 0
    for n in range(20):
        offers = [o for o in state.offers.values()]
        if not offers:
            break
        o = offers[0]
        state, events = decide(state, answer(o.offer_id, o.checkin_id, "accept", 100 + n), RULES)
        accepted += len(of(events, r.OfferAccepted))
    assert accepted == headcount
