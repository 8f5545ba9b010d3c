"""An independent count of the report figures, straight from the raw JSON of the fact topics.

It shares no code with the projector or :mod:`services.reports`: the replay test
(tests/integration/test_reports_replay.py) and the fault battery (tests/faults/test_kill_stream_worker.py) compare
``/api/v1/reports`` with it. Events are deduplicated by id (a redelivered fact counts once).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis

from projector.rebuild import caught_up, end_offsets
from services.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")
REPORT_COLUMNS = (
    "checkins",
    "unique_workers",
    "requests",
    "positions",
    "offers",
    "acceptances",
    "placements",
    "no_shows",
    "completed",
    "wages_paid",
    "fill_rate",
    "time_to_fill_p50",
    "time_to_fill_p90",
    "wage_paid_rate",
)
COUNTED = REPORT_COLUMNS[:10]


def _local_day(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(ZONE).date().isoformat()


def _nearest_rank(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    index = -(-p * len(ordered) // 100)  # ceil
    return ordered[max(index, 1) - 1]


def independent_figures(events: list[dict[str, Any]], day: str, by: str) -> dict[str, dict[str, Any]]:
    """Figures of ``day`` by ``by`` counted straight from the raw market events (deduplicated by id)."""
    unique = {e["id"]: e for e in events}.values()
    todays = [e for e in unique if _local_day(e["at"]) == day]
    checkin_of = {e["checkin_id"]: e for e in todays if e["type"] == "worker_queued"}
    offer_of = {e["offer_id"]: e for e in todays if e["type"] == "offer_made"}
    request_of = {e["request_id"]: e for e in todays if e["type"] == "job_request_opened"}
    placement_of = {e["placement_id"]: e for e in todays if e["type"] == "placement_started"}
    counts: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    workers: dict[str, set[str]] = defaultdict(set)
    fills: dict[str, list[int]] = defaultdict(list)

    def keys(e: dict[str, Any], trades: list[str], groups: list[str]) -> set[str]:
        found = {"county": [e["county"]], "market": [e["market_id"]], "trade": trades, "group": groups}[by]
        return {*found, "total"}

    def groups_of(checkin_id: str) -> list[str]:
        return list(checkin_of.get(checkin_id, {}).get("groups", []))

    seen_placements: set[str] = set()
    for e in todays:
        kind = e["type"]
        if kind == "worker_queued":
            for k in keys(e, e["trades"], e.get("groups", [])):
                counts[k]["checkins"] += 1
                workers[k].add(e["worker"])
        elif kind == "job_request_opened":
            for k in keys(e, [e["trade"]], []):
                counts[k]["requests"] += 1
                counts[k]["positions"] += e["headcount"]
        elif kind == "offer_made":
            for k in keys(e, [e["trade"]], groups_of(e["checkin_id"])):
                counts[k]["offers"] += 1
        elif kind == "offer_accepted":
            trade = offer_of.get(e["offer_id"], {}).get("trade")
            for k in keys(e, [trade] if trade else [], groups_of(e["checkin_id"])):
                counts[k]["acceptances"] += 1
        elif kind == "placement_started" and e["placement_id"] not in seen_placements:
            seen_placements.add(e["placement_id"])
            for k in keys(e, [e["trade"]], e.get("groups", [])):
                counts[k]["placements"] += 1
                opened = request_of.get(e["request_id"])
                if opened is not None:
                    seconds = (datetime.fromisoformat(e["at"]) - datetime.fromisoformat(opened["at"])).total_seconds()
                    fills[k].append(max(int(seconds), 0))
        elif kind == "placement_cancelled" and e["reason"] == "no_show":
            p = placement_of.get(e["placement_id"])
            for k in keys(e, [p["trade"]] if p else [], p.get("groups", []) if p else []):
                counts[k]["no_shows"] += 1
    # wage-paid rate: placements paid (employer) or received (worker) over placements completed (a payment
    # implies completion), under the placement's trade and groups; a correction (issue 23) withdraws a step: the
    # placement's step fact with the highest version says what stands
    latest: dict[str, dict[str, Any]] = {}
    for e in todays:
        if e["type"] not in ("placement_step_recorded", "placement_step_corrected"):
            continue
        if e["placement_id"] not in latest or e.get("version", 0) >= latest[e["placement_id"]].get("version", 0):
            latest[e["placement_id"]] = e
    standing = {p: set(e["steps"]) for p, e in latest.items()}
    completed = {p: latest[p] for p, s in standing.items() if s & {"completed", "wage_paid", "wage_received"}}
    paid = {p for p, s in standing.items() if s & {"wage_paid", "wage_received"}}
    for placement_id, step in completed.items():
        p = placement_of.get(placement_id)
        for k in keys(p or step, [p["trade"]] if p else [], p.get("groups", []) if p else []):
            counts[k]["completed"] += 1
            counts[k]["wages_paid"] += placement_id in paid
    out: dict[str, dict[str, Any]] = {}
    for k in {*counts, "total"}:
        c = counts[k]
        positions = c["positions"]
        out[k] = {
            **{name: c[name] for name in COUNTED},
            "unique_workers": len(workers[k]),
            "fill_rate": round(c["placements"] / positions, 4) if positions else None,
            "time_to_fill_p50": _nearest_rank(fills[k], 50),
            "time_to_fill_p90": _nearest_rank(fills[k], 90),
            "wage_paid_rate": round(c["wages_paid"] / c["completed"], 4) if c["completed"] else None,
        }
    return out


def independent_fair_figures(events: list[dict[str, Any]], day: str) -> dict[str, dict[str, int]]:
    """Fair figures of ``day`` per quota scope, counted straight from the raw fair events."""
    unique = [e for e in {e["id"]: e for e in events}.values() if _local_day(e["at"]) == day]
    out: dict[str, dict[str, int]] = {}
    for scope in {e["county"] for e in unique} | {"total"}:
        mine = [e for e in unique if scope in (e["county"], "total")]
        out[scope] = {
            "fairs_held": len({e["fair_id"] for e in mine if e["type"] == "fair_held"}),
            "attendance": len({e["id"] for e in mine if e["type"] == "attendance_recorded"}),
            "intents": len({e["intent_id"] for e in mine if e["type"] == "intent_recorded"}),
            "hires": len({e["placement_id"] for e in mine if e["type"] == "fair_placement_started"}),
        }
    return out


def report_differences(rows: Mapping[str, Mapping[str, Any]], expected: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Where the report's ``rows`` (key → row of ``/api/v1/reports``) differ from the ``expected`` count.

    A row the count does not know (e.g. a trade with fair figures only) must show no market figure."""
    out = [f"{key}: no row in the report" for key in expected if key not in rows]
    for key, row in rows.items():
        want = expected.get(key)
        for column in REPORT_COLUMNS:
            if want is None:
                if row[column]:
                    out.append(f"{key}.{column}: report {row[column]!r}, count none")
            elif row[column] != want[column]:
                out.append(f"{key}.{column}: report {row[column]!r}, count {want[column]!r}")
    return out


async def wait_projected(settings: Settings, timeout: float = 120) -> None:
    """Wait until the projector has written every record now on the projected topics (else AssertionError)."""
    ends = await end_offsets(settings)
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await caught_up(settings, redis, ends):
            assert asyncio.get_running_loop().time() < deadline, "the projector did not catch up"
            await asyncio.sleep(0.2)
    finally:
        await redis.aclose()


async def wait_quiet(settings: Settings, seconds: float = 2.0) -> None:
    """Wait until the projected topics' end offsets stay the same for ``seconds`` (the agents are done)."""
    previous = await end_offsets(settings)
    while True:
        await asyncio.sleep(seconds)
        current = await end_offsets(settings)
        if current == previous:
            return
        previous = current
