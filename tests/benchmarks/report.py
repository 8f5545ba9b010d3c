"""The figures of one matching run (trace, offline optimum, audited event log) and its plot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from services import clock
from tests.benchmarks import offline_optimum
from tests.benchmarks.log_audit import Audit
from tests.benchmarks.matching_trace import Trace

DEFINITIONS: Mapping[str, str] = {
    "fill_rate": "accepted positions / positions posted in the trace (including those the gateway refuses)",
    "offline_optimum_all_posted": (
        "the same optimum over every request of the trace, also those the gateway refuses (comparable with "
        "runs made before the gateway checked the legal minimum wage)"
    ),
    "filled_over_optimum": "accepted positions / offline optimum (headline figure)",
    "offline_optimum": (
        "the most positions of the requests the gateway admits (the trace posts only such requests; "
        "requests_refused_by_gateway checks it) that could be filled over the whole day, knowing everything: "
        "same market, trade, day wage >= the worker's minimum, job hours inside the worker's hours, "
        "max(check-in time, posting time) <= job start, and the worker would accept that job (answers are a "
        "seeded function of worker and request, the same for every engine); as on the platform, a worker may "
        "take several jobs whose hours do not overlap (an exact integer programme, HiGHS)"
    ),
    "offline_optimum_one_job_per_worker": (
        "the same optimum with one job per worker (maximum bipartite matching of workers to position slots)"
    ),
    "time_to_offer_ms": (
        "wall clock, pipeline only: from the gateway's 202 for the command whose processing produced "
        "the offer (the OfferMade's command_id: a check-in, a job request, or a decline that passed the "
        "place on), or from the broker's acknowledgement of the runner's Tick when a tick released it (a "
        "max_fill window ended; run.offers_caused_by_ticks), to the moment the OfferMade record was read "
        "from market-events by an independent "
        "consumer; an offer read before its 202 arrived counts as 0 ms (negative_clamped). Measured while "
        "the trace is replayed `speedup` times faster than real time, so the command rate is that many "
        "times a real morning's, on a machine shared with other work (run.load_average_*)"
    ),
    "time_to_offer_simulated_seconds": (
        "simulated time, every OfferMade: from max(the worker's WorkerQueued.at, the request's "
        "JobRequestOpened.at) to OfferMade.at, all three the market's clock as written in the log. What a "
        "worker at the market waits once both they and the job are there; with a max_fill window or under "
        "rolling the offer is held on purpose (until the window ends or the job starts soon)"
    ),
    "filled_one_job_per_worker_over_optimum": (
        "accepted positions counting one job per worker (second jobs left out) / the offline optimum with "
        "one job per worker (offline_optimum_one_job_per_worker)"
    ),
    "wait_to_first_offer_minutes": "simulated time from WorkerQueued to the worker's first OfferMade",
    "tier_inversion": (
        "an OfferMade while a free, eligible worker of a better tier (lower number: 0 veteran, 1 other "
        "policy groups, 2 general) was waiting; workers offered by the same command are not counted as "
        "passed over"
    ),
    "within_tier_reordering": (
        "an OfferMade (with no tier inversion) while a free, eligible worker of the same tier with an "
        "earlier ticket was waiting"
    ),
    "workers_passed_over_within_tier": "distinct workers some within-tier reordering passed over",
    "workers_passed_over_never_placed": (
        "of those, the workers who accepted no job all day: whom a reordering may have cost a job"
    ),
    "workers_placed": "distinct workers who accepted at least one job",
    "placements_after_start_plus_grace": (
        "accepted placements (OfferAccepted.at, the market's clock) at or after the job's start plus the "
        "late-start grace (grace_minutes): a worker who could not reach the job in time. Must be 0"
    ),
    "placements_after_start": (
        "accepted placements after the job's start but before its start plus the grace (allowed: a late start)"
    ),
    "decide_ms": (
        "engine only: CPU time of one services.market.decide.decide call (thread time, every command: check-ins, "
        "requests, answers, ticks), percentiles and maximum, on the shared machine"
    ),
}


def late_placements(trace: Trace, audit: Audit, request_index: Mapping[str, int], grace: timedelta) -> dict[str, Any]:
    """Accepted placements by when they were accepted against the job's start: ``after_grace`` (at or after the
    start plus ``grace``: must be 0), ``after_start`` (after the start, before the grace ran out), and the
    minutes after the start of those two together (p50, max)."""
    after_grace = after_start = 0
    minutes: list[float] = []
    for at, _, _, request_id in audit.acceptances:
        index = request_index.get(request_id)
        if index is None:
            continue
        start = offline_optimum.start_at(trace, trace.requests[index])
        if at >= start + grace:
            after_grace += 1
        elif at > start:
            after_start += 1
        if at > start:
            minutes.append((at - start).total_seconds() / 60)
    spread = {"p50": round(sorted(minutes)[len(minutes) // 2], 1), "max": round(max(minutes), 1)} if minutes else {}
    return {"after_grace": after_grace, "after_start": after_start, "minutes_after_start": spread}


def percentiles(values: Sequence[float], qs: Sequence[float] = (50, 99)) -> dict[str, float | None]:
    import numpy as np

    if not values:
        return {f"p{q:g}": None for q in qs}
    found = np.percentile(np.asarray(values, dtype=float), qs)
    return {f"p{q:g}": round(float(v), 1) for q, v in zip(qs, found, strict=True)}


def summarise(
    trace: Trace,
    optimum: offline_optimum.Optimum,
    audit: Audit,
    *,
    checkin_index: Mapping[str, int],
    request_index: Mapping[str, int],
    latencies_ms: Sequence[float] | None,
    negative_clamped: int = 0,
    refused: Mapping[int, str] | None = None,
    optimum_all_posted: offline_optimum.Optimum | None = None,
    grace: timedelta = offline_optimum.GRACE,
) -> dict[str, Any]:
    filled = audit.accepted - audit.cancelled_placements
    late = late_placements(trace, audit, request_index, grace)
    accepted_pairs = [(checkin_index.get(c), request_index.get(q)) for _, _, c, q in audit.acceptances]
    outside = sum(
        1
        for w, q in accepted_pairs
        if w is None or q is None or not offline_optimum.eligible(trace, trace.workers[w], trace.requests[q])
    )
    per_request: dict[int | None, int] = {}
    per_worker: dict[int | None, int] = {}
    for w, q in accepted_pairs:
        per_request[q] = per_request.get(q, 0) + 1
        per_worker[w] = per_worker.get(w, 0) + 1
    over_headcount = sum(1 for q, n in per_request.items() if q is not None and n > trace.requests[q].headcount)
    per_market: dict[str, dict[str, int]] = {}
    for q in trace.requests:
        per_market.setdefault(q.market_id, {"positions": 0, "filled": 0, "optimum": 0})["positions"] += q.headcount
    per_trade: dict[str, dict[str, int]] = {}
    for q in trace.requests:
        per_trade.setdefault(q.trade, {"positions": 0, "filled": 0, "optimum": 0})["positions"] += q.headcount
    for _, q in accepted_pairs:
        if q is not None:
            per_market[trace.requests[q].market_id]["filled"] += 1
            per_trade[trace.requests[q].trade]["filled"] += 1
    for _, q in optimum.assignment:
        per_market[trace.requests[q].market_id]["optimum"] += 1
        per_trade[trace.requests[q].trade]["optimum"] += 1
    second_jobs = sum(n - 1 for w, n in per_worker.items() if w is not None and n > 1)
    waits = [s / 60 for s in audit.first_offer_wait.values()]
    refused = refused or {}
    refusal_rules: dict[str, int] = {}
    for rule in refused.values():
        refusal_rules[rule] = refusal_rules.get(rule, 0) + 1
    everything = optimum_all_posted or optimum
    results: dict[str, Any] = {
        "positions": trace.positions,
        "requests_refused_by_gateway": len(refused),
        "positions_refused_by_gateway": sum(trace.requests[index].headcount for index in refused),
        "refusal_rules": dict(sorted(refusal_rules.items())),
        "filled": filled,
        "fill_rate": round(filled / trace.positions, 4),
        "offline_optimum": optimum.filled,
        "filled_over_optimum": round(filled / optimum.filled, 4) if optimum.filled else None,
        "second_jobs": second_jobs,
        "offline_optimum_one_job_per_worker": optimum.filled_one_job_per_worker,
        "filled_one_job_per_worker_over_optimum": (
            round((filled - second_jobs) / optimum.filled_one_job_per_worker, 4)
            if optimum.filled_one_job_per_worker
            else None
        ),
        "optimum_fill_rate": round(optimum.filled / trace.positions, 4),
        "offline_optimum_all_posted": everything.filled,
        "filled_over_optimum_all_posted": round(filled / everything.filled, 4) if everything.filled else None,
        "optimum_if_nobody_declined": optimum.filled_if_nobody_declined,
        "tier_inversions": audit.tier_inversions,
        "within_tier_reorderings": audit.within_tier_reorderings,
        "engine_marked_reordered": audit.engine_marked_reordered,
        "workers_passed_over_within_tier": len(audit.passed_over),
        "workers_passed_over_never_placed": audit.passed_over_never_placed,
        "workers_placed": len({checkin_id for _, _, checkin_id, _ in audit.acceptances}),
        "grace_minutes": int(grace.total_seconds() // 60),
        "placements_after_start_plus_grace": late["after_grace"],
        "placements_after_start": late["after_start"],
        "minutes_after_start_of_late_placements": late["minutes_after_start"],
        "time_to_offer_ms": (
            {**percentiles(latencies_ms), "n": len(latencies_ms), "negative_clamped": negative_clamped}
            if latencies_ms is not None
            else None
        ),
        "time_to_offer_simulated_seconds": {
            **percentiles(audit.offer_waits, (50, 90, 99)),
            "n": len(audit.offer_waits),
        },
        "wait_to_first_offer_minutes": {**percentiles(waits), "n": len(waits)},
        "workers_offered": len(audit.first_offer_wait),
        "workers": len(trace.workers),
    }
    checks = {
        "ineligible_offers": audit.ineligible_offers,
        "placements_outside_optimum_eligibility": outside,
        "requests_over_headcount": over_headcount,
        "placements_after_start_plus_grace": late["after_grace"],
        "workers_with_two_placements": sum(1 for w, n in per_worker.items() if w is not None and n > 1),
        "duplicate_events": audit.duplicates,
        "multi_job_log": audit.multi_job,
        "tier_source": audit.tier_source,
    }
    return {
        "results": results,
        "log": {k: v for k, v in audit.as_dict().items() if k not in {"examples", "tier_source", "multi_job"}},
        "examples": audit.examples,
        "checks": checks,
        "per_market": dict(sorted(per_market.items())),
        "per_trade": dict(sorted(per_trade.items(), key=lambda kv: -kv[1]["positions"])),
        "definitions": dict(DEFINITIONS),
    }


def plot(
    trace: Trace,
    optimum: offline_optimum.Optimum,
    audit: Audit,
    summary: Mapping[str, Any],
    latencies_ms: Sequence[float] | None,
    path: Path,
    title: str,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    def local(at: datetime) -> datetime:
        return at.astimezone(clock.ZONE).replace(tzinfo=None)

    fig, axes = plt.subplots(1, 3 if latencies_ms else 2, figsize=(17 if latencies_ms else 12, 4.8))
    ax = axes[0]
    posted = sorted(local(q.posted_at) for q in trace.requests for _ in range(q.headcount))
    fills = sorted(local(at) for at, *_ in audit.acceptances)
    arrivals = sorted(local(w.arrive_at) for w in trace.workers)
    ax.step(posted, range(1, len(posted) + 1), where="post", label="positions posted", color="0.6")
    ax.step(arrivals, range(1, len(arrivals) + 1), where="post", label="workers checked in", color="0.8", ls=":")
    if fills:
        ax.step(fills, range(1, len(fills) + 1), where="post", label="positions filled (platform)", color="C0")
    ax.axhline(optimum.filled, color="C3", ls="--", label=f"offline optimum ({optimum.filled})")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.set_xlabel("simulated local time (Asia/Shanghai)")
    ax.set_ylabel("cumulative count")
    ax.set_title("fills over the morning")
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[1]
    markets = list(summary["per_market"])
    xs = range(len(markets))
    width = 0.27
    for offset, key, colour in ((-width, "positions", "0.7"), (0, "optimum", "C3"), (width, "filled", "C0")):
        ax.bar(
            [x + offset for x in xs],
            [summary["per_market"][m][key] for m in markets],
            width,
            label=key,
            color=colour,
        )
    ax.set_xticks(list(xs), markets, rotation=20, fontsize=8)
    ax.set_title("per market")
    ax.legend(fontsize=8)

    if latencies_ms:
        ax = axes[2]
        import numpy as np

        values = [max(v, 1.0) for v in latencies_ms]
        ax.hist(values, bins=np.logspace(0, np.log10(max(values) * 1.1), 40), color="C2")
        ax.set_xscale("log")
        ax.set_xlabel("time to offer, ms (wall clock, pipeline)")
        ax.set_title("time to offer")
    results = summary["results"]
    fig.suptitle(
        f"{title} — fill {results['fill_rate']:.3f}, filled/optimum {results['filled_over_optimum']:.3f}, "
        f"tier inversions {results['tier_inversions']}, reorderings {results['within_tier_reorderings']}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_family(document: Mapping[str, Any], path: Path) -> None:
    """The family's result: filled / reachable optimum per trace (sorted by greedy's), one line per policy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    traces = sorted(document["traces"], key=lambda t: t["greedy_over_optimum"] or 0.0)
    fig, ax = plt.subplots(figsize=(10, 5))
    xs = list(range(len(traces)))
    for policy in document["policies"]:
        ys = [t["policies"][policy]["filled_over_optimum"] for t in traces]
        ax.plot(xs, ys, marker="o", markersize=3, label=policy)
    ax.axhline(0.97, color="grey", linestyle=":", linewidth=1)
    ax.axhline(0.95, color="grey", linestyle="--", linewidth=1)
    ax.set_xticks(xs, [str(t["seed"]) for t in traces], fontsize=7)
    ax.set_xlabel("trace seed (sorted by first-come greedy / optimum)")
    ax.set_ylabel("filled / reachable optimum")
    ax.set_title(f"family of {document['family']} mornings (scale {document['scale']:g}, engine only)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
