"""``python -m tests.benchmarks.perf``: the performance benchmark (``make bench-perf``), loopback only.

Starts its own Kafka (KRaft) and Redis on free ports, like the tests, then for each mode — ``single`` (one
gateway, one stream worker) and ``scale_out`` (two gateways on one port with ``SO_REUSEPORT``, two stream
workers; six partitions in both) — runs, in fresh topic namespaces:

1. the HTTP ramp, gateway and bare aiohttp back to back (the gateway alone: no stream worker consumes);
2. kiosk-to-offer at 500 check-ins/s through the gateway (after an unscored warm-up at 250/s in the same
   namespace; then 250/s), then the pipeline ramp fed straight to Kafka;
3. the invariant checks over what is on the broker.

Then (single mode) the matcher against a bare Faust agent over the same pre-loaded commands. Writes
``tests/benchmarks/results/perf-<stamp>.json`` and ``.png``; every figure carries the machine's load average.
Bounded in time: every step has a fixed count, every wait a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from deploy.local import procs
from tests.benchmarks.perf import invariants, phases
from tests.benchmarks.perf.platform import (
    CpuMeter,
    Platform,
    cpu_ms,
    namespace,
    peak_rss_mib,
    register,
    wait_healthy,
)
from tests.benchmarks.perf.plot import plot
from tests.support import stack

T = TypeVar("T")
RESULTS = Path(__file__).resolve().parents[1] / "results"
TARGETS = {
    "gateway_vs_bare_aiohttp_min": 0.60,
    "kiosk_to_offer_p99_max_ms": 150.0,
    "pipeline_min_per_s": 2000,
    "matcher_vs_bare_faust_min": 0.50,
}
#: The load generator is one address driving 64 kiosks at up to thousands of requests per second: the per-address
#: (3,000/min) and per-kiosk (120/min) limits would answer 429 and measure themselves. They still count every
#: request (the same Redis work); only their thresholds are out of the way.
LOAD_LIMITS = {"address_requests_max": 10**9, "kiosk_requests_max": 10**9, "account_requests_max": 10**9}
#: The warm-up's worker numbers: apart from every measured step's (0…, 1,000,000…, 2,000,000·n…).
WARM_UP_WORKERS = 9_000_000


def run(coro: Coroutine[Any, Any, T]) -> T:
    return uvloop.run(coro)


def load() -> dict[str, Any]:
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return {"load_average": [round(x, 2) for x in os.getloadavg()], "uptime": uptime, "at": _now()}


def write_back() -> dict[str, float]:
    """Write the page cache's dirty pages to disk (``sync``) and say how many there were and how long it took.

    Before each stream ceiling run, so that no write-back of the earlier phases' broker writes (~1 GB) overlaps
    it: the matcher waits for the broker's acknowledgement of every batch's outputs, the bare agent only reads.
    (Session 11 suspected it of the matcher's pauses; with it, the pauses stayed: it is kept as a control.)"""
    before = _meminfo_kib("Dirty") + _meminfo_kib("Writeback")
    started = time.monotonic()
    os.sync()
    return {"dirty_kib": before, "sync_seconds": round(time.monotonic() - started, 2)}


def _meminfo_kib(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0])
    return 0


def cpu_model() -> dict[str, str]:
    """The processor's model name and BogoMIPS from ``/proc/cpuinfo`` (machines of one kind differ: results of
    different sessions compare only through the ratios taken within one run)."""
    found: dict[str, str] = {}
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        name, _, value = line.partition(":")
        key = {"model name": "cpu_model", "bogomips": "bogomips"}.get(name.strip())
        if key and key not in found:
            found[key] = value.strip()
    return found


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def warm_up_broker(kafka: stack.KafkaBroker, redis: stack.RedisServer, workdir: Path, seconds: float) -> None:
    """Check-ins through a throwaway namespace (stream worker, projector) for ``seconds``, before anything is
    measured: a broker that has just started spends whole cores compiling its hot paths (the JIT's compiler
    threads took a third of the broker's CPU in the first minutes), which a broker in service has long done."""
    ns = namespace(kafka, redis, "warm-up", partitions=6)
    platform = Platform(ns, workdir / "warm-up")
    try:
        platform.start_projector()
        platform.start_workers(1)
        steps = max(1, round(seconds / 10))
        run(phases.pipeline_ramp(ns, [300] * steps, 10.0, first_worker=50_000_000, stop_unbounded=False))
    finally:
        platform.stop()


