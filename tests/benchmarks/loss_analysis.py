"""Where the engine loses against the offline optimum: augmenting paths from its placements to the optimum's.

    python -m tests.benchmarks.loss_analysis --seed 1 --policy max_fill:3600

Replays the trace through the engine in process (:mod:`tests.benchmarks.engine_only`), keeps one placement per
worker (the first accepted), and augments that matching to a maximum one over the optimum's eligible pairs
(:func:`tests.benchmarks.offline_optimum.eligible_pairs`), one worker the engine left without a job at a time.
Each augmenting path is a chain: worker ``u`` (no job) could take the place of worker ``v1`` in request ``q1``,
``v1`` could move to ``q2``, ... until a request with a place the engine left empty. For each path it reports:

* whether ``u`` had already checked in when ``v1`` was offered ``q1`` (the engine could have chosen ``u``:
  a choice among equals that later proved wrong) or arrived later (an online commitment);
* whether the request left short was posted before or after that offer (known to the engine or not);
* the path's length, and the trade of the request left short.

It prints a summary; it writes nothing. The number of paths is the gap between the engine's one-job placements
and the one-job optimum.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime

from services.market import records
from services.settings import Settings
from tests.benchmarks import engine_only, matching_trace, offline_optimum
from tests.benchmarks.run_matching import market_policies_spec


def analyse(seed: int, policy: str) -> Counter[str]:
    """The path classification for ``seed`` under ``policy`` (counts by label)."""
    trace = matching_trace.generate(seed)
    run = engine_only.run(trace, Settings(market_policies_spec=market_policies_spec(policy)))
    offered_at = {e.offer_id: e.at for e in run.events if isinstance(e, records.OfferMade)}
    headcount = {q.index: q.headcount for q in trace.requests}
    fits: dict[int, list[int]] = {}
    for w, q in offline_optimum.eligible_pairs(trace):
        fits.setdefault(w, []).append(q)
    holders: dict[int, list[int]] = {q: [] for q in headcount}
    job: dict[int, int] = {}
    when: dict[int, datetime] = {}  # worker → when the engine offered the job it accepted
    for e in run.events:
        if isinstance(e, records.OfferAccepted):
            w, q = run.checkin_ids[e.checkin_id], run.request_ids[e.request_id]
            if w not in job:
                job[w], when[w] = q, offered_at[e.offer_id]
                holders[q].append(w)
    out: Counter[str] = Counter({"engine placements (one a worker)": len(job)})

    def augment(worker: int, seen: set[int], path: list[tuple[int, int, int | None]]) -> bool:
        for q in fits.get(worker, ()):
            if q in seen:
                continue
            seen.add(q)
            if len(holders[q]) < headcount[q]:
                path.append((worker, q, None))
                return True
            for other in list(holders[q]):
                path.append((worker, q, other))
                if augment(other, seen, path):
                    return True
                path.pop()
        return False

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * len(trace.workers)))
    for u in range(len(trace.workers)):
        path: list[tuple[int, int, int | None]] = []
        if u in job or not augment(u, set(), path):
            continue
        out["augmenting paths"] += 1
        first_v, short = path[0][2], trace.requests[path[-1][1]]
        for w, q, v in path:
            if v is not None:
                holders[q].remove(v)
            holders[q].append(w)
            job[w] = q
        out[f"short request's trade: {short.trade}"] += 1
        n = len(path)
        out[f"path length {'1' if n == 1 else '2-5' if n <= 5 else '6-20' if n <= 20 else 'over 20'}"] += 1
        offer_at = when.get(first_v) if first_v is not None else None
        if first_v is None:
            out["u fitted a place the engine left empty"] += 1
        elif offer_at is None:
            out["v1 was moved by an earlier path"] += 1
        else:
            arrived = trace.workers[u].arrive_at <= offer_at
            out["u was checked in when v1 was offered" if arrived else "u arrived after v1 was offered"] += 1
            posted = short.posted_at <= offer_at
            out["short request posted before that offer" if posted else "short request posted after that offer"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.loss_analysis", description=__doc__)
    parser.add_argument("--seed", type=int, action="append")
    parser.add_argument("--policy", default="max_fill")
    args = parser.parse_args(argv)
    for seed in args.seed or [1]:
        print(f"seed {seed}, {args.policy}:")
        for label, count in sorted(analyse(seed, args.policy).items()):
            print(f"  {label}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
