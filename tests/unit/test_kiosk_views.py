"""The kiosk's lookup, queue-place and hall views: facts from the real decision function in, the views out."""

from __future__ import annotations

from datetime import timedelta

from services.market import records as r
from services.readmodels import keys
from services.readmodels.kiosk_views import KioskViews, QueuePlace, hall_board, queue_place
from services.readmodels.views import View, split_key
from tests.unit.market_fixtures import T0, answer, check_in, head, job, of, run, step

P = "t."
DAY = "2026-11-26"


def project(events: list[r.MarketEvent], store: dict[str, View | None] | None = None) -> dict[str, View | None]:
    """Apply ``events`` as the projector does (read the keys, apply, write; ``None`` deletes)."""
    views = KioskViews(P)
    store = {} if store is None else store
    for event in events:
        for key, value in views.apply(event, {k: store.get(k) for k in views.keys_for(event)}).items():
            if value is None:
                store.pop(key, None)
            else:
                store[key] = value
    return store


def fields(store: dict[str, View | None], hash_key: str) -> dict[str, View]:
    """The fields of one hash view, as HGETALL would give them."""
    out: dict[str, View] = {}
    for key, value in store.items():
        name, field = split_key(key)
        if name == hash_key and field is not None and value is not None:
            out[field] = value
    return out


def test_the_lookup_finds_the_check_in_of_the_day_by_pseudonym_and_market() -> None:
    _, events = run(check_in(1, worker="w_a"), check_in(2, worker="w_b"))
    store = project(events)
    assert store[keys.checkin_of(P, "zs-market", "w_a")] == {"checkin_id": "c1", "day": DAY, "ticket_no": 1}
    assert store[keys.checkin_of(P, "zs-market", "w_b")] == {"checkin_id": "c2", "day": DAY, "ticket_no": 2}
    assert keys.checkin_of(P, "lz-market", "w_a") not in store


def test_people_ahead_count_waiting_workers_of_a_shared_trade_in_matcher_order() -> None:
    _, events = run(
        check_in(1),
        check_in(2, trades=("cleaner",)),  # another trade: never ahead of a mason
        check_in(3),
        check_in(4, groups=("veteran",)),  # a better tier (退役军人): ahead, though later
        check_in(5),
    )
    waiting = fields(project(events), keys.waiting(P, "zs-market"))
    assert queue_place("c5", waiting, DAY) == QueuePlace(ahead=3, waiting=5, is_waiting=True)
    assert queue_place("c3", waiting, DAY).ahead == 2
    assert queue_place("c1", waiting, DAY).ahead == 1
    assert queue_place("c2", waiting, DAY).ahead == 0
    assert queue_place("c1", waiting, "2026-11-27") == QueuePlace(ahead=0, waiting=0, is_waiting=False)


def test_an_offer_takes_the_worker_out_of_the_queue_and_onto_the_hall_and_an_expiry_puts_them_back() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    offer = of(events, r.OfferMade)[0]
    store = project(events)
    waiting = fields(store, keys.waiting(P, "zs-market"))
    assert queue_place("c1", waiting, DAY).is_waiting is False
    assert queue_place("c2", waiting, DAY) == QueuePlace(ahead=0, waiting=1, is_waiting=True)
    hall = fields(store, keys.hall(P, "zs-market"))
    assert list(hall) == [offer.offer_id]
    shown = hall[offer.offer_id]
    assert (shown["ticket_no"], shown["trade"], shown["day_wage"], shown["start"]) == (1, "mason", 200, "09:00")
    assert not {"worker", "worker_masked", "employer_name", "checkin_id"} & set(shown)
    assert hall_board(hall, T0 + timedelta(minutes=1)) == [shown]
    assert hall_board(hall, offer.expires_at) == []  # past its deadline, even before the expiry fact

    expired = step(state, r.Tick(**head("tick", T0 + timedelta(minutes=11)))).facts  # type: ignore[arg-type]
    assert of(expired, r.OfferExpired)
    store = project(expired, store)
    assert offer.offer_id not in fields(store, keys.hall(P, "zs-market"))
    assert queue_place("c1", fields(store, keys.waiting(P, "zs-market")), DAY).is_waiting is True


def test_an_accepted_offer_leaves_the_hall_and_a_checked_out_worker_leaves_the_queue() -> None:
    state, events = run(check_in(1), check_in(2), job(1))
    offer = of(events, r.OfferMade)[0]
    accepted = step(state, answer(offer.offer_id, "c1", "accept", 1)).facts
    store = project([*events, *accepted])
    assert fields(store, keys.hall(P, "zs-market")) == {}
    out = step(state, r.CheckOut(**head("out"), checkin_id="c2")).facts  # type: ignore[arg-type]
    store = project(out, store)
    assert set(fields(store, keys.waiting(P, "zs-market"))) == {"c1"}
    assert queue_place("c2", fields(store, keys.waiting(P, "zs-market")), DAY).is_waiting is False


def test_applying_a_fact_twice_changes_nothing() -> None:
    _, events = run(check_in(1), check_in(2), job(1))
    once = project(events)
    twice = project(events, dict(once))
    assert twice == once


def test_hall_board_lists_the_newest_offer_first_and_only_today() -> None:
    entries = {
        "o1": {
            "offer_id": "o1",
            "day": DAY,
            "offered_at": "2026-11-26T00:01:00+00:00",
            "expires_at": "2026-11-26T00:11:00+00:00",
        },
        "o2": {
            "offer_id": "o2",
            "day": DAY,
            "offered_at": "2026-11-26T00:02:00+00:00",
            "expires_at": "2026-11-26T00:12:00+00:00",
        },
        "o0": {
            "offer_id": "o0",
            "day": "2026-11-25",
            "offered_at": "2026-11-25T00:02:00+00:00",
            "expires_at": "2026-11-27T00:12:00+00:00",
        },
    }
    assert [v["offer_id"] for v in hall_board(entries, T0 + timedelta(minutes=5))] == ["o2", "o1"]


def test_a_paused_worker_is_not_counted_as_waiting_until_resumed() -> None:
    ticks = [r.Tick(**head(f"t{m}", T0 + timedelta(minutes=m))) for m in (10, 20)]  # type: ignore[arg-type]
    state, events = run(check_in(1), job(1), job(2, at=T0 + timedelta(minutes=1)), *ticks)
    assert [e.paused for e in of(events, r.OfferExpired)] == [False, True]
    store = project(events)
    assert queue_place("c1", fields(store, keys.waiting(P, "zs-market")), DAY).is_waiting is False
    assert fields(store, keys.hall(P, "zs-market")) == {}  # both offers left the hall when they expired
    confirm = r.ConfirmWaiting(**head("cw1", T0 + timedelta(minutes=21)), checkin_id="c1")  # type: ignore[arg-type]
    resumed = step(state, confirm).facts
    assert of(resumed, r.WorkerResumed)
    store = project(resumed, store)
    assert queue_place("c1", fields(store, keys.waiting(P, "zs-market")), DAY).is_waiting is True
