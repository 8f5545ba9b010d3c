"""The matching benchmark's yardsticks on tiny hand-made cases: eligibility, the optimum, the log audit.

The optimum needs scipy (the ``bench`` extra); those tests are skipped where it is not installed.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from services.market import records as r
from tests.benchmarks import log_audit, offline_optimum
from tests.benchmarks.matching_trace import Trace, TraceParams, TraceRequest, TraceWorker, generate

DAY_START = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # 06:00 in Liupanshui


def worker(index: int, trades: tuple[str, ...] = ("porter",), **extra: object) -> TraceWorker:
    values: dict[str, object] = {
        "index": index,
        "market_id": "zs-market",
        "arrive_at": DAY_START,
        "id_number": f"id{index}",
        "trades": trades,
        "min_day_wage": 150,
        "available_from": 6 * 60,
        "available_until": 18 * 60,
        "groups": (),
    }
    values.update(extra)
    return TraceWorker(**values)  # type: ignore[arg-type]


def request(index: int, trade: str = "porter", headcount: int = 1, **extra: object) -> TraceRequest:
    values: dict[str, object] = {
        "index": index,
        "market_id": "zs-market",
        "employer": 0,
        "posted_at": DAY_START,
        "trade": trade,
        "headcount": headcount,
        "day_wage": 200,
        "start": 8 * 60,
        "hours": 8,
        "place": "x",
    }
    values.update(extra)
    return TraceRequest(**values)  # type: ignore[arg-type]


def trace(workers: list[TraceWorker], requests: list[TraceRequest], accept: float = 1.0) -> Trace:
    return Trace(
        seed=0,
        params=TraceParams(accept=accept),
        starts_at=DAY_START,
        workers=tuple(workers),
        requests=tuple(requests),
    )


# ---------------------------------------------------------------- eligibility


@pytest.mark.parametrize(
    ("worker_extra", "request_extra", "expected"),
    [
        ({}, {}, True),
        ({"market_id": "lz-market"}, {}, False),
        ({"trades": ("mason",)}, {}, False),
        ({"min_day_wage": 201}, {}, False),
        ({"min_day_wage": 200}, {}, True),
        ({"available_from": 8 * 60 + 1}, {}, False),
        ({"available_until": 16 * 60 - 1}, {}, False),
        ({"available_until": 16 * 60}, {}, True),
        # arrived after the job began: only before its start plus the late-start grace (30 minutes)
        ({"arrive_at": DAY_START + timedelta(hours=2, seconds=1)}, {}, True),
        ({"arrive_at": DAY_START + timedelta(hours=2, minutes=29, seconds=59)}, {}, True),
        ({"arrive_at": DAY_START + timedelta(hours=2, minutes=30)}, {}, False),
        ({"arrive_at": DAY_START + timedelta(hours=2)}, {}, True),
        # posted after the job began (the gateway refuses a start already past)
        ({}, {"posted_at": DAY_START + timedelta(hours=2, minutes=1)}, False),
    ],
)
def test_eligibility_follows_the_platform_rules_and_time(
    worker_extra: dict[str, object], request_extra: dict[str, object], expected: bool
) -> None:
    w, q = worker(0, **worker_extra), request(0, **request_extra)
    assert offline_optimum.eligible(trace([w], [q]), w, q) is expected


def test_a_pair_the_worker_would_decline_is_not_eligible() -> None:
    w, q = worker(0), request(0)
    nobody_accepts = trace([w], [q], accept=0.0)
    assert not offline_optimum.eligible(nobody_accepts, w, q)
    assert offline_optimum.eligible(nobody_accepts, w, q, answers=False)


def test_answers_are_a_pure_function_of_seed_and_pair() -> None:
    t = generate(5, TraceParams(workers=30, positions=20))
    assert t == generate(5, TraceParams(workers=30, positions=20))
    assert t.answer(3, 4) == t.answer(3, 4)
    accepted = [t.answer(w, q).accept for w in range(40) for q in range(40)]
    assert 0.85 < sum(accepted) / len(accepted) < 0.95
    assert all(15 <= t.answer(w, 0).delay_seconds <= 240 for w in range(200))


def test_the_trace_respects_what_the_optimum_assumes() -> None:
    """Postings precede their jobs and nobody is available before arriving: the platform's rules imply
    time feasibility, so the optimum never forbids a match the platform could make."""
    t = generate(2, TraceParams(workers=300, positions=250))
    assert t.positions == 250
    for w in t.workers:
        assert t.at_minutes(w.available_from) >= w.arrive_at
        assert 1 <= len(w.trades) <= 3
    for q in t.requests:
        assert q.posted_at < t.at_minutes(q.start)
        assert 1 <= q.headcount <= 5
    for w, q in itertools.product(t.workers, t.requests):
        if offline_optimum.platform_eligible(w, q):
            assert offline_optimum.time_feasible(t, w, q)


# ---------------------------------------------------------------- the optimum


def brute_force(pairs: set[tuple[int, int]], headcounts: dict[int, int], workers: int) -> int:
    """Largest number of placements, trying every choice of request (or none) per worker."""
    best = 0
    options = [[None, *sorted(q for w, q in pairs if w == i)] for i in range(workers)]
    for choice in itertools.product(*options):
        taken = [q for q in choice if q is not None]
        if all(taken.count(q) <= headcounts[q] for q in set(taken)):
            best = max(best, len(taken))
    return best


def test_max_filled_beats_first_come_first_served_on_a_versatile_worker() -> None:
    # Worker 0 does porter (request 0) and electrician (request 1); worker 1 only porter.
    # Greedy by ticket gives worker 0 the older porter job and leaves the electrician job empty.
    pairs = {(0, 0), (0, 1), (1, 0)}
    assignment = offline_optimum.max_filled(pairs, {0: 1, 1: 1}, workers=2)
    assert assignment == {0: 1, 1: 0}


def test_max_filled_respects_headcount_and_one_job_per_worker() -> None:
    pairs = {(0, 0), (1, 0), (2, 0), (2, 1)}
    assignment = offline_optimum.max_filled(pairs, {0: 2, 1: 1}, workers=4)
    assert len(assignment) == 3
    assert list(assignment.values()).count(0) == 2
    assert assignment[2] == 1
    assert offline_optimum.max_filled(set(), {0: 3}, workers=2) == {}


@pytest.mark.parametrize("case", range(30))
def test_max_filled_equals_brute_force_on_small_random_cases(case: int) -> None:
    import random

    rng = random.Random(case)
    workers, requests = rng.randint(1, 6), rng.randint(1, 4)
    headcounts = {q: rng.randint(1, 3) for q in range(requests)}
    pairs = {(w, q) for w in range(workers) for q in range(requests) if rng.random() < 0.4}
    assignment = offline_optimum.max_filled(pairs, headcounts, workers)
    assert all((w, q) in pairs for w, q in assignment.items())
    assert all(list(assignment.values()).count(q) <= n for q, n in headcounts.items())
    assert len(assignment) == brute_force(pairs, headcounts, workers)


def brute_force_jobs(pairs: set[tuple[int, int]], headcounts: dict[int, int], hours: dict[int, tuple[int, int]]) -> int:
    """Largest number of placements, trying every subset of pairs (several non-overlapping jobs a worker)."""
    best = 0
    ordered = sorted(pairs)
    for size in range(len(ordered), 0, -1):
        for chosen in itertools.combinations(ordered, size):
            per_request = [q for _, q in chosen]
            if any(per_request.count(q) > headcounts[q] for q in set(per_request)):
                continue
            jobs: dict[int, list[tuple[int, int]]] = {}
            for w, q in chosen:
                jobs.setdefault(w, []).append(hours[q])
            if all(
                not (a[0] < b[1] and b[0] < a[1])
                for spans in jobs.values()
                for a, b in itertools.combinations(spans, 2)
            ):
                return size
    return best


def test_max_filled_jobs_gives_a_worker_two_jobs_that_do_not_overlap() -> None:
    # Worker 0 can do a morning job (8-10) and a day job (10-18); worker 1 only the day job, which needs two.
    pairs = {(0, 0), (0, 1), (1, 1)}
    hours = {0: (480, 600), 1: (600, 1080)}
    assert offline_optimum.max_filled_jobs(pairs, {0: 1, 1: 2}, hours) == [(0, 0), (0, 1), (1, 1)]
    assert len(offline_optimum.max_filled(pairs, {0: 1, 1: 2}, workers=2)) == 2
    overlapping = {0: (480, 660), 1: (600, 1080)}
    assert len(offline_optimum.max_filled_jobs(pairs, {0: 1, 1: 2}, overlapping)) == 2
    assert offline_optimum.max_filled_jobs(set(), {0: 1}, hours) == []


@pytest.mark.parametrize("case", range(25))
def test_max_filled_jobs_equals_brute_force_on_small_random_cases(case: int) -> None:
    import random

    rng = random.Random(1000 + case)
    workers, requests = rng.randint(1, 4), rng.randint(1, 4)
    headcounts = {q: rng.randint(1, 2) for q in range(requests)}
    hours = {}
    for q in range(requests):
        start = rng.choice((480, 540, 600, 720))
        hours[q] = (start, start + 60 * rng.choice((2, 3, 8)))
    pairs = {(w, q) for w in range(workers) for q in range(requests) if rng.random() < 0.5}
    chosen = offline_optimum.max_filled_jobs(pairs, headcounts, hours)
    assert set(chosen) <= pairs
    assert len(chosen) == brute_force_jobs(pairs, headcounts, hours)


def test_the_trace_posts_only_requests_the_gateway_admits() -> None:
    from services.settings import Settings
    from tests.benchmarks.engine_only import gateway_refusals
    from tests.benchmarks.matching_trace import lawful_day_wage

    t = generate(3, TraceParams(workers=50, positions=400))
    assert gateway_refusals(t, Settings()) == {}
    assert lawful_day_wage(100, 10, "liuzhi", TraceParams()) == 180  # 10 h x 17.2 yuan = 172, rounded up to 10
    assert lawful_day_wage(100, 10, "zhongshan", TraceParams()) == 200  # class 1: 10 h x 19.6 yuan = 196
    assert lawful_day_wage(200, 8, "zhongshan", TraceParams()) == 200


def test_optimum_of_a_hand_made_morning() -> None:
    workers = [
        worker(0, ("porter", "electrician")),
        worker(1, ("porter",)),
        worker(2, ("porter",), min_day_wage=300),  # too dear for either job
        worker(3, ("electrician",), arrive_at=DAY_START + timedelta(hours=3)),  # came after the start
    ]
    requests = [request(0, "porter"), request(1, "electrician")]
    result = offline_optimum.optimum(trace(workers, requests))
    assert result.filled == 2
    assert dict(result.assignment) == {0: 1, 1: 0}
    assert result.filled_if_nobody_declined == 2
    assert result.filled_one_job_per_worker == 2


# ---------------------------------------------------------------- the log audit

AT = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
_ids = itertools.count()


def head(command: str) -> dict[str, object]:
    return {
        "id": f"e{next(_ids)}",
        "at": AT,
        "market_id": "zs-market",
        "county": "zhongshan",
        "command_id": command,
    }


def queued(checkin: str, ticket: int, trades: tuple[str, ...] = ("porter",)) -> r.WorkerQueued:
    return r.WorkerQueued(
        **head(checkin),  # type: ignore[arg-type]
        checkin_id=checkin,
        worker=f"w_{checkin}",
        worker_masked="x",
        ticket_no=ticket,
        trades=trades,
        min_day_wage=150,
        available_from=360,
        available_until=1080,
    )


def opened(request_id: str, trade: str = "porter", headcount: int = 1) -> r.JobRequestOpened:
    return r.JobRequestOpened(
        **head(request_id),  # type: ignore[arg-type]
        request_id=request_id,
        employer_id="e",
        employer_name="e",
        trade=trade,
        headcount=headcount,
        day_wage=200,
        start=480,
        hours=8,
        place="x",
    )


def offered(command: str, request_id: str, checkin: str) -> r.OfferMade:
    return r.OfferMade(
        **head(command),  # type: ignore[arg-type]
        offer_id=f"o-{request_id}-{checkin}",
        request_id=request_id,
        checkin_id=checkin,
        worker=f"w_{checkin}",
        employer_name="e",
        trade="porter",
        day_wage=200,
        start=480,
        hours=8,
        place="x",
        expires_at=AT,
        rule="test",
        rank=1,
        waited_seconds=0,
    )


def test_an_offer_passing_over_a_waiting_veteran_is_a_tier_inversion() -> None:
    groups = {"a": (), "b": ("veteran",)}
    events = [queued("a", 1), queued("b", 2), opened("q"), offered("q", "q", "a")]
    audit = log_audit.audit(events, lambda c: groups[c])
    assert (audit.tier_inversions, audit.within_tier_reorderings, audit.offers) == (1, 0, 1)
    assert audit.examples[0]["passed_over"] == {"ticket": 2, "tier": 0}


def test_a_later_ticket_of_the_same_tier_is_a_reordering() -> None:
    events = [queued("a", 1), queued("b", 2), opened("q"), offered("q", "q", "b")]
    audit = log_audit.audit(events)
    assert (audit.tier_inversions, audit.within_tier_reorderings) == (0, 1)


def test_first_come_first_served_and_ineligible_or_busy_workers_are_not_counted() -> None:
    events = [
        queued("a", 1, ("mason",)),  # not eligible: another trade
        queued("b", 2),
        queued("c", 3),
        opened("q1"),
        offered("q1", "q1", "b"),
        opened("q2"),
        offered("q2", "q2", "c"),  # b holds an offer: not free
    ]
    audit = log_audit.audit(events, lambda c: ("veteran",) if c == "a" else ())
    assert (audit.tier_inversions, audit.within_tier_reorderings, audit.ineligible_offers) == (0, 0, 0)


def test_workers_offered_in_the_same_batch_are_not_passed_over() -> None:
    # one command offers q1 to b and q2 to a: a (earlier) was not passed over for q1
    events = [
        queued("a", 1),
        queued("b", 2),
        opened("q1"),
        opened("q2"),
        offered("x", "q1", "b"),
        offered("x", "q2", "a"),
    ]
    audit = log_audit.audit(events)
    assert audit.within_tier_reorderings == 0


def test_a_declined_request_is_not_offered_again_and_the_engine_tier_wins() -> None:
    declined = r.OfferDeclined(
        **head("d"),  # type: ignore[arg-type]
        offer_id="o-q-a",
        request_id="q",
        checkin_id="a",
        worker="w_a",
    )
    events = [queued("a", 1), queued("b", 2), opened("q", headcount=2), offered("q", "q", "a"), declined]
    events.append(offered("d", "q", "b"))
    # a declined q: passing a over for q is no reordering; the engine's tiers override the groups
    audit = log_audit.audit(events, lambda c: ("veteran",) if c == "a" else (), fact_tiers={"a": 2, "b": 2})
    assert (audit.tier_inversions, audit.within_tier_reorderings, audit.declined) == (0, 0, 1)
    assert audit.tier_source == "facts"


def test_duplicates_are_counted_once() -> None:
    events = [queued("a", 1), opened("q"), offered("q", "q", "a")]
    audit = log_audit.audit([*events, events[-1]])
    assert (audit.offers, audit.duplicates) == (1, 1)


# ---------------------------------------------------------------- the late-start rule: optimum and counter


def test_the_optimum_fills_a_job_only_with_workers_checked_in_before_its_start_plus_the_grace() -> None:
    """One job (08:00, two places); one worker in time, one inside the grace, one at its end: the optimum
    counts two, and with a grace of 0 only the worker there by the start."""
    workers = [
        worker(0),
        worker(1, arrive_at=DAY_START + timedelta(hours=2, minutes=10)),
        worker(2, arrive_at=DAY_START + timedelta(hours=2, minutes=30)),
    ]
    t = trace(workers, [request(0, headcount=3)])
    assert offline_optimum.optimum(t).filled == 2
    assert [offline_optimum.time_feasible(t, w, t.requests[0], timedelta(0)) for w in workers] == [True, False, False]


def test_the_counter_counts_placements_at_or_after_the_start_plus_the_grace() -> None:
    """report.late_placements reads the acceptances' times against each job's start (08:00)."""
    from tests.benchmarks import report

    t = trace([worker(i) for i in range(4)], [request(0, headcount=4)])
    start = DAY_START + timedelta(hours=2)
    audit = log_audit.Audit()
    for n, after in enumerate(
        (timedelta(minutes=-5), timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1))
    ):
        audit.acceptances.append((start + after, "zs-market", f"c{n}", "q0"))
    late = report.late_placements(t, audit, {"q0": 0}, timedelta(minutes=30))
    assert (late["after_grace"], late["after_start"]) == (2, 1)
    assert late["minutes_after_start"] == {"p50": 30.0, "max": 60.0}
    assert report.late_placements(t, audit, {"q0": 0}, timedelta(hours=2))["after_grace"] == 0
