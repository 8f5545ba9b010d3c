"""The offline optimum of a trace: the most positions that could be filled that day, knowing everything.

Eligibility (:func:`eligible`) is the platform's, read off the whole day at once:

* same market; the job's trade is one of the worker's trades;
* offered day wage >= the worker's minimum day wage;
* the job's hours lie inside the worker's hours today (``start >= available_from`` and
  ``start + hours <= available_until``);
* feasible in time, by the platform's late-start rule (:mod:`services.market.request_life`): the request was posted no
  later than the job's start (the gateway refuses a start already past), and the worker checked in before the
  job's start plus the late-start grace (``arrive_at < start + grace``, default 30 minutes): after that moment
  the request takes no offer, so no worker can fill it. The trace only posts jobs ahead of their start and makes
  ``available_from >= arrival``, so the platform's own rules imply this: the optimum never forbids a match the
  platform could make;
* the worker would accept that job (:meth:`Trace.answer`): the optimum knows who declines what. A decline is a
  pure function of (seed, worker, request), the same for every engine, so the optimum stays an upper bound.

Only the requests the platform admits count (``requests``; the trace generator posts only requests the gateway
admits, so by default that is all of them).

**Several jobs per worker**, as on the platform: a worker may take several jobs the same day when their hours do
not overlap (the engine offers a worker who accepted a job further jobs outside its hours). The headline optimum
(:func:`max_filled_jobs`) is therefore an integer programme: one 0/1 variable per eligible (worker, request)
pair; per request at most its headcount; per worker, for every moment, at most one job whose hours contain it
(it suffices to bound each maximal set of the worker's eligible jobs that overlap at one job's start: an
interval graph's cliques). Solved exactly with ``scipy.optimize.milp`` (HiGHS). The one-job-per-worker optimum
(:func:`max_filled`, a maximum bipartite matching of workers to position slots, a request with headcount k being
k slots, by ``scipy.sparse.csgraph.maximum_bipartite_matching``, Hopcroft–Karp) is reported beside it, to be
compared with the engine's placements counting one job per worker.

``scipy`` is imported inside :func:`max_filled` only, so the eligibility rules can be tested without it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from services.market import request_life
from tests.benchmarks.matching_trace import Trace, TraceRequest, TraceWorker

#: The platform's default late-start grace (``Settings.late_start_grace_minutes``).
GRACE = request_life.DEFAULT_GRACE


def hours_fit(worker: TraceWorker, request: TraceRequest) -> bool:
    return request.start >= worker.available_from and request.end <= worker.available_until


def start_at(trace: Trace, request: TraceRequest) -> datetime:
    """The instant the job starts."""
    return trace.local_midnight() + timedelta(minutes=request.start)


def time_feasible(trace: Trace, worker: TraceWorker, request: TraceRequest, grace: timedelta = GRACE) -> bool:
    """The request was posted by the job's start, and the worker checked in before its start plus ``grace``."""
    start = start_at(trace, request)
    return request.posted_at <= start and worker.arrive_at < start + grace


def platform_eligible(worker: TraceWorker, request: TraceRequest) -> bool:
    """The platform's static rules: market, trade, wage, hours (no time or answer knowledge)."""
    return (
        worker.market_id == request.market_id
        and request.trade in worker.trades
        and request.day_wage >= worker.min_day_wage
        and hours_fit(worker, request)
    )


def eligible(trace: Trace, worker: TraceWorker, request: TraceRequest, *, answers: bool = True) -> bool:
    """A pair the offline optimum may use (see the module docstring); ``answers=False`` ignores declines."""
    return (
        platform_eligible(worker, request)
        and time_feasible(trace, worker, request)
        and (not answers or trace.answer(worker.index, request.index).accept)
    )


