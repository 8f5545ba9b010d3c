"""The ``rolling`` allocation policy (services/market/allocation.py, services/policy.py): places offered a lead time
before their job starts, a plan over every known open place, due places covered first, better tiers pulled
forward rather than passed over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.market import records as r
from services.market.decide import MarketRules
from services.policy import AllocationPolicy, parse_policies
from tests.unit.market_fixtures import T0, check_in, head, job, of, run, step

#: T0 is 08:00 in Liupanshui; a job at 08:15 is due at once, one at 10:00 from 09:30.
ROLLING = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="rolling", lead_minutes=30))
SOON, LATER = 8 * 60 + 15, 10 * 60


def tick(n: int, minutes: int) -> r.Tick:
    return r.Tick(**head(f"t{n}", T0 + timedelta(minutes=minutes)))  # type: ignore[arg-type]


def test_a_place_is_offered_the_lead_time_before_its_job_starts_not_earlier() -> None:
    state, events = run(check_in(1), job(1, start=LATER), rules=ROLLING)
    assert of(events, r.OfferMade) == []
    decision = step(state, tick(1, 89), ROLLING)  # 09:29
    assert of(decision.facts, r.OfferMade) == []
    decision = step(decision.state, tick(2, 90), ROLLING)  # 09:30
    (offer,) = of(decision.facts, r.OfferMade)
    assert (offer.checkin_id, offer.rule, offer.reordered) == ("c1", "rolling", False)


def test_the_versatile_worker_is_kept_for_the_later_job_only_they_can_do() -> None:
    # c1 (mason and welder) checked in first; the masonry job starts now, the welding job later. The plan keeps
    # c1 for welding and gives masonry to c2: a within-tier reordering (c1 is free and gets no offer now).
    state, events = run(
        check_in(1, trades=("mason", "welder")),
        check_in(2),
        job(1, trade="welder", start=LATER),
        job(2, start=SOON),
        rules=ROLLING,
    )
    (offer,) = of(events, r.OfferMade)
    assert (offer.checkin_id, offer.request_id, offer.reordered) == ("c2", "j2", True)
    decision = step(state, tick(1, 90), ROLLING)
    (later,) = of(decision.facts, r.OfferMade)
    assert (later.checkin_id, later.request_id) == ("c1", "j1")


def test_a_better_tier_is_pulled_forward_to_its_own_place_never_passed_over() -> None:
    # As above, but c1 is a veteran: offering masonry to c2 while c1 waits would pass over a better tier, so
    # c1 is offered the welding job the plan keeps them for at once, before c2's offer, in the same decision.
    _, events = run(
        check_in(1, trades=("mason", "welder"), groups=("veteran",)),
        check_in(2),
        job(1, trade="welder", start=LATER),
        job(2, start=SOON),
        rules=ROLLING,
    )
    offers = of(events, r.OfferMade)
    assert [(o.checkin_id, o.request_id, o.tier) for o in offers] == [("c1", "j1", 0), ("c2", "j2", 2)]
    assert offers[0].command_id == offers[1].command_id == "j2"


def test_a_better_tier_the_plan_cannot_use_elsewhere_takes_the_due_place() -> None:
    _, events = run(check_in(2), check_in(1, groups=("relocated",)), job(1, start=SOON), rules=ROLLING)
    (offer,) = of(events, r.OfferMade)
    assert (offer.checkin_id, offer.tier) == ("c1", 1)


def test_due_places_are_covered_before_places_that_can_wait() -> None:
    # c1 alone can do either job. The masonry job is the harder one to fill (fewer of today's workers fit it),
    # but the cleaning job starts now: it gets c1, and masonry waits for whoever comes next.
    state, _ = run(check_in(9, trades=("cleaner",)), rules=ROLLING)
    state.workers["c9"].status = "left"  # counted in the cleaning job's fit count, but gone
    decision = step(state, check_in(1, trades=("mason", "cleaner")), ROLLING)
    decision = step(decision.state, job(1, start=LATER), ROLLING)
    assert of(decision.facts, r.OfferMade) == []
    decision = step(decision.state, job(2, trade="cleaner", start=SOON), ROLLING)
    (offer,) = of(decision.facts, r.OfferMade)
    assert (offer.checkin_id, offer.request_id) == ("c1", "j2")


@pytest.mark.parametrize(("spec", "lead"), [("rolling", 30), ("rolling:15", 15), ("rolling:0", 0)])
def test_rolling_from_the_market_policies_setting(spec: str, lead: int) -> None:
    policy = parse_policies(f"zs-market={spec}")["zs-market"]
    assert (policy.within_tier, policy.lead_minutes) == ("rolling", lead)


def test_rolling_keep_from_the_market_policies_setting() -> None:
    policy = parse_policies("zs-market=rolling:15:keep")["zs-market"]
    assert (policy.within_tier, policy.lead_minutes, policy.keep_held) == ("rolling", 15, True)
    assert not parse_policies("zs-market=rolling:15")["zs-market"].keep_held
    with pytest.raises(ValueError, match="whole minutes"):
        parse_policies("zs-market=rolling:15:hold")


def test_a_rolling_lead_time_must_be_whole_minutes() -> None:
    with pytest.raises(ValueError, match="whole minutes"):
        parse_policies("zs-market=rolling:half")
