"""Day ledgers for reporting: what happened at each market and in each fair scope, per local day.

- ``report:m:<market_id>:<YYYY-MM-DD>``: the market's check-ins, requests, offers, acceptances, placements,
  no-shows, completed and paid placements of that Asia/Shanghai day, each keyed by its own id (so a fact applied
  twice is stored once);
- ``report:f:<scope>:<YYYY-MM-DD>``: the scope's fairs held, attendances, intents and hires of that day.

Each ledger is a Redis hash of small fields (see :func:`services.readmodels.views.field_key`): ``head`` (market
or scope, county, date) and one field ``<section>:<id>`` per entry, written once and never rewritten, so the
projector touches only a batch's own entries however large the day grows. :func:`assemble_market` and
:func:`assemble_fair` turn a hash read whole (HGETALL) back into the ledger dict the reports compute from.

Placement steps: ``life`` holds one entry per step fact (recorded or corrected, issue 23), keyed
``<placement_id>:<version>`` with the steps standing after it; reports take each placement's latest, so a
correction removes a step exactly. Facts from before issue 23 (``version`` 0) went to ``completed`` (the
placements whose completion was recorded) and ``paid`` (wage recorded paid by the employer or received by the
worker), each with the time of its first such step; those are still read. A market records steps only for the
placements of its current day (it forgets them at local midnight), so a step lands in the ledger of its
placement's day.

Reports (:mod:`services.reports.figures`) are computed from these ledgers by pure code; the gateway loads the
ledgers of a period. A ledger keeps only what reporting needs: the worker's keyed pseudonym (to count unique
workers) and masked ID (for the staff-only "1+3" lists), never the raw ID number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services import clock
from services.fairs import records as f
from services.market import records as r
from services.readmodels.views import View, field_key

SECTIONS = ("checkins", "requests", "offers", "accepted", "placements", "no_shows", "completed", "paid", "life")
FAIR_SECTIONS = ("held", "attendance", "intents", "hires")
HEAD = "head"
PAID_STEPS = ("wage_paid", "wage_received")


def market_ledger_key(prefix: str, market_id: str, day: str) -> str:
    return f"{prefix}report:m:{market_id}:{day}"


def fair_ledger_key(prefix: str, scope: str, day: str) -> str:
    return f"{prefix}report:f:{scope}:{day}"


def _day(event: Any) -> str:
    return clock.local_date(event.at).isoformat()


def _assemble(fields: Mapping[str, View], sections: tuple[str, ...]) -> View | None:
    head = fields.get(HEAD)
    if head is None:
        return None
    ledger: View = {**head, **{s: {} for s in sections}}
    for name, entry in fields.items():
        section, _, entry_id = name.partition(":")
        if section in ledger and entry_id:
            ledger[section][entry_id] = entry
    return ledger


def assemble_market(fields: Mapping[str, View]) -> View | None:
    """The market ledger of a hash's decoded fields (``None`` for an empty hash)."""
    return _assemble(fields, SECTIONS)


def assemble_fair(fields: Mapping[str, View]) -> View | None:
    """The fair scope ledger of a hash's decoded fields (``None`` for an empty hash)."""
    return _assemble(fields, FAIR_SECTIONS)


def _write_once(
    key: str, head: View, entry: tuple[str, str, View], current: dict[str, View | None]
) -> dict[str, View | None]:
    """The head (when the ledger is new) and the entry (when not there yet); nothing already stored changes."""
    changed: dict[str, View | None] = {}
    head_key = field_key(key, HEAD)
    if current.get(head_key) is None:
        changed[head_key] = head
    section, entry_id, value = entry
    entry_key = field_key(key, f"{section}:{entry_id}")
    if current.get(entry_key) is None:
        changed[entry_key] = value
    current.update(changed)
    return changed


class MarketLedgers:
    """Projection of ``market-events`` into the fields of the market day ledgers."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        entry = _entry(event)
        if entry is None:
            return []
        key = market_ledger_key(self.prefix, event.market_id, _day(event))
        return [field_key(key, HEAD), field_key(key, f"{entry[0]}:{entry[1]}")]

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """The ledger's new fields; ``current`` holds the batch's own copies, updated in place."""
        entry = _entry(event)
        if entry is None:
            return {}
        key = market_ledger_key(self.prefix, event.market_id, _day(event))
        head = {"market_id": event.market_id, "county": event.county, "date": _day(event)}
        return _write_once(key, head, entry, current)


def _entry(e: r.MarketEvent) -> tuple[str, str, View] | None:
    """(section, entry id, entry) of a counted market fact; ``None`` for the others."""
    at = e.at.isoformat()
    match e:
        case r.WorkerQueued():
            entry = {
                "w": e.worker,
                "m": e.worker_masked,
                "t": list(e.trades),
                "g": list(e.groups),
                "x": e.willing_to_travel,
                "at": at,
            }
            return "checkins", e.checkin_id, entry
        case r.JobRequestOpened():
            return "requests", e.request_id, {"t": e.trade, "n": e.headcount, "at": at}
        case r.OfferMade():
            return "offers", e.offer_id, {"r": e.request_id, "c": e.checkin_id, "t": e.trade, "at": at}
        case r.OfferAccepted():
            return "accepted", e.offer_id, {"r": e.request_id, "c": e.checkin_id, "at": at}
        case r.PlacementStarted():
            entry = {"r": e.request_id, "c": e.checkin_id, "t": e.trade, "g": list(e.groups), "w": e.worker, "at": at}
            return "placements", e.placement_id, entry
        case r.PlacementCancelled() if e.reason == "no_show":
            return "no_shows", e.placement_id, {"r": e.request_id, "c": e.checkin_id, "at": at}
        case r.PlacementStepRecorded() | r.PlacementStepCorrected() if e.version > 0:
            return "life", f"{e.placement_id}:{e.version:06d}", {"s": list(e.steps), "at": at}
        case r.PlacementStepRecorded() if e.step == "completed":
            return "completed", e.placement_id, {"at": at}
        case r.PlacementStepRecorded() if e.step in PAID_STEPS:
            return "paid", e.placement_id, {"s": e.step, "at": at}
    return None


class FairLedgers:
    """Projection of ``fair-events`` into the fields of the fair scope day ledgers."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: f.FairEvent) -> list[str]:
        entry = _fair_entry(event)
        if entry is None:
            return []
        key = fair_ledger_key(self.prefix, event.county, _day(event))
        return [field_key(key, HEAD), field_key(key, f"{entry[0]}:{entry[1]}")]

    def apply(self, event: f.FairEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        entry = _fair_entry(event)
        if entry is None:
            return {}
        key = fair_ledger_key(self.prefix, event.county, _day(event))
        return _write_once(key, {"scope": event.county, "date": _day(event)}, entry, current)


def _fair_entry(event: f.FairEvent) -> tuple[str, str, View] | None:
    match event:
        case f.FairHeld():
            return "held", event.fair_id, {"at": event.at.isoformat()}
        case f.AttendanceRecorded():
            return "attendance", event.id, {"fair": event.fair_id, "w": event.worker}
        case f.IntentRecorded():
            return "intents", event.intent_id, {"fair": event.fair_id, "t": event.trade}
        case f.FairPlacementStarted():
            return "hires", event.placement_id, {"fair": event.fair_id, "t": event.trade, "w": event.worker}
    return None