def run_mode(
    kafka: stack.KafkaBroker, redis: stack.RedisServer, workdir: Path, mode: str, cfg: argparse.Namespace
) -> dict[str, Any]:
    count = 2 if mode == "scale_out" else 1
    out: dict[str, Any] = {"gateways": count, "stream_workers": count, "load_before": load()}

    print(f"[{mode}] HTTP ramp: gateway ×{count} vs bare aiohttp", flush=True)
    http_ns = namespace(kafka, redis, f"{mode}-http", partitions=cfg.partitions, **LOAD_LIMITS)
    http_platform = Platform(http_ns, workdir / "http")
    try:
        http_platform.start_projector()
        credentials = run(register(http_ns))
        http_platform.start_gateways(count)
        run(wait_healthy(http_ns.gateway_port))
        bare_port = procs.free_port()
        http_platform.start_bare_http(bare_port)
        profile = http_platform.profile("gateway-0", cfg.profile_seconds)
        cpu_pids = {name: p.proc.pid for name, p in http_platform.processes.items() if name != "projector"}
        cpu_before = {name: cpu_ms(pid) for name, pid in cpu_pids.items()}
        step_pids: dict[str, int | None] = {n: p.proc.pid for n, p in http_platform.processes.items()}
        step_pids |= {"kafka": kafka.pid, "redis": redis.pid}
        http = run(
            phases.http_ceiling(
                http_ns.gateway_port, bare_port, credentials, cfg.http_rates, cfg.http_step, cpu_pids=step_pids
            )
        )
        out["http_cpu_ms_per_202"] = _cpu_per_202(http, {n: cpu_ms(p) - cpu_before[n] for n, p in cpu_pids.items()})
        out["peak_rss_mib_http"] = http_platform.peak_rss()
        out["profile_gateway"] = profile.summary() if profile else None
    finally:
        http_platform.stop()
    accepted = http.pop("accepted_checkins")
    out["http"] = http
    out["invariants_http"] = run(invariants.commands_on_broker(http_ns, accepted))
    print(f"  gateway 202s on the broker: {out['invariants_http']}", flush=True)

    print(f"[{mode}] kiosk→offer and pipeline ramp: gateway ×{count}, stream worker ×{count}", flush=True)
    out["load_before_pipeline"] = load()
    ns = namespace(kafka, redis, mode, partitions=cfg.partitions, **LOAD_LIMITS)
    main_platform = Platform(ns, workdir / "main")
    try:
        main_platform.start_projector()
        main_platform.start_workers(count)
        credentials = run(register(ns))
        main_platform.start_gateways(count)
        run(wait_healthy(ns.gateway_port))
        cpu = CpuMeter({**main_platform.pids(), "kafka": kafka.pid or 0, "redis": redis.pid or 0})
        # A platform in service is warm: the first check-ins through a fresh namespace cost the broker ~2 CPU
        # seconds more and held the first 1.5 s of offers up to 1 s; after 90 s idle there is no such spike.
        warm = run(
            phases.kiosk_to_offer(
                ns, credentials, cfg.warm_offer_rate, cfg.offer_seconds, first_worker=WARM_UP_WORKERS, cpu=cpu
            )
        )
        warm_accepted = warm.pop("accepted_checkins")
        out["kiosk_to_offer_warm_up"] = warm
        k2o = run(phases.kiosk_to_offer(ns, credentials, cfg.offer_rate, cfg.offer_seconds, first_worker=0, cpu=cpu))
        k2o["accepted_checkins"] += warm_accepted
        out["kiosk_to_offer_at"] = {}  # below saturation; before the ramp, whose backlog would be measured
        for n, rate in enumerate(cfg.extra_offer_rates):
            extra = run(
                phases.kiosk_to_offer(
                    ns, credentials, rate, cfg.offer_seconds, first_worker=2_000_000 * (n + 1), cpu=cpu
                )
            )
            k2o["accepted_checkins"] += extra.pop("accepted_checkins")
            out["kiosk_to_offer_at"][str(rate)] = extra
        profile = main_platform.profile("streams-0", cfg.profile_seconds)
        pipeline = run(phases.pipeline_ramp(ns, cfg.pipeline_rates, cfg.pipeline_step, first_worker=1_000_000, cpu=cpu))
        out["profile_streams_pipeline"] = profile.summary() if profile else None
        accepted = k2o.pop("accepted_checkins") + pipeline.pop("fed_checkins")
        # While the platform still runs: a backlog left by the ramp is processed before anything counts as lost.
        out["invariants"] = run(invariants.settled_effects(ns, accepted, timeout=cfg.settle_seconds))
        offered_all = k2o["offered"] == k2o["accepted"] and warm["offered"] == warm["accepted"]
        out["invariants"]["every_checkin_offered"] = offered_all
        out["peak_rss_mib"] = main_platform.peak_rss()
        for name in main_platform.processes:
            print(f"  {name}: log {main_platform.processes[name].log}", flush=True)
    finally:
        main_platform.stop()
    out["kiosk_to_offer"], out["pipeline"] = k2o, pipeline
    print(f"  invariants: {out['invariants']}", flush=True)
    out["load_after"] = load()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.perf", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--modes",
        default="single,scale_out,ceiling",
        help="comma-separated: single, scale_out, ceiling (the stream one)",
    )
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="no py-spy profiles")
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run of every phase (~3 min)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--tag", default="", help="suffix of the result file names")
    parser.add_argument("--rescore", type=Path, help="recompute the summary, verdict and plot of a result file")
    parser.add_argument(
        "--stream-count",
        dest="stream_count_arg",
        metavar="N",
        type=int,
        help="check-in commands of each stream ceiling run",
    )
    cfg = parser.parse_args(argv)
    if cfg.rescore:
        return rescore(cfg.rescore)
    cfg.partitions = 6
    cfg.profile_seconds = 20 if cfg.profile else 0
    cfg.settle_seconds = 60 if cfg.quick else 180
    cfg.warmup_seconds = 10 if cfg.quick else 60
    cfg.ceiling_runs = 1 if cfg.quick else 3
    #: Kiosk to offer also below saturation (informational: the target is at 500/s).
    cfg.extra_offer_rates = [] if cfg.quick else [250]
    #: Check-ins through the kiosk phase's fresh namespace before anything of it is measured (reported, unscored).
    cfg.warm_offer_rate = 50 if cfg.quick else 250
    if cfg.quick:
        cfg.http_rates, cfg.http_step = [200, 400], 2.0
        cfg.offer_rate, cfg.offer_seconds = 100, 3.0
        cfg.pipeline_rates, cfg.pipeline_step = [200, 400], 3.0
        cfg.stream_count = 1000
    else:
        # The bare server saturated at 16,000-20,000/s here (session 10): the ramp goes past it.
        cfg.http_rates = [100, 250, 500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000]
        cfg.http_rates += [10000, 12000, 14000, 16000, 20000, 24000]
        cfg.http_step = 4.0
        cfg.offer_rate, cfg.offer_seconds = 500, 10.0
        cfg.pipeline_rates, cfg.pipeline_step = [500, 1000, 1500, 2000, 3000, 4000], 6.0
        cfg.stream_count = 8000
    if cfg.stream_count_arg:
        cfg.stream_count = cfg.stream_count_arg
    modes = [m.strip() for m in cfg.modes.split(",") if m.strip()]

    started = time.monotonic()
    result: dict[str, Any] = {
        "started_at": _now(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "uptime_start": load()["uptime"],
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": host.platform(),
            **cpu_model(),
        },
        "quick": cfg.quick,
        "targets": TARGETS,
        "modes": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="lingong-perf-"))
    (workdir / "faust").mkdir()
    os.environ["F_DATADIR"] = str(workdir / "faust" / "{conf.name}-data")  # Faust's state: not in the checkout
    print(f"work directory (logs): {workdir}", flush=True)
    with stack.kafka_broker(workdir / "kafka") as kafka, stack.redis_server(workdir / "redis") as redis:
        print(f"warming the broker up: {cfg.warmup_seconds:.0f} s of check-ins at 300/s", flush=True)
        result["load_before_warm_up"] = load()
        warm_up_broker(kafka, redis, workdir, cfg.warmup_seconds)
        for mode in (m for m in modes if m in ("single", "scale_out")):
            result["modes"][mode] = run_mode(kafka, redis, workdir / mode, mode, cfg)
        if "ceiling" in modes:
            result["load_before_stream_ceiling"] = load()
            runs = []
            for n in range(cfg.ceiling_runs):  # the two sides vary from run to run: the median ratio counts
                print(f"[single] stream ceiling {n + 1}/{cfg.ceiling_runs}: matcher vs bare Faust agent", flush=True)
                ns = namespace(kafka, redis, f"matcher{n}", partitions=cfg.partitions)
                profile_seconds = cfg.profile_seconds if n == 0 else 0
                flushed = write_back()
                print(f"  written back first: {flushed}", flush=True)
                runs.append(
                    phases.stream_ceiling(kafka, ns, workdir / f"matcher{n}", cfg.stream_count, run, profile_seconds)
                )
                runs[-1]["written_back_before"] = flushed
            result["stream_ceiling_runs"] = runs
            result["stream_ceiling"] = {
                **sorted(runs, key=lambda r: r["ratio"] or 0)[len(runs) // 2],
                "ratios": [r["ratio"] for r in runs],
                "ratios_tuned": [r["ratio_tuned"] for r in runs],
                "ratio_tuned_median": statistics.median(r["ratio_tuned"] or 0 for r in runs),
                "profile_matcher": runs[0]["profile_matcher"],
            }
        result["peak_rss_mib_kafka_redis"] = {"kafka": _hwm(kafka), "redis": _hwm(redis)}
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.monotonic() - started, 1)
    result["verdict"] = verdict(result)
    cfg.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    name = f"perf-{'quick-' if cfg.quick else ''}{stamp}{'-' + cfg.tag if cfg.tag else ''}"
    (cfg.out / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    plot(result, cfg.out / f"{name}.png")
    print(json.dumps(result["verdict"], indent=1), flush=True)
    print(f"wrote {cfg.out / name}.json and .png", flush=True)
    return 0


def rescore(path: Path) -> int:
    """Summaries, verdict and plot again from the steps stored in ``path`` (no new measurement)."""
    result = json.loads(path.read_text())
    for data in result["modes"].values():
        data["http"].update(phases.score_http(data["http"]["steps"]))
    result["verdict"] = verdict(result)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    plot(result, path.with_suffix(".png"))
    print(json.dumps(result["verdict"], indent=1))
    return 0


def _cpu_per_202(http: dict[str, Any], spent: dict[str, float]) -> dict[str, float]:
    """CPU ms per 202 over the whole HTTP ramp (warm-up included) of the gateways together and of the bare
    server (see tests/benchmarks/perf/gateway_cpu.py for the figure at a fixed moderate rate)."""
    gateways = sum(ms for name, ms in spent.items() if name.startswith("gateway"))
    bare_ok = phases.WARMUP_COUNT + sum(step["ok"] for step in http["steps"]["bare_aiohttp"])
    gateway_ok = len(http["accepted_checkins"])
    return {
        "gateway": round(gateways / gateway_ok, 4) if gateway_ok else float("nan"),
        "bare_aiohttp": round(spent.get("bare-aiohttp", float("nan")) / bare_ok, 4),
    }


def _hwm(server: Any) -> float:
    pid = server.pid
    return peak_rss_mib(pid) if pid else float("nan")


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """Each target: the measured figure, the target, met or not (per mode where it applies)."""
    out: dict[str, Any] = {}
    for mode, data in result["modes"].items():
        p99 = data["kiosk_to_offer"]["offer_latency"]["p99_ms"]
        out[mode] = {
            "gateway_per_s": round(data["http"]["gateway"]["throughput_per_s"], 1),
            "gateway_sustained_per_s": data["http"]["gateway"]["sustained_rate_per_s"],
            "bare_aiohttp_per_s": round(data["http"]["bare_aiohttp"]["throughput_per_s"], 1),
            "bare_aiohttp_sustained_per_s": data["http"]["bare_aiohttp"]["sustained_rate_per_s"],
            "gateway_vs_bare": data["http"]["ratio"],
            "gateway_vs_bare_met": (data["http"]["ratio"] or 0) >= TARGETS["gateway_vs_bare_aiohttp_min"],
            "kiosk_to_offer_p99_ms": p99,
            "kiosk_to_offer_met": p99 <= TARGETS["kiosk_to_offer_p99_max_ms"],
            "pipeline_per_s": data["pipeline"]["throughput_per_s"],
            "pipeline_met": data["pipeline"]["throughput_per_s"] >= TARGETS["pipeline_min_per_s"],
            "invariants_ok": data["invariants"]["ok"] and data["invariants_http"]["ok"],
        }
    if "stream_ceiling" in result:
        ratio = result["stream_ceiling"]["ratio"] or 0
        out["matcher_vs_bare_faust"] = ratio
        out["matcher_vs_bare_faust_met"] = ratio >= TARGETS["matcher_vs_bare_faust_min"]
        # Against the framework as the worker runs it (the same changes to Faust applied to the bare agent).
        out["matcher_vs_bare_faust_tuned"] = result["stream_ceiling"]["ratio_tuned_median"]
    return out


if __name__ == "__main__":
    sys.exit(main())
