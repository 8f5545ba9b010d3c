"""Report figures from day ledgers (:mod:`services.readmodels.report_views`), by county, market, trade and group.

Definitions (each counted once per id):

- ``checkins``: workers queued at a market; ``unique_workers``: distinct pseudonyms among them;
- ``requests``: job requests opened; ``positions``: their headcounts summed;
- ``offers``: offers made; ``acceptances``: offers accepted;
- ``placements``: placements started; ``no_shows``: placements cancelled because the worker did not arrive;
- ``fill_rate``: placements / positions (4 decimals; ``null`` without positions);
- ``time_to_fill_p50`` / ``_p90``: seconds from a request's opening to each of its placements (nearest rank);
- ``completed``: placements whose completion stands, or whose wage does (a wage step is accepted only after
  completion or after the scheduled end, see :mod:`services.market.placement_life`); ``wages_paid``: those among them
  whose wage stands as paid (employer) or received (worker). "Stands": the placement's latest step fact in the
  ledger (``life``), so a corrected step is not counted;
- ``wage_paid_rate``: wages_paid / completed (4 decimals; ``null`` without completed placements). Steps are
  counted in their placement's day ledger (see :mod:`services.readmodels.report_views`), under the placement's
  trade and groups;
- ``fairs_held``, ``attendance``, ``intents``, ``hires``: from the fair ledgers of the scope holding the fair.

Dimensions: a check-in counts under each of its trades and groups; offers and acceptances take the trade of the
offer and the groups of the check-in they went to; placements carry their own trade and groups. Fair figures
have a county (the quota scope, ``city`` for city-level fairs) and, for intents and hires, a trade; they have no
market or group. Every table has a ``total`` row.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Dimension = Literal["county", "market", "trade", "group"]
DIMENSIONS: tuple[Dimension, ...] = ("county", "market", "trade", "group")
TOTAL = "total"

COUNTS = (
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
    "fairs_held",
    "attendance",
    "intents",
    "hires",
)
COLUMNS = (*COUNTS, "fill_rate", "time_to_fill_p50", "time_to_fill_p90", "wage_paid_rate")

#: Annual targets: which priority groups count toward which target.
TARGET_GROUPS: Mapping[str, tuple[str, ...]] = {
    "reemployment_unemployed": ("long_term_unemployed",),
    "people_in_difficulty": ("zero_employment_family", "minimum_living_allowance", "disabled"),
    "returnees": ("returnee",),
}


@dataclass
class _Cell:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    workers: set[str] = field(default_factory=set)
    fill_seconds: list[int] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.counts)
        out["unique_workers"] = len(self.workers)
        positions = out["positions"]
        out["fill_rate"] = round(out["placements"] / positions, 4) if positions else None
        out["time_to_fill_p50"] = percentile(self.fill_seconds, 50)
        out["time_to_fill_p90"] = percentile(self.fill_seconds, 90)
        completed = out["completed"]
        out["wage_paid_rate"] = round(out["wages_paid"] / completed, 4) if completed else None
        return out


def percentile(values: Sequence[int], p: int) -> int | None:
    """The nearest-rank percentile: the smallest value with at least ``p`` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


class _Table:
    def __init__(self) -> None:
        self.cells: dict[str, _Cell] = defaultdict(_Cell)

    def add(self, values: Iterable[str], name: str, n: int = 1) -> None:
        for value in {*values, TOTAL}:
            self.cells[value].counts[name] += n

    def worker(self, values: Iterable[str], worker: str) -> None:
        for value in {*values, TOTAL}:
            self.cells[value].workers.add(worker)

    def seconds(self, values: Iterable[str], seconds: int) -> None:
        for value in {*values, TOTAL}:
            self.cells[value].fill_seconds.append(seconds)

    def rows(self) -> list[dict[str, Any]]:
        _ = self.cells[TOTAL]  # a total row even when nothing happened
        keys = [*sorted(k for k in self.cells if k != TOTAL), TOTAL]
        return [{"key": k, **self.cells[k].figures()} for k in keys]


