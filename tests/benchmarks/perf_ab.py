"""``python -m tests.benchmarks.perf_ab --base REV``: the performance benchmark on two source trees in one go.

Exports ``REV`` (``git archive``) into a temporary directory and runs ``python -m tests.benchmarks.perf`` there and
in this tree, alternately (base, then this tree, ``--rounds`` times), with the same arguments (after ``--``), one
at a time on the same machine: the two columns of an A/B share the machine's state and its load. Each run writes
its own result (tags ``ab-base`` and ``ab-new``, in this tree's ``tests/benchmarks/results/``); this writes
``perf-ab-<stamp>.json`` with both columns of every verdict figure (median over rounds) and prints them.

Each run starts its own Kafka and Redis on free loopback ports, as ``make bench-perf`` does. Run it with nothing
else on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "benchmarks" / "results"


def export(rev: str, into: Path) -> str:
    """Write the tree of ``rev`` into ``into``; its full commit id."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True, text=True)
    archive = subprocess.run(["git", "archive", commit.stdout.strip()], cwd=ROOT, check=True, capture_output=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return commit.stdout.strip()


def run_perf(tree: Path, tag: str, args: list[str]) -> dict[str, Any]:
    """One ``tests.benchmarks.perf`` run in ``tree``; its result (the newest file with ``tag``)."""
    before = set(RESULTS.glob(f"perf-*{tag}.json"))
    command = [sys.executable, "-m", "tests.benchmarks.perf", "--out", str(RESULTS), "--tag", tag, *args]
    print(f"== {tag}: {' '.join(command)} (in {tree})", flush=True)
    subprocess.run(command, cwd=tree, check=True, env={**os.environ, "PYTHONPATH": str(tree)})
    written = sorted(set(RESULTS.glob(f"perf-*{tag}.json")) - before, key=lambda p: p.stat().st_mtime)
    if not written:
        raise RuntimeError(f"the {tag} run wrote no result")
    result: dict[str, Any] = json.loads(written[-1].read_text())
    result["file"] = written[-1].name
    return result


def _figures(verdict: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in verdict.items():
        if isinstance(value, dict):
            out.update(_figures(value, f"{prefix}{name}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[f"{prefix}{name}"] = float(value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.perf_ab", description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare this tree with")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("perf_args", nargs=argparse.REMAINDER, help="after --: arguments of tests.benchmarks.perf")
    cfg = parser.parse_args(argv)
    args = [a for a in cfg.perf_args if a != "--"]
    started = time.monotonic()
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="lingong-ab-") as tmp:
        base_tree = Path(tmp)
        base_commit = export(cfg.base, base_tree)
        for _ in range(cfg.rounds):
            runs["base"].append(run_perf(base_tree, "ab-base", args))
            runs["new"].append(run_perf(ROOT, "ab-new", args))
    columns = {side: [_figures(r.get("verdict", {})) for r in results] for side, results in runs.items()}
    names = sorted(set().union(*columns["base"], *columns["new"]))
    table = {
        name: {
            side: statistics.median(v[name] for v in columns[side] if name in v)
            if any(name in v for v in columns[side])
            else None
            for side in ("base", "new")
        }
        for name in names
    }
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout)
    summary = {
        "base": {"rev": cfg.base, "commit": base_commit, "files": [r["file"] for r in runs["base"]]},
        "new": {"commit": head, "uncommitted_changes": dirty, "files": [r["file"] for r in runs["new"]]},
        "rounds": cfg.rounds,
        "perf_args": args,
        "seconds": round(time.monotonic() - started),
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "median_by_figure": table,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    (RESULTS / f"perf-ab-{stamp}.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    width = max(map(len, names), default=10)
    print(f"{'figure':<{width}}  {'base ' + cfg.base:>18}  {'this tree':>12}")
    for name, row in table.items():
        print(f"{name:<{width}}  {row['base']!s:>18}  {row['new']!s:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
