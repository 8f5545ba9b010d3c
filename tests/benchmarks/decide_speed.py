"""How fast one market decides with 3,000 workers queued (issue 26: ``decide()`` p99 <= 5 ms, max <= 20 ms).

One market, 3,000 workers arriving early and 2,000 places posted late (the morning of docs/matching-benchmark.md,
"decide() speed"), fed to ``services.market.decide.decide`` in process (:mod:`tests.benchmarks.engine_only`) under one
policy. It writes ``results/decide-speed-<policy>.json``: ``decide()`` CPU ms (p50, p90, p99, max, with and
without the cycle collector), the slowest calls (command type, ms, facts), the share of the cycle collector in
the slowest calls, and ``events_sha256``, a digest of every fact's bytes: two code versions that decide
identically give the same digest (how a speed-up is shown to change no decision). ``--profile`` adds the
functions that take the most time (cProfile, a separate run).

    .venv/bin/python -m tests.benchmarks.decide_speed --policy fcfs --policy lottery:7
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import hashlib
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services.market import decide as market
from services.market import records
from services.records import encode
from services.settings import Settings
from tests.benchmarks import engine_only, report
from tests.benchmarks.matching_trace import Trace, TraceParams, generate

#: The morning of the measurement: every worker and place at one market, workers early, places late.
PARAMS = TraceParams(
    markets=(("zs-market", 1.0),),
    workers=3000,
    positions=2000,
    arrival_beta=(1.3, 4.0),
    posting_beta=(3.0, 1.5),
)
RESULTS = Path(__file__).parent / "results"


@contextmanager
def collector(enabled: bool) -> Iterator[list[float]]:
    """The cycle collector on or off for the block; yields the wall seconds of each collection (when on)."""
    pauses: list[float] = []
    began: list[float] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began.append(time.perf_counter())
        elif began:
            pauses.append(time.perf_counter() - began.pop())

    was = gc.isenabled()
    gc.collect()
    if enabled:
        gc.enable()
        gc.callbacks.append(watch)
    else:
        gc.disable()
    try:
        yield pauses
    finally:
        if enabled:
            gc.callbacks.remove(watch)
        if was:
            gc.enable()
        else:
            gc.disable()


def measure(trace: Trace, policy: str, gc_on: bool) -> dict[str, Any]:
    """One run of the trace under ``policy``: decide() CPU ms and the digest of the facts; with the collector
    on, which calls a collection of the (whole benchmark) process ran in."""
    from tests.benchmarks.run_matching import market_policies_spec

    settings = Settings(market_policies_spec=market_policies_spec(policy))
    refused = engine_only.gateway_refusals(trace, settings)
    admitted = {q.index for q in trace.requests} - set(refused)
    decide = market.decide
    collected: list[bool] = []
    with collector(gc_on) as pauses:

        def watched(state: Any, command: Any, rules: Any) -> Any:
            before = len(pauses)
            decision = decide(state, command, rules)
            collected.append(len(pauses) != before)
            return decision

        market.decide = watched  # type: ignore[assignment]
        try:
            began = time.process_time()
            run = engine_only.run(trace, settings, admitted)
            cpu = time.process_time() - began
        finally:
            market.decide = decide  # type: ignore[assignment]
    ms = [s * 1000 for s in run.decide_seconds]
    clean = [m for m, gc_ran in zip(ms, collected, strict=True) if not gc_ran]
    digest = hashlib.sha256()
    for event in run.events:
        digest.update(encode(event))
        digest.update(b"\n")
    return {
        "collector": "on" if gc_on else "off",
        "calls": len(ms),
        "decide_ms": {**report.percentiles(ms, (50, 90, 99)), "max": round(max(ms, default=0.0), 2)},
        "calls_with_a_collection": len(ms) - len(clean),
        "decide_ms_without_collections": {**report.percentiles(clean, (99,)), "max": round(max(clean, default=0.0), 2)},
        "calls_over_5_ms": sum(1 for m in ms if m > 5),
        "calls_over_20_ms": sum(1 for m in ms if m > 20),
        "decide_cpu_seconds": round(sum(run.decide_seconds), 2),
        "run_cpu_seconds": round(cpu, 2),
        "collections": len(pauses),
        "collection_ms_max": round(max(pauses, default=0.0) * 1000, 1),
        "facts": len(run.events),
        "offers": sum(1 for e in run.events if isinstance(e, records.OfferMade)),
        "placements": sum(1 for e in run.events if isinstance(e, records.OfferAccepted)),
        "events_sha256": digest.hexdigest(),
    }


def profile(trace: Trace, policy: str, top: int = 25) -> str:
    """The functions taking the most cumulative time in one run (cProfile, collector on)."""
    from tests.benchmarks.run_matching import market_policies_spec

    settings = Settings(market_policies_spec=market_policies_spec(policy))
    admitted = {q.index for q in trace.requests} - set(engine_only.gateway_refusals(trace, settings))
    profiler = cProfile.Profile()
    profiler.enable()
    engine_only.run(trace, settings, admitted)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", action="append", help="fcfs, lottery:<seed>, max_fill[:s], rolling[:min]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also print (and store) a cProfile of one run")
    parser.add_argument("--label", default="", help="a suffix of the result file's name")
    parser.add_argument("--workers", type=int, default=PARAMS.workers, help="workers (places: two thirds of it)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    params = dataclasses.replace(PARAMS, workers=args.workers, positions=round(args.workers * 2 / 3))
    trace = generate(args.seed, params)
    from tests.benchmarks.run_matching import CODE_AT_IMPORT, _git, policy_slug

    for policy in args.policy or ["fcfs"]:
        document: dict[str, Any] = {
            "benchmark": "decide-speed",
            "policy": policy,
            "seed": args.seed,
            "params": params.as_dict(),
            "workers": len(trace.workers),
            "positions": trace.positions,
            "code_sha256": CODE_AT_IMPORT,
            "git": _git(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "target": {"p99_ms": 5.0, "max_ms": 20.0},
            "runs": [measure(trace, policy, gc_on=True), measure(trace, policy, gc_on=False)],
        }
        document["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if args.profile:
            document["profile"] = profile(trace, policy)
            print(document["profile"])
        size = "" if args.workers == PARAMS.workers else f"-{args.workers}w"
        name = f"decide-speed-{policy_slug(policy)}{size}" + (f"-{args.label}" if args.label else "")
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        for run in document["runs"]:
            d = run["decide_ms"]
            print(
                f"{policy} collector {run['collector']}: {run['calls']} calls, decide ms p50 {d['p50']} "
                f"p99 {d['p99']} max {d['max']} (> 5 ms: {run['calls_over_5_ms']}, > 20 ms: "
                f"{run['calls_over_20_ms']}); without the {run['calls_with_a_collection']} calls a collection ran in: "
                f"p99 {run['decide_ms_without_collections']['p99']} max {run['decide_ms_without_collections']['max']}; "
                f"{run['offers']} offers, {run['placements']} placements; "
                f"events {run['events_sha256'][:16]}"
            )
        print(f"results in {args.out / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
