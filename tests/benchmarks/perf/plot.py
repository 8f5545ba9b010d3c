"""The result's picture: latency by rate (gateway vs bare aiohttp), the kiosk-to-offer latency CDF, and the
pipeline's lag through the ramp — one row per mode (single process, scale-out)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot(result: dict[str, Any], path: Path) -> None:
    modes = [m for m in ("single", "scale_out") if m in result["modes"]]
    fig, axes = plt.subplots(len(modes), 3, figsize=(16, 4.5 * len(modes)), squeeze=False)
    for row, mode in zip(axes, modes, strict=True):
        data = result["modes"][mode]
        _http(row[0], data["http"], mode)
        _offers(row[1], data["kiosk_to_offer"], mode)
        _ramp(row[2], data["pipeline"], mode)
    fig.suptitle(f"lingong performance — {result['started_at']} — load {result['load_average_start']}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _http(ax: Any, http: dict[str, Any], mode: str) -> None:
    for name, style in (("gateway", "o-"), ("bare_aiohttp", "s--")):
        steps = http["steps"][name]
        rates = [s["offered_per_s"] for s in steps]
        ax.plot(rates, [s["p50_ms"] for s in steps], style, label=f"{name} p50")
        ax.plot(rates, [s["p99_ms"] for s in steps], style, alpha=0.6, label=f"{name} p99")
    ax.set_yscale("log")
    ax.set_xlabel("offered check-ins / s (open loop)")
    ax.set_ylabel("latency from scheduled send (ms)")
    ax.set_title(f"{mode}: HTTP check-in, ratio {http['ratio']:.2f}" if http["ratio"] else f"{mode}: HTTP")
    ax.legend(fontsize=7)


def _offers(ax: Any, k2o: dict[str, Any], mode: str) -> None:
    values = k2o["latencies_ms"]
    if values:
        ax.plot(values, [(i + 1) / len(values) for i in range(len(values))])
    p = k2o["offer_latency"]
    ax.axvline(150, color="red", linestyle=":", label="target p99 150 ms")
    ax.set_xscale("log")
    ax.set_xlabel("kiosk → offer visible (ms)")
    ax.set_ylabel("share of check-ins")
    ax.set_title(f"{mode}: {k2o['rate_per_s']}/s, p50 {p['p50_ms']:.0f} p99 {p['p99_ms']:.0f} ms")
    ax.legend(fontsize=7)


def _ramp(ax: Any, pipeline: dict[str, Any], mode: str) -> None:
    offset = 0.0
    for step in pipeline["steps"]:
        samples = step["lag_samples"]
        ax.plot([offset + t for t, _ in samples], [lag for _, lag in samples], label=f"{step['offered_per_s']}/s")
        offset += samples[-1][0] + 0.5 if samples else 0
    ax.set_xlabel("seconds into the ramp")
    ax.set_ylabel("lag (records in − facts out)")
    ax.set_title(f"{mode}: pipeline, bounded up to {pipeline['throughput_per_s']}/s")
    ax.legend(fontsize=7)
