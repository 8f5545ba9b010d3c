"""Trends for the dashboard's charts, from the market day ledgers (:mod:`services.readmodels.report_views`).

- :func:`by_hour`: one local day in 24 hourly buckets (check-ins, positions posted, placements), by the
  Asia/Shanghai hour of each fact;
- :func:`by_day`: a run of local days, one bucket per day.

Counts are the report's own (:mod:`services.reports.figures`): each entry of a ledger once, no-shows not taken
off (a placement that started counts on its day). ``county`` keeps one county's ledgers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from services import clock

SERIES = ("checkins", "positions", "placements")


def _chosen(ledgers: Iterable[dict[str, Any]], county: str | None) -> list[dict[str, Any]]:
    return [x for x in ledgers if county is None or x.get("county") == county]


def _hour(at: str) -> int:
    return datetime.fromisoformat(at).astimezone(clock.ZONE).hour


def by_hour(ledgers: Iterable[dict[str, Any]], day: date, county: str | None = None) -> dict[str, Any]:
    """``{"labels": ["00:00", …, "23:00"], "checkins": [24 counts], "positions": […], "placements": […]}`` for
    the ledgers of ``day`` (ledgers of other days are ignored)."""
    out: dict[str, Any] = {"labels": [f"{h:02d}:00" for h in range(24)], **{s: [0] * 24 for s in SERIES}}
    for ledger in _chosen(ledgers, county):
        if ledger.get("date") != day.isoformat():
            continue
        for c in ledger["checkins"].values():
            out["checkins"][_hour(c["at"])] += 1
        for q in ledger["requests"].values():
            out["positions"][_hour(q["at"])] += q["n"]
        for p in ledger["placements"].values():
            out["placements"][_hour(p["at"])] += 1
    return out


def by_day(ledgers: Iterable[dict[str, Any]], first: date, last: date, county: str | None = None) -> dict[str, Any]:
    """``{"days": ["2026-11-16", …], "labels": ["11月16日", …], "checkins": […], …}``, one bucket per local day
    from ``first`` to ``last`` inclusive."""
    days: list[date] = []
    day = first
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    index = {d.isoformat(): i for i, d in enumerate(days)}
    out: dict[str, Any] = {
        "days": [d.isoformat() for d in days],
        "labels": [f"{d.month}月{d.day}日" for d in days],
        **{s: [0] * len(days) for s in SERIES},
    }
    for ledger in _chosen(ledgers, county):
        i = index.get(str(ledger.get("date")))
        if i is None:
            continue
        out["checkins"][i] += len(ledger["checkins"])
        out["positions"][i] += sum(q["n"] for q in ledger["requests"].values())
        out["placements"][i] += len(ledger["placements"])
    return out
