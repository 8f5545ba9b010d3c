"""What an idle province costs: commands per second and stream-worker CPU with N markets and no traffic (issue 29).

Starts a Kafka broker of its own, then for each market count a stream worker whose catalogue holds the city's
markets plus synthetic ones up to N, with the market clock on (``tick_interval_seconds=1``) and nothing else
happening. After a warm-up (start, the first ticks), it counts for ``--seconds`` the records appended to
``market-commands`` and the worker's CPU time (``/proc/<pid>/stat``).

The worker's code comes from ``--checkout`` (default: this checkout), so the clock before issue 29 is measured
from a checkout of an earlier commit: ``git worktree add /tmp/before <commit>`` then
``--checkout /tmp/before --label before``. Both read ``services.geography.MARKETS`` at start, which the worker
entry (this file run as ``python idle_clock.py worker ...`` with the checkout on ``PYTHONPATH``) extends.

    flock /tmp/lingong-heavy.lock .venv/bin/python -m tests.benchmarks.idle_clock --markets 108 1000 --label after

Results: ``tests/benchmarks/results/idle-clock-<stamp>-<label>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "benchmarks" / "results"
#: The environment variable that tells the worker entry how many markets its catalogue holds.
MARKETS_ENV = "IDLE_CLOCK_MARKETS"


def extend_catalogue(count: int) -> None:
    """Make ``services.geography.MARKETS`` hold ``count`` markets: the city's, then synthetic stations."""
    from services import geography

    have = list(geography.MARKETS)
    counties = [c.code for c in geography.COUNTIES]
    for n in range(len(have), count):
        county = counties[n % len(counties)]
        have.append(geography.Market(f"bench-{n:04d}", county, f"测试驿站{n}", f"Bench station {n}", "station"))
    geography.MARKETS = tuple(have)
    geography.MARKETS_BY_ID = {m.market_id: m for m in have}  # type: ignore[misc]


def worker_main() -> None:
    """The stream worker of one measurement (``python idle_clock.py worker -l info``)."""
    extend_catalogue(int(os.environ[MARKETS_ENV]))
    from streams.__main__ import main

    main()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _end_offsets(bootstrap: str, topic: str) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return int(sum(ends.values()))
    finally:
        await consumer.stop()


def measure(broker: Any, checkout: Path, markets: int, seconds: float, warmup: float, workdir: Path) -> dict[str, Any]:
    """One worker with ``markets`` markets, idle: commands/s on market-commands and the worker's CPU."""
    from deploy.local import procs
    from services.settings import Settings
    from services.topics import MARKET_COMMANDS, topic_specs

    run = uuid.uuid4().hex[:8]
    settings = Settings(
        kafka_bootstrap=broker.bootstrap,
        topic_prefix=f"idle{run}.",
        streams_app_id=f"idle-clock-{run}",
        tick_interval_seconds=1.0,
        streams_metrics_port=0,
    )
    broker.create_topics(topic_specs(settings))
    env = {
        **os.environ,
        **{k: v for k, v in settings.to_environ().items() if k in _known_settings(checkout)},
        MARKETS_ENV: str(markets),
        "PYTHONPATH": str(checkout),
        "F_DATADIR": str(workdir / f"faust-{run}" / "{conf.name}-data"),
        "PYTHONUNBUFFERED": "1",
    }
    (workdir / f"faust-{run}").mkdir(parents=True)
    log = workdir / f"worker-{run}.log"
    proc = procs.spawn(
        [sys.executable, str(Path(__file__).resolve()), "worker", "-l", "info"], log, env=env, cwd=checkout
    )
    try:
        deadline = time.monotonic() + 120
        while "Worker ready" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{procs.tail(log, 40)}")
            time.sleep(0.5)
        time.sleep(warmup)
        topic = settings.topic(MARKET_COMMANDS)
        first_offsets, first_cpu, started = (
            asyncio.run(_end_offsets(broker.bootstrap, topic)),
            _cpu_seconds(proc.pid),
            time.monotonic(),
        )
        time.sleep(seconds)
        last_offsets, last_cpu, ended = (
            asyncio.run(_end_offsets(broker.bootstrap, topic)),
            _cpu_seconds(proc.pid),
            time.monotonic(),
        )
        span = ended - started
        return {
            "markets": markets,
            "seconds": round(span, 1),
            "commands": last_offsets - first_offsets,
            "commands_per_second": round((last_offsets - first_offsets) / span, 1),
            "worker_cpu_percent_of_a_core": round(100 * (last_cpu - first_cpu) / span, 1),
            "drifts_logged": log.read_text(errors="replace").count("woke up too late"),
        }
    finally:
        procs.terminate_group(proc.pid, timeout=20)


def _known_settings(checkout: Path) -> set[str]:
    """The ``LINGONG_*`` variables the checkout's settings know (an older checkout refuses unknown ones)."""
    code = (
        "import dataclasses; from services.settings import Settings; "
        "print(' '.join('LINGONG_' + f.name.upper() for f in dataclasses.fields(Settings)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker_main()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markets", type=int, nargs="+", default=[108, 1000])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    parser.add_argument("--label", default="after")
    args = parser.parse_args()
    from tests.support import stack

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=args.checkout, capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="idle-clock-") as tmp, stack.kafka_broker(Path(tmp) / "kafka") as broker:
        rows = [measure(broker, args.checkout, n, args.seconds, args.warmup, Path(tmp)) for n in args.markets]
    result = {
        "what": "an idle province: market-commands records/s and stream-worker CPU, no traffic, tick interval 1 s",
        "label": args.label,
        "commit": commit,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "runs": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    path = RESULTS / f"idle-clock-{stamp}-{args.label}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
