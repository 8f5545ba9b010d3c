"""services/market/request_life.py: a request's clock (close, offer expiry, start now) and the posting's start rule;
and the market's use of it (services/market/decide.py): closed by a fact at start plus the grace, reopened by its
employer, offers clipped, not-yet-started jobs first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.errors import InvalidInput
from services.market import records as r
from services.market import request_life
from services.market.decide import MarketRules
from services.market.job_request import parse_job_request
from services.policy import AllocationPolicy
from tests.unit.market_fixtures import FCFS, MAX_FILL, T0, check_in, head, job, of, run, step

DAY = "2026-11-26"  # T0 is 08:00 of this day in Liupanshui
GRACE = timedelta(minutes=30)
ROLLING = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="rolling"))


def tick(n: int, at: datetime) -> r.Tick:
    return r.Tick(**head(f"t{n}", at))  # type: ignore[arg-type]


def reopen(n: int, at: datetime, request_id: str = "j1", employer_id: str = "e1") -> r.ReopenJobRequest:
    return r.ReopenJobRequest(**head(f"re{n}", at), request_id=request_id, employer_id=employer_id)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the pure clock


def test_a_request_closes_at_its_start_plus_the_grace() -> None:
    assert request_life.start_at(DAY, 9 * 60) == T0 + timedelta(hours=1)
    assert request_life.closes_at(DAY, 9 * 60, GRACE) == T0 + timedelta(minutes=90)
    assert request_life.takes_offers(DAY, 9 * 60, T0 + timedelta(minutes=89, seconds=59), GRACE)
    assert not request_life.takes_offers(DAY, 9 * 60, T0 + timedelta(minutes=90), GRACE)
    assert not request_life.has_started(DAY, 9 * 60, T0 + timedelta(minutes=59))
    assert request_life.has_started(DAY, 9 * 60, T0 + timedelta(minutes=60))


def test_an_offer_never_outlives_the_request() -> None:
    ttl = timedelta(minutes=10)
    assert request_life.offer_expiry(T0, ttl, DAY, 9 * 60, GRACE) == T0 + ttl
    late = T0 + timedelta(minutes=85)
    assert request_life.offer_expiry(late, ttl, DAY, 9 * 60, GRACE) == T0 + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("now", "expected"),
    [(T0, 8 * 60), (T0 + timedelta(seconds=1), 8 * 60 + 1), (T0 + timedelta(seconds=59.5), 8 * 60 + 1)],
)
def test_start_now_rounds_up_to_the_minute(now: datetime, expected: int) -> None:
    assert request_life.start_now(now) == expected
    assert request_life.minute_of_day(now) == 8 * 60


# ---------------------------------------------------------------- the posting (gateway's parser)


def _body(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "market_id": "zs-market",
        "trade": "porter",
        "headcount": 1,
        "day_wage": 220,
        "start": "09:00",
        "hours": 8,
        "place": "钟山区荷城街道",
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("start", ["07:59", "07:30", "06:00"])
def test_a_start_already_past_is_refused_naming_the_field(start: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_job_request(_body(start=start), now=T0 + timedelta(seconds=30))
    (error,) = caught.value.errors
    assert (error.field, error.rule) == ("start", "start_past")
    assert "现在就要人" in error.message_zh and "start now" in error.message_en


def test_the_current_minute_and_later_are_accepted() -> None:
    assert parse_job_request(_body(start="08:00"), now=T0 + timedelta(seconds=30)).start == 8 * 60


def test_start_now_sets_the_start_to_now_rounded_up_and_ignores_start() -> None:
    form = parse_job_request(_body(start="06:00", start_now=True), now=T0 + timedelta(seconds=5))
    assert form.start == 8 * 60 + 1
    assert parse_job_request(_body(start=None, start_now=True), now=T0).start == 8 * 60


def test_start_now_must_be_a_boolean() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_job_request(_body(start_now="yes"), now=T0)
    assert [(e.field, e.rule) for e in caught.value.errors] == [("start_now", "boolean")]


def test_start_now_late_in_the_day_must_still_end_today() -> None:
    evening = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 21:00 local
    with pytest.raises(InvalidInput) as caught:
        parse_job_request(_body(start_now=True, hours=4), now=evening)
    assert [(e.field, e.rule) for e in caught.value.errors] == [("hours", "ends_tomorrow")]


# ---------------------------------------------------------------- the market


def test_the_market_closes_a_request_by_a_fact_at_its_start_plus_the_grace() -> None:
    state, _ = run(job(1, start=8 * 60 + 15))
    assert not of(step(state, tick(1, T0 + timedelta(minutes=44, seconds=59))).facts, r.JobRequestClosed)
    facts = step(state, tick(2, T0 + timedelta(minutes=45))).facts
    (closed,) = of(facts, r.JobRequestClosed)
    assert (closed.request_id, closed.reason, closed.grace_minutes) == ("j1", "start_passed", 30)
    assert closed.at == T0 + timedelta(minutes=45)
    assert state.requests["j1"].status == "closed"
    # a worker who arrives now is not offered it
    assert not of(step(state, check_in(1, at=T0 + timedelta(minutes=46))).facts, r.OfferMade)


def test_the_grace_is_a_setting() -> None:
    rules = MarketRules(policy=AllocationPolicy(within_tier="fcfs"), late_start_grace=timedelta(minutes=5))
    state, _ = run(job(1, start=8 * 60), rules=rules)
    assert of(step(state, tick(1, T0 + timedelta(minutes=5)), rules).facts, r.JobRequestClosed)


@pytest.mark.parametrize("rules", [FCFS, MAX_FILL, ROLLING], ids=["fcfs", "max_fill", "rolling"])
def test_an_offer_expires_at_the_close_at_the_latest(rules: MarketRules) -> None:
    late = T0 + timedelta(minutes=40)  # the job started at 08:15: it closes at 08:45
    state, facts = run(job(1, start=8 * 60 + 15), check_in(1, at=late), rules=rules)
    (offer,) = of(facts, r.OfferMade)
    assert offer.expires_at == T0 + timedelta(minutes=45)
    after = step(
        state,
        r.AnswerOffer(
            **head("a", T0 + timedelta(minutes=45)), offer_id=offer.offer_id, checkin_id="c1", answer="accept"
        ),
        rules,
    )  # type: ignore[arg-type]
    assert of(after.facts, r.OfferExpired) and not of(after.facts, r.OfferAccepted)
    assert {e.reason for e in of(after.facts, r.JobRequestClosed)} == {"start_passed"}


def test_a_posting_that_reaches_the_market_after_its_close_is_closed_at_once() -> None:
    _, facts = run(check_in(1), job(1, start=7 * 60, at=T0))
    assert [type(f) for f in facts if isinstance(f, r.JobRequestOpened | r.JobRequestClosed | r.OfferMade)] == [
        r.JobRequestOpened,
        r.JobRequestClosed,
    ]


def test_reopening_moves_the_start_to_now_keeps_placements_and_offers_again() -> None:
    state, facts = run(check_in(1), job(1, start=8 * 60 + 10, headcount=2))
    (offer,) = of(facts, r.OfferMade)
    step(state, r.AnswerOffer(**head("a1"), offer_id=offer.offer_id, checkin_id="c1", answer="accept"))  # type: ignore[arg-type]
    step(state, tick(1, T0 + timedelta(minutes=40)))
    assert state.requests["j1"].closed_reason == "start_passed"
    step(state, check_in(2, at=T0 + timedelta(minutes=41)))
    assert not state.offers
    decision = step(state, reopen(1, T0 + timedelta(minutes=50, seconds=10)))
    (reopened,) = of(decision.facts, r.JobRequestReopened)
    assert (reopened.start, reopened.previous_start) == (8 * 60 + 51, 8 * 60 + 10)
    assert len(reopened.placements) == 1
    (again,) = of(decision.facts, r.OfferMade)
    assert (again.checkin_id, again.start) == ("c2", 8 * 60 + 51)
    assert state.requests["j1"].status == "open" and len(state.requests["j1"].placements) == 1


@pytest.mark.parametrize(
    ("request_id", "employer_id", "rule"),
    [("j9", "e1", "request_not_open"), ("j1", "e2", "request_not_open"), ("j1", "e1", "request_not_reopenable")],
)
def test_only_its_employer_reopens_and_only_a_late_closed_request(request_id: str, employer_id: str, rule: str) -> None:
    state, _ = run(job(1, start=9 * 60))
    (refused,) = of(step(state, reopen(1, T0, request_id, employer_id)).facts, r.CommandRefused)
    assert (refused.command_type, refused.rule) == ("reopen_job_request", rule)


def test_a_cancelled_request_cannot_be_reopened() -> None:
    state, _ = run(job(1, start=8 * 60))
    step(state, r.CancelJobRequest(**head("x"), request_id="j1", employer_id="e1"))  # type: ignore[arg-type]
    (refused,) = of(step(state, reopen(1, T0 + timedelta(hours=1))).facts, r.CommandRefused)
    assert refused.rule == "request_not_reopenable"


def test_reopening_late_in_the_day_must_still_end_today() -> None:
    state, _ = run(job(1, start=14 * 60, hours=9))
    step(state, tick(1, T0 + timedelta(hours=7)))  # 15:00: closed
    (refused,) = of(step(state, reopen(1, T0 + timedelta(hours=8))).facts, r.CommandRefused)
    assert refused.rule == "ends_tomorrow"


@pytest.mark.parametrize("rules", [FCFS, MAX_FILL, ROLLING], ids=["fcfs", "max_fill", "rolling"])
def test_a_worker_both_want_goes_to_the_job_not_yet_started(rules: MarketRules) -> None:
    now = T0 + timedelta(minutes=20)  # 08:20: j1 started at 08:00, j2 starts at 08:30
    state, _ = run(job(1, start=8 * 60, at=T0), job(2, start=8 * 60 + 30, at=T0), rules=rules)
    (offer,) = of(step(state, check_in(1, at=now), rules).facts, r.OfferMade)
    assert offer.request_id == "j2"


@pytest.mark.parametrize("rules", [FCFS, MAX_FILL], ids=["fcfs", "max_fill"])
def test_the_better_tier_gets_the_job_not_yet_started_and_nobody_is_passed_over(rules: MarketRules) -> None:
    """Two workers become free in one decision (their offers of j0 expire at 08:10): the veteran is offered the
    job not yet started (j2, 08:30), the general worker the started one (j1, 08:00)."""
    state, facts = run(job(0, headcount=2, start=9 * 60), check_in(1, groups=("veteran",)), check_in(2), rules=rules)
    assert len(of(facts, r.OfferMade)) == 2
    step(state, job(1, start=8 * 60, at=T0 + timedelta(minutes=1)), rules)
    step(state, job(2, start=8 * 60 + 30, at=T0 + timedelta(minutes=1)), rules)
    offers = of(step(state, tick(1, T0 + timedelta(minutes=10)), rules).facts, r.OfferMade)
    assert {(o.checkin_id, o.request_id) for o in offers} == {("c1", "j2"), ("c2", "j1")}


# ---------------------------------------------------------------- read models: supply list, employer's view


def test_the_supply_list_drops_a_request_at_its_close_and_lists_it_again_when_reopened() -> None:
    from services.readmodels.market_views import MarketViews
    from services.readmodels.supply_views import GigSupply, gig_key, rows

    state, facts = run(job(1, start=8 * 60 + 10))
    facts += step(state, tick(1, T0 + timedelta(minutes=40))).facts
    closed_at = len(facts)
    facts += step(state, reopen(1, T0 + timedelta(minutes=45))).facts
    supply, market = GigSupply(""), MarketViews("")
    views: dict[str, object] = {}
    listed: list[list[str]] = []
    for fact in facts:
        views.update(supply.apply(fact, views))  # type: ignore[arg-type]
        views.update(market.apply(fact, views))  # type: ignore[arg-type]
        listed.append([row["id"] for row in rows([views.get(gig_key("", "zs-market"))], [], fact.at)])  # type: ignore[list-item]
    assert listed[0] == ["j1"] and listed[closed_at - 1] == [] and listed[-1] == ["j1"]
    request = views["request:j1"]
    assert request["status"] == "open" and request["start"] == "08:45" and request["previous_start"] == "08:10"  # type: ignore[index]


def test_the_supply_list_hides_a_request_past_its_close_even_before_the_fact_arrives() -> None:
    from services.readmodels.supply_views import GigSupply, gig_key, rows

    _, facts = run(job(1, start=8 * 60))
    views: dict[str, object] = {}
    for fact in facts:
        views.update(GigSupply("").apply(fact, views))  # type: ignore[arg-type]
    view = [views[gig_key("", "zs-market")]]
    assert [row["id"] for row in rows(view, [], T0 + timedelta(minutes=29))] == ["j1"]  # type: ignore[arg-type]
    assert rows(view, [], T0 + timedelta(minutes=30)) == []  # type: ignore[arg-type]
    assert len(rows(view, [], T0 + timedelta(minutes=30), timedelta(minutes=45))) == 1  # type: ignore[arg-type]
