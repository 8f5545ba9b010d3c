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
    rows = len(modes) + (1 if "stream_ceiling" in result else 0)
    fig, axes = plt.subplots(rows, 3, figsize=(16, 4.5 * rows), squeeze=False)
    for row, mode in zip(axes, modes, strict=False):
        data = result["modes"][mode]
        _http(row[0], data["http"], mode)
        _offers(row[1], data["kiosk_to_offer"], mode)
        _ramp(row[2], data["pipeline"], mode)
    if "stream_ceiling" in result:
        last = axes[-1]
        _ceiling(last[0], result["stream_ceiling"])
        _memory(last[1], result)
        last[2].axis("off")
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


def _ceiling(ax: Any, ceiling: dict[str, Any]) -> None:
    names = ["matcher (match_market)", "bare Faust agent", "bare, tuned as the worker"]
    values = [ceiling["matcher_per_s"], ceiling["bare_faust_per_s"], ceiling.get("bare_faust_tuned_per_s") or 0]
    ax.bar(names, values, color=["tab:blue", "tab:gray", "tab:olive"])
    ax.set_ylabel("events / s")
    ratio, tuned = ceiling["ratio"] or 0, ceiling.get("ratio_tuned") or 0
    ax.set_title(f"stream ceiling ({ceiling['count']} commands): ratio {ratio:.2f} (tuned bare {tuned:.2f})")


def _memory(ax: Any, result: dict[str, Any]) -> None:
    peaks: dict[str, float] = {}
    for mode, data in result["modes"].items():
        for name, mib in {**data.get("peak_rss_mib_http", {}), **data.get("peak_rss_mib", {})}.items():
            peaks[f"{mode}:{name}"] = max(mib, peaks.get(f"{mode}:{name}", 0.0))
    for name, mib in result.get("stream_ceiling", {}).get("peak_rss_mib", {}).items():
        peaks[f"ceiling:{name}"] = mib
    for name, mib in result.get("peak_rss_mib_kafka_redis", {}).items():
        peaks[name] = mib
    ax.barh(list(peaks), list(peaks.values()))
    ax.set_xlabel("peak RSS (MiB, VmHWM)")
    ax.tick_params(axis="y", labelsize=6)
    ax.set_title("peak memory per process")
