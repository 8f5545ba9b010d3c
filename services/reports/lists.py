"""The "1+3" lists (staff only): placed, looking, and willing to work elsewhere, from the day ledgers.

Over the last ``days`` local days ending today: **placed**: workers with a gig placement (not a no-show);
**looking**: workers who checked in but were not placed; **willing**: workers whose latest check-in said they
would work elsewhere (``willing_to_travel``). A worker appears once per list, with their masked ID number,
where they last checked in, their trades and groups. The keyed pseudonym stays internal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

LISTS = ("placed", "looking", "willing")


def window(today: date, days: int) -> list[date]:
    """The local dates of the window: ``days`` days ending with ``today``."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def compose(ledgers: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The three lists, each sorted by county, market and masked ID."""
    latest: dict[str, dict[str, Any]] = {}
    placed: dict[str, int] = {}
    for ledger in sorted(ledgers, key=lambda x: (x["date"], x["market_id"])):
        no_shows = ledger["no_shows"]
        for c in sorted(ledger["checkins"].values(), key=lambda c: c["at"]):
            latest[c["w"]] = {
                "worker_masked": c["m"],
                "county": ledger["county"],
                "market_id": ledger["market_id"],
                "last_check_in": ledger["date"],
                "trades": c["t"],
                "groups": c["g"],
                "willing_to_travel": c["x"],
            }
        for placement_id, p in ledger["placements"].items():
            if placement_id not in no_shows:
                placed[p["w"]] = placed.get(p["w"], 0) + 1

    def row(worker: str) -> dict[str, Any]:
        return {**latest[worker], "placements": placed.get(worker, 0)}

    def ordered(workers: Iterable[str]) -> list[dict[str, Any]]:
        rows = [row(w) for w in workers if w in latest]
        return sorted(rows, key=lambda x: (x["county"], x["market_id"], x["worker_masked"]))

    return {
        "placed": ordered(placed),
        "looking": ordered(w for w in latest if w not in placed),
        "willing": ordered(w for w, c in latest.items() if c["willing_to_travel"]),
    }