def _seconds(later: str, earlier: str) -> int:
    return max(int((datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()), 0)


def compute(
    dimension: Dimension, markets: Iterable[dict[str, Any]], fair_days: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per value of ``dimension`` (sorted) plus ``total``, from the ledgers of the period."""
    table = _Table()
    for ledger in markets:
        _market(table, dimension, ledger)
    for ledger in fair_days:
        _fairs(table, dimension, ledger)
    return table.rows()


def _market(table: _Table, dimension: Dimension, ledger: dict[str, Any]) -> None:
    place = {"county": [ledger["county"]], "market": [ledger["market_id"]]}
    checkins: dict[str, Any] = ledger["checkins"]
    requests: dict[str, Any] = ledger["requests"]
    offers: dict[str, Any] = ledger["offers"]

    def values(trade: Iterable[str], groups: Iterable[str]) -> list[str]:
        if dimension in place:
            return place[dimension]
        return list(trade) if dimension == "trade" else list(groups)

    def groups_of(checkin_id: str) -> list[str]:
        return list(checkins.get(checkin_id, {}).get("g", []))

    for c in checkins.values():
        where = values(c["t"], c["g"])
        table.add(where, "checkins")
        table.worker(where, c["w"])
    for q in requests.values():
        where = values([q["t"]], [])
        table.add(where, "requests")
        table.add(where, "positions", q["n"])
    for o in offers.values():
        table.add(values([o["t"]], groups_of(o["c"])), "offers")
    for offer_id, a in ledger["accepted"].items():
        trade = offers.get(offer_id, {}).get("t")
        table.add(values([trade] if trade else [], groups_of(a["c"])), "acceptances")
    for p in ledger["placements"].values():
        where = values([p["t"]], p["g"])
        table.add(where, "placements")
        request = requests.get(p["r"])
        if request is not None:
            table.seconds(where, _seconds(p["at"], request["at"]))

    def placement_values(placement_id: str) -> list[str]:
        p = ledger["placements"].get(placement_id)
        return values([p["t"]], p["g"]) if p else values([], [])

    for placement_id in ledger["no_shows"]:
        table.add(placement_values(placement_id), "no_shows")
    for placement_id, steps in standing_steps(ledger).items():
        if not steps & {"completed", *PAID_STEPS}:
            continue
        where = placement_values(placement_id)
        table.add(where, "completed")
        if steps & set(PAID_STEPS):
            table.add(where, "wages_paid")


PAID_STEPS = ("wage_paid", "wage_received")


def standing_steps(ledger: dict[str, Any]) -> dict[str, set[str]]:
    """The steps standing for each placement of a market ledger: its latest ``life`` entry (step facts since
    issue 23, corrections included), else what the older ``completed`` and ``paid`` sections say."""
    out: dict[str, set[str]] = {}
    for placement_id in ledger.get("completed", {}):
        out.setdefault(placement_id, set()).add("completed")
    for placement_id, entry in ledger.get("paid", {}).items():
        out.setdefault(placement_id, set()).add(entry.get("s", "wage_paid"))
    latest: dict[str, str] = {}
    for entry_id in ledger.get("life", {}):
        placement_id, _, version = entry_id.rpartition(":")
        if version > latest.get(placement_id, ""):
            latest[placement_id] = version
    for placement_id, version in latest.items():
        out[placement_id] = set(ledger["life"][f"{placement_id}:{version}"]["s"])
    return out


def _fairs(table: _Table, dimension: Dimension, ledger: dict[str, Any]) -> None:
    def values(trade: str | None) -> list[str]:
        if dimension == "county":
            return [ledger["scope"]]
        return [trade] if dimension == "trade" and trade else []

    table.add(values(None), "fairs_held", len(ledger["held"]))
    table.add(values(None), "attendance", len(ledger["attendance"]))
    for intent in ledger["intents"].values():
        table.add(values(intent["t"]), "intents")
    for hire in ledger["hires"].values():
        table.add(values(hire["t"]), "hires")


def target_progress(markets: Iterable[dict[str, Any]], targets: Mapping[str, int]) -> list[dict[str, Any]]:
    """Distinct workers placed (gig placements) in each target's groups, against the annual ``targets``."""
    placed: dict[str, set[str]] = {name: set() for name in TARGET_GROUPS}
    for ledger in markets:
        for p in ledger["placements"].values():
            for name, groups in TARGET_GROUPS.items():
                if set(groups) & set(p["g"]):
                    placed[name].add(p["w"])
    out = []
    for name, groups in TARGET_GROUPS.items():
        target = targets[name]
        actual = len(placed[name])
        out.append(
            {
                "target": name,
                "groups": list(groups),
                "actual": actual,
                "annual_target": target,
                "share": round(actual / target, 4) if target else None,
            }
        )
    return out
