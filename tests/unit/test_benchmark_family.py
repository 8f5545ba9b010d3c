"""The family of mornings (tests/benchmarks/matching_family.py) and the trace knobs it turns
(tests/benchmarks/matching_trace.py): parameters respected, deterministic by seed, the greedy yardstick."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

from services import geography
from services.market import request_life
from services.settings import Settings
from tests.benchmarks import engine_only, matching_family
from tests.benchmarks.matching_trace import TraceParams, generate
from tests.benchmarks.run_matching import market_policies_spec

SEEDS = range(1, 31)


def fingerprint(seed: int, params: TraceParams) -> str:
    trace = generate(seed, params)
    text = repr((trace.workers, trace.requests))
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_draw_is_deterministic_by_seed_and_differs_between_seeds() -> None:
    assert [matching_family.draw(s) for s in SEEDS] == [matching_family.draw(s) for s in SEEDS]
    assert len({repr(matching_family.draw(s)) for s in SEEDS}) == len(SEEDS)


def test_the_drawn_parameters_stay_inside_the_ranges_and_cover_them() -> None:
    ranges = matching_family.RANGES
    drawn = [matching_family.draw(s) for s in SEEDS]
    known = {m.market_id for m in geography.MARKETS}
    for p in drawn:
        assert 1 <= len(p.markets) <= len(geography.MARKETS)
        assert {m for m, _ in p.markets} <= known
        assert abs(sum(share for _, share in p.markets) - 1) < 1e-3
        assert ranges["workers"][0] <= p.workers <= ranges["workers"][1]
        low, high = ranges["positions_per_worker"]
        assert low - 0.01 <= p.positions / p.workers <= high + 0.01
        assert 0.10 - 1e-3 <= 1 - p.trades_per_worker[0] <= 0.80 + 1e-3
        assert ranges["offered_wage_sd"][0] <= p.offered_wage_sd <= ranges["offered_wage_sd"][1]
        assert 0 <= p.unlawful_wage <= ranges["unlawful_wage"][1]
        assert 0 <= p.start_now <= ranges["start_now"][1]
        assert 0 <= p.start_after_posting[0] <= p.start_after_posting[1]
        assert 0 <= p.group_share <= ranges["group_share"][1]
        assert any(weight > 0 for _, weight in p.trade_weights)
    curves = {matching_family.arrival_curve(p) for p in drawn}
    assert curves == set(matching_family.ARRIVAL_CURVES)
    assert {len(p.markets) for p in drawn} >= {1, len(geography.MARKETS)}
    assert min(p.workers for p in drawn) < 200 and max(p.workers for p in drawn) > 2000
    assert sum(1 for p in drawn if p.start_now) >= 5 and sum(1 for p in drawn if p.unlawful_wage) >= 5


def test_scale_shrinks_the_crowd_only() -> None:
    full, half = matching_family.draw(7), matching_family.draw(7, scale=0.5)
    assert half.workers == round(full.workers * 0.5) and half.positions == round(full.positions * 0.5)
    assert dataclasses.replace(half, workers=full.workers, positions=full.positions) == full


def test_a_drawn_trace_follows_its_parameters() -> None:
    seed = next(s for s in SEEDS if matching_family.draw(s).start_now > 0.1)
    params = matching_family.draw(seed)
    trace = generate(seed, params)
    assert len(trace.workers) == params.workers and trace.positions == params.positions
    markets = {m for m, _ in params.markets}
    assert {w.market_id for w in trace.workers} <= markets and {q.market_id for q in trace.requests} <= markets
    left_out = {code for code, weight in params.trade_weights if weight == 0}
    assert not left_out & {t for w in trace.workers for t in w.trades}
    assert not left_out & {q.trade for q in trace.requests}
    multi = sum(1 for w in trace.workers if len(w.trades) > 1) / len(trace.workers)
    assert abs(multi - (1 - params.trades_per_worker[0])) < 0.1
    now = [q for q in trace.requests if q.start_now]
    assert now and abs(len(now) / len(trace.requests) - params.start_now) < 0.1
    for q in now:  # the gateway's start for 现在就要人
        assert q.start == request_life.start_now(q.posted_at) and q.body()["start_now"] is True
    low, high = params.start_after_posting
    for q in trace.requests:
        if not q.start_now:
            posted = (q.posted_at - trace.local_midnight()) / timedelta(minutes=1)
            assert low <= q.start - posted <= high + 15


def test_the_same_seed_gives_the_same_morning_and_the_default_trace_is_unchanged_by_the_new_knobs() -> None:
    params = matching_family.draw(3)
    assert fingerprint(3, params) == fingerprint(3, params)
    default = TraceParams(workers=200, positions=150)
    explicit = dataclasses.replace(default, second_wave=0.0, start_now=0.0, unlawful_wage=0.0, trade_weights=())
    assert fingerprint(1, default) == fingerprint(1, explicit)


def test_unlawful_wages_are_refused_by_the_gateway_and_lawful_ones_admitted() -> None:
    params = TraceParams(workers=50, positions=400, unlawful_wage=1.0, offered_wage_sd=0.3, hours_kind=(0, 1, 0, 0))
    trace = generate(5, params)
    refused = engine_only.gateway_refusals(trace, Settings())
    assert refused and set(refused.values()) == {"wage_below_minimum"}
    lawful = generate(5, dataclasses.replace(params, unlawful_wage=0.0))
    assert not engine_only.gateway_refusals(lawful, Settings())


def test_two_waves_put_arrivals_early_and_late() -> None:
    params = TraceParams(workers=600, positions=100, **matching_family.ARRIVAL_CURVES["two_waves"])
    trace = generate(2, params)
    minutes = [(w.arrive_at - trace.starts_at) / timedelta(minutes=1) for w in trace.workers]
    first = sum(1 for m in minutes if m < 40)
    middle = sum(1 for m in minutes if 50 <= m < 70)
    last = sum(1 for m in minutes if m >= 80)
    assert first > 2 * middle and last > 2 * middle


def test_the_firm_offer_wait_counts_from_the_later_of_check_in_and_posting() -> None:
    params = dataclasses.replace(matching_family.draw(10), workers=60, positions=40)
    trace = generate(10, params)
    run = engine_only.run(trace, Settings())
    waits = matching_family.firm_offer_minutes(trace, run)
    assert waits and all(w >= 0 for w in waits)
    assert len(waits) == sum(1 for e in run.events if type(e).__name__ == "OfferAccepted")


def test_the_first_word_is_the_tentative_offer_when_one_came_first() -> None:
    params = dataclasses.replace(matching_family.draw(10), workers=60, positions=40)
    trace = generate(10, params)
    run = engine_only.run(trace, Settings(market_policies_spec=market_policies_spec("rolling:15")))
    words = matching_family.first_word_minutes(trace, run)
    firm = matching_family.firm_offer_minutes(trace, run)
    assert len(words) == len(firm) and all(0 <= w <= f for w, f in zip(words, firm, strict=True))
    counts = matching_family.tentative_counts(run)
    assert counts["held"] > 0 and counts["made_firm"] > 0
    assert sum(words) < sum(firm)  # told of the place before it was offered firmly


def test_totals_count_traces_at_least_greedy_and_take_the_distribution() -> None:
    def row(filled: int, ratio: float) -> dict[str, object]:
        return {
            "filled": filled,
            "filled_over_optimum": ratio,
            "at_least_greedy": filled >= 9,
            "tier_inversions": 0,
            "placements_after_start_plus_grace": 0,
            "minutes_to_firm_offer": {"p50": 1.0, "p90": 4.0},
            "decide_ms": {"p99": 2.0, "max": 3.0},
        }

    traces = [
        {"reachable_optimum": 10, "greedy_over_optimum": 0.9, "policies": {"fcfs": row(9, 0.9), "x": row(10, 1.0)}},
        {"reachable_optimum": 10, "greedy_over_optimum": 0.9, "policies": {"fcfs": row(9, 0.9), "x": row(8, 0.8)}},
    ]
    total = matching_family.totals(traces, ["fcfs", "x"])
    assert total["x"]["filled_over_optimum"] == {"median": 0.9, "min": 0.8, "max": 1.0}
    assert total["x"]["traces_at_least_greedy"] == 1 and total["fcfs"]["traces_at_least_greedy"] == 2
    assert total["x"]["filled_over_optimum_pooled"] == 0.9
