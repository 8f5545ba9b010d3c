"""Allocation policies: tiers, lottery with a published seed, per-market settings (services/policy.py)."""

from __future__ import annotations

import pytest

from services.market import records as r
from services.market.decide import MarketRules
from services.policy import AllocationPolicy, parse_policies
from services.settings import Settings, SettingsError
from tests.unit.market_fixtures import check_in, job, of, run


def test_tiers() -> None:
    policy = AllocationPolicy()
    assert policy.tier_of(("veteran", "disabled")) == 0
    assert policy.tier_of(("relocated",)) == 1
    assert policy.tier_of(("graduate",)) == policy.general_tier == 2


def test_lottery_is_reproducible_from_the_published_seed() -> None:
    rules = MarketRules(policy=AllocationPolicy(within_tier="lottery", lottery_seed="2026-11-26-钟山"))
    commands = [*(check_in(i) for i in range(8)), job(1, headcount=3)]
    _, a = run(*commands, rules=rules)
    _, b = run(*commands, rules=rules)
    chosen = [o.checkin_id for o in of(a, r.OfferMade)]
    assert chosen == [o.checkin_id for o in of(b, r.OfferMade)]
    assert all(o.seed == "2026-11-26-钟山" and o.rule == "lottery" for o in of(a, r.OfferMade))
    policy = rules.policy
    expected = sorted((f"c{i}" for i in range(8)), key=lambda c: policy.draw("2026-11-26", c))[:3]
    assert chosen == expected


def test_lottery_never_passes_a_higher_tier() -> None:
    rules = MarketRules(policy=AllocationPolicy(within_tier="lottery", lottery_seed="s"))
    _, events = run(*(check_in(i) for i in range(6)), check_in(9, groups=("veteran",)), job(1), rules=rules)
    assert of(events, r.OfferMade)[0].checkin_id == "c9"


def test_policies_from_settings() -> None:
    policies = parse_policies("zs-market=lottery:abc; pz-market=fcfs")
    assert policies["zs-market"].within_tier == "lottery" and policies["zs-market"].lottery_seed == "abc"
    assert policies["pz-market"].within_tier == "fcfs"
    settings = Settings.from_environ({"LINGONG_MARKET_POLICIES_SPEC": "zs-market=fcfs"})
    assert MarketRules.from_settings(settings, "zs-market").policy.within_tier == "fcfs"
    assert MarketRules.from_settings(settings, "sc-market").policy.within_tier == "max_fill"
    assert parse_policies("zs-market=max_fill:300")["zs-market"].window_seconds == 300


def test_bad_policy_setting_names_the_key() -> None:
    with pytest.raises(SettingsError, match="LINGONG_MARKET_POLICIES_SPEC"):
        Settings.from_environ({"LINGONG_MARKET_POLICIES_SPEC": "zs-market=random"})