def max_filled(pairs: Iterable[tuple[int, int]], headcounts: Mapping[int, int], workers: int) -> dict[int, int]:
    """A maximum assignment of workers ``0..workers-1`` to requests, each request taking at most its
    headcount and each worker at most one request; ``pairs`` are the allowed (worker, request) pairs.

    Returns worker → request. Requests are expanded into headcount slots and matched by Hopcroft–Karp.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    slot_of: dict[int, list[int]] = {}
    slot_request: list[int] = []
    for request, headcount in sorted(headcounts.items()):
        slot_of[request] = list(range(len(slot_request), len(slot_request) + headcount))
        slot_request.extend([request] * headcount)
    rows: list[int] = []
    cols: list[int] = []
    for worker, request in sorted(set(pairs)):
        if not 0 <= worker < workers:
            raise ValueError(f"worker {worker} out of range")
        for slot in slot_of.get(request, ()):
            rows.append(worker)
            cols.append(slot)
    if not rows or not slot_request:
        return {}
    graph = csr_matrix(
        (np.ones(len(rows), dtype=np.int8), (np.array(rows), np.array(cols))),
        shape=(workers, len(slot_request)),
    )
    matched = maximum_bipartite_matching(graph, perm_type="column")
    return {worker: slot_request[int(slot)] for worker, slot in enumerate(matched) if slot >= 0}


def max_filled_jobs(
    pairs: Iterable[tuple[int, int]], headcounts: Mapping[int, int], hours: Mapping[int, tuple[int, int]]
) -> list[tuple[int, int]]:
    """A maximum set of (worker, request) placements among ``pairs``: each request at most its headcount, each
    worker any number of requests whose ``hours`` (request → [start, end) minutes) do not overlap.

    Exact (an integer programme solved by HiGHS); returns the chosen pairs, sorted.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    chosen = sorted({(w, q) for w, q in pairs if q in headcounts})
    if not chosen:
        return []
    rows: list[int] = []
    cols: list[int] = []
    bounds: list[float] = []
    by_request: dict[int, list[int]] = {}
    by_worker: dict[int, list[int]] = {}
    for column, (worker, request) in enumerate(chosen):
        by_request.setdefault(request, []).append(column)
        by_worker.setdefault(worker, []).append(column)
    for request, columns in sorted(by_request.items()):
        rows.extend([len(bounds)] * len(columns))
        cols.extend(columns)
        bounds.append(headcounts[request])
    for columns in by_worker.values():
        for clique in _overlap_cliques([(hours[chosen[c][1]], c) for c in columns]):
            rows.extend([len(bounds)] * len(clique))
            cols.extend(clique)
            bounds.append(1)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(bounds), len(chosen))).tocsr()
    result = milp(
        -np.ones(len(chosen)),
        constraints=LinearConstraint(matrix, -np.inf, np.asarray(bounds, dtype=float)),
        integrality=np.ones(len(chosen)),
        bounds=Bounds(0, 1),
    )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"the optimum's integer programme was not solved: {result.message}")
    return [pair for pair, value in zip(chosen, result.x, strict=True) if value > 0.5]


def _overlap_cliques(jobs: list[tuple[tuple[int, int], int]]) -> list[list[int]]:
    """The maximal sets of jobs ([start, end), id) that overlap at some moment: those at each job's start."""
    sets = {frozenset(j for (s, e), j in jobs if s <= start < e) for (start, _), _ in jobs}
    return [sorted(c) for c in sets if not any(c < other for other in sets)]


@dataclasses.dataclass(frozen=True, slots=True)
class Optimum:
    #: the most placements, several non-overlapping jobs per worker allowed (the headline yardstick)
    filled: int
    assignment: tuple[tuple[int, int], ...]  # (worker index, request index) of those placements
    eligible_pairs: int
    #: the same optimum if every worker accepted every offer (an upper bound on the headline one)
    filled_if_nobody_declined: int
    #: the most placements with one job per worker (maximum bipartite matching)
    filled_one_job_per_worker: int

    def per_key(self, trace: Trace, key: str) -> dict[str, int]:
        """Filled positions by ``"market_id"`` or ``"trade"`` of the request."""
        out: dict[str, int] = {}
        for _, request in self.assignment:
            value = getattr(trace.requests[request], key)
            out[value] = out.get(value, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self, trace: Trace) -> dict[str, Any]:
        return {
            "filled": self.filled,
            "eligible_pairs": self.eligible_pairs,
            "filled_if_nobody_declined": self.filled_if_nobody_declined,
            "filled_one_job_per_worker": self.filled_one_job_per_worker,
            "workers_with_several_jobs": sum(1 for n in Counter(w for w, _ in self.assignment).values() if n > 1),
            "per_market": self.per_key(trace, "market_id"),
            "per_trade": self.per_key(trace, "trade"),
        }


def eligible_pairs(
    trace: Trace, *, answers: bool = True, requests: Collection[int] | None = None
) -> list[tuple[int, int]]:
    by_market: dict[str, list[TraceRequest]] = {}
    for request in trace.requests:
        if requests is None or request.index in requests:
            by_market.setdefault(request.market_id, []).append(request)
    return [
        (worker.index, request.index)
        for worker in trace.workers
        for request in by_market.get(worker.market_id, ())
        if eligible(trace, worker, request, answers=answers)
    ]


def optimum(trace: Trace, requests: Collection[int] | None = None) -> Optimum:
    """The optimum over the requests with index in ``requests`` (default: every request of the trace)."""
    headcounts = {q.index: q.headcount for q in trace.requests if requests is None or q.index in requests}
    hours = {q.index: (q.start, q.end) for q in trace.requests}
    pairs = eligible_pairs(trace, requests=requests)
    assignment = max_filled_jobs(pairs, headcounts, hours)
    without_declines = max_filled_jobs(eligible_pairs(trace, answers=False, requests=requests), headcounts, hours)
    return Optimum(
        filled=len(assignment),
        assignment=tuple(assignment),
        eligible_pairs=len(pairs),
        filled_if_nobody_declined=len(without_declines),
        filled_one_job_per_worker=len(max_filled(pairs, headcounts, len(trace.workers))),
    )
