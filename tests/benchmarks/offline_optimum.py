"""The offline optimum of a trace: the most positions that could be filled that day, knowing everything.

Eligibility (:func:`eligible`) is the platform's, read off the whole day at once:

* same market; the job's trade is one of the worker's trades;
* offered day wage >= the worker's minimum day wage;
* the job's hours lie inside the worker's hours today (``start >= available_from`` and
  ``start + hours <= available_until``);
* feasible in time: the worker checked in no later than the job's start, and the request was posted no later
  than the job's start, so both were at the market together before the job began
  (``max(arrive_at, posted_at) <= start``). The trace only posts jobs ahead of their start and makes
  ``available_from >= arrival``, so the platform's own rules imply this: the optimum never forbids a match the
  platform could make;
* the worker would accept that job (:meth:`Trace.answer`): the optimum knows who declines what. A decline is a
  pure function of (seed, worker, request), the same for every engine, so the optimum stays an upper bound.

Only the requests the platform admits count (``requests``: the gateway refuses, e.g., a day wage below the
legal minimum; such a request never reaches a market). One job per worker per day (short jobs included; the
engine may give a worker a second job whose hours do not overlap, see ``filled_one_job_per_worker``). The
optimum is then a maximum bipartite matching of workers to position slots (a request with headcount k is k
slots), solved with ``scipy.sparse.csgraph.maximum_bipartite_matching`` (Hopcroft–Karp).

``scipy`` is imported inside :func:`max_filled` only, so the eligibility rules can be tested without it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from datetime import timedelta
from typing import Any

from tests.benchmarks.matching_trace import Trace, TraceRequest, TraceWorker


def hours_fit(worker: TraceWorker, request: TraceRequest) -> bool:
    return request.start >= worker.available_from and request.end <= worker.available_until


def time_feasible(trace: Trace, worker: TraceWorker, request: TraceRequest) -> bool:
    """Worker and request were both at the market before the job started."""
    start_at = trace.local_midnight() + timedelta(minutes=request.start)
    return max(worker.arrive_at, request.posted_at) <= start_at


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


@dataclasses.dataclass(frozen=True, slots=True)
class Optimum:
    filled: int
    assignment: Mapping[int, int]  # worker index → request index
    eligible_pairs: int
    #: the same optimum if every worker accepted every offer (an upper bound on the headline one)
    filled_if_nobody_declined: int

    def per_key(self, trace: Trace, key: str) -> dict[str, int]:
        """Filled positions by ``"market_id"`` or ``"trade"`` of the request."""
        out: dict[str, int] = {}
        for request in self.assignment.values():
            value = getattr(trace.requests[request], key)
            out[value] = out.get(value, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self, trace: Trace) -> dict[str, Any]:
        return {
            "filled": self.filled,
            "eligible_pairs": self.eligible_pairs,
            "filled_if_nobody_declined": self.filled_if_nobody_declined,
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
    pairs = eligible_pairs(trace, requests=requests)
    assignment = max_filled(pairs, headcounts, len(trace.workers))
    without_declines = max_filled(
        eligible_pairs(trace, answers=False, requests=requests), headcounts, len(trace.workers)
    )
    return Optimum(
        filled=len(assignment),
        assignment=assignment,
        eligible_pairs=len(pairs),
        filled_if_nobody_declined=len(without_declines),
    )
