"""``python -m tests.benchmarks.perf.gateway_cpu``: CPU time per check-in of the gateway and of the bare aiohttp
handler, a figure that holds on a shared machine where throughput figures do not.

Starts Kafka and Redis on free ports (like the perf benchmark), one real gateway process (``python -m
gateway``, with the projector only to register the kiosk tokens) and the bare handler, then sends both the
same ``--count`` check-ins at a fixed moderate ``--rate`` (open loop, :mod:`tests.benchmarks.perf.loadgen`),
``--rounds`` times alternately. Around every round it reads the server process's CPU time (user + system,
``/proc/<pid>/stat``), and Redis's and Kafka's too: CPU milliseconds per request of each. The ratio
bare / gateway of the CPU per request predicts the throughput ratio on a saturated machine, whatever else
runs beside. ``--baseline DIR`` adds a third server: the gateway of another source tree (e.g. ``git archive``
of an older commit unpacked in DIR) on the same Kafka, Redis and namespace, measured in the same interleaved
rounds, so a before/after comparison sees the same machine load. Writes
``tests/benchmarks/results/gateway-cpu-<stamp>[-tag].json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deploy.local import procs
from services.settings import Settings
from tests.benchmarks.perf import workload
from tests.benchmarks.perf.__main__ import LOAD_LIMITS, RESULTS, load, run
from tests.benchmarks.perf.loadgen import Pool, run_open_loop, summarise
from tests.benchmarks.perf.platform import Platform, cpu_ms, namespace, register, wait_healthy
from tests.support import stack

_SUMMARY = "CPU time per check-in of the gateway and of the bare aiohttp handler"


async def _round(pool: Pool, kiosks: workload.Kiosks, start: int, rate: float, count: int) -> dict[str, Any]:
    def make(i: int) -> tuple[bytes, object]:
        return kiosks.check_in(start + i, workload.QUEUE_TRADE)

    outcomes = await run_open_loop(pool, make, rate=rate, count=count)
    return summarise(outcomes, rate)


async def _fresh_round(
    port: int, kiosks: workload.Kiosks, start: int, cfg: argparse.Namespace, count: int, pids: dict[str, int | None]
) -> dict[str, Any]:
    """One round on fresh keep-alive connections (the servers close connections idle for 15 s, longer than the
    other servers' rounds), with the CPU time each process spent on it (connecting excluded)."""
    pool = Pool("127.0.0.1", port, cfg.connections)
    await pool.open()
    try:
        before = {p: cpu_ms(pid) for p, pid in pids.items()}
        summary = await _round(pool, kiosks, start, cfg.rate, count)
        spent = {p: cpu_ms(pid) - before[p] for p, pid in pids.items()}
    finally:
        pool.close()
    summary["cpu_ms_per_request"] = {p: round(ms / count, 4) for p, ms in spent.items()}
    summary["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return summary


async def measure(
    pids: dict[str, int | None], ports: dict[str, int], kiosks_of: dict[str, workload.Kiosks], cfg: argparse.Namespace
) -> dict[str, Any]:
    """Warm every server up, then ``cfg.rounds`` interleaved rounds; CPU per request of every process."""
    worker = 0
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in ports}
    for name, port in ports.items():
        await _fresh_round(port, kiosks_of[name], worker, cfg, cfg.warmup, pids)
        worker += cfg.warmup
    for n in range(cfg.rounds):
        for name, port in ports.items():
            summary = await _fresh_round(port, kiosks_of[name], worker, cfg, cfg.count, pids)
            worker += cfg.count
            rounds[name].append(summary)
            print(
                f"  round {n} {name:16s} ok {summary['ok']}/{summary['sent']} p50 {summary['p50_ms']:.1f} ms "
                f"cpu/request {summary['cpu_ms_per_request']} load {summary['load_average']}",
                flush=True,
            )
    return {"rounds": rounds, **score(rounds)}


def score(rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The median over rounds of each server's own CPU per request, and the ratio bare / gateway."""
    own = {"gateway": "gateway-0", "bare_aiohttp": "bare-aiohttp", "baseline_gateway": "baseline-gateway"}
    median = {
        name: statistics.median(r["cpu_ms_per_request"][own[name]] for r in runs) for name, runs in rounds.items()
    }
    out: dict[str, Any] = {f"{name}_cpu_ms_per_request": round(ms, 4) for name, ms in median.items()}
    for side in ("redis", "kafka"):
        out[f"{side}_cpu_ms_per_gateway_request"] = round(
            statistics.median(r["cpu_ms_per_request"][side] for r in rounds["gateway"]), 4
        )
    out["ratio_bare_over_gateway"] = round(median["bare_aiohttp"] / median["gateway"], 3) if median["gateway"] else None
    if median.get("baseline_gateway"):
        out["ratio_bare_over_baseline_gateway"] = round(median["bare_aiohttp"] / median["baseline_gateway"], 3)
    return out


def start_baseline(
    settings: Settings, tree: Path, workdir: Path, extra_env: list[str]
) -> tuple[subprocess.Popen[bytes], int]:
    """``python -m gateway`` of the source tree ``tree`` with ``settings`` (and ``NAME=VALUE`` overrides) on a
    port of its own."""
    port = procs.free_port()
    env = {**os.environ, **dataclasses.replace(settings, gateway_port=port).to_environ(), "PYTHONUNBUFFERED": "1"}
    env.update(item.split("=", 1) for item in extra_env)  # type: ignore[misc]
    env["PYTHONPATH"] = str(tree)
    log = workdir / "baseline-gateway.log"
    proc = procs.spawn([sys.executable, "-m", "gateway"], log, env=env, cwd=tree)
    deadline = time.monotonic() + 60
    try:
        while "Running on" not in (log.read_text(errors="replace") if log.exists() else ""):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"baseline gateway did not start:\n{procs.tail(log, 40)}")
            time.sleep(0.2)
    except BaseException:
        procs.terminate_group(proc.pid)
        raise
    return proc, port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.perf.gateway_cpu", description=_SUMMARY)
    parser.add_argument("--count", type=int, default=3000, help="check-ins per round and server")
    parser.add_argument("--rate", type=float, default=300.0, help="arrival rate per second (open loop)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=600)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--profile", type=float, default=0.0, help="seconds of py-spy on the gateway (first round)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--tag", default="")
    parser.add_argument("--baseline", type=Path, help="source tree of a second gateway to compare with")
    parser.add_argument(
        "--baseline-env", action="append", default=[], metavar="NAME=VALUE", help="environment of the baseline"
    )
    cfg = parser.parse_args(argv)
    result: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "load_before": load()}
    result["config"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(cfg).items() if k != "out"}
    result["commit"] = _commit()
    workdir = Path(tempfile.mkdtemp(prefix="lingong-gwcpu-"))
    print(f"work directory (logs): {workdir}", flush=True)
    with stack.kafka_broker(workdir / "kafka") as kafka, stack.redis_server(workdir / "redis") as redis:
        ns = namespace(kafka, redis, "gwcpu", partitions=6, **LOAD_LIMITS)
        platform = Platform(ns, workdir / "gw")
        baseline: subprocess.Popen[bytes] | None = None
        (workdir / "gw").mkdir(parents=True, exist_ok=True)
        try:
            platform.start_projector()
            credentials = run(register(ns))
            platform.start_gateways(1)
            run(wait_healthy(ns.gateway_port))
            bare_port = procs.free_port()
            platform.start_bare_http(bare_port)
            ports = {"gateway": ns.gateway_port, "bare_aiohttp": bare_port}
            if cfg.baseline:
                baseline, ports["baseline_gateway"] = start_baseline(
                    ns, cfg.baseline.resolve(), workdir / "gw", cfg.baseline_env
                )
                run(wait_healthy(ports["baseline_gateway"]))
            kiosks_of = {name: workload.Kiosks(credentials.kiosks, "127.0.0.1", port) for name, port in ports.items()}
            pids: dict[str, int | None] = {n: p.proc.pid for n, p in platform.processes.items() if n != "projector"}
            pids |= {"redis": redis.pid, "kafka": kafka.pid}
            if baseline is not None:
                pids["baseline-gateway"] = baseline.pid
            profile = platform.profile("gateway-0", cfg.profile)
            result.update(run(measure(pids, ports, kiosks_of, cfg)))
            result["profile_gateway"] = profile.summary(top=25) if profile else None
        finally:
            platform.stop()
            if baseline is not None:
                procs.terminate_group(baseline.pid)
    result["load_after"] = load()
    cfg.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    path = cfg.out / f"gateway-cpu-{stamp}{'-' + cfg.tag if cfg.tag else ''}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k.endswith("request") or k.startswith("ratio")}, indent=1))
    print(f"wrote {path}", flush=True)
    return 0


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
