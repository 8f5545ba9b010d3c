"""Day ledgers for reporting: what happened at each market and in each fair scope, per local day.

- ``report:m:<market_id>:<YYYY-MM-DD>``: the market's check-ins, requests, offers, acceptances, placements and
  no-shows of that Asia/Shanghai day, each keyed by its own id (so a fact applied twice is stored once);
- ``report:f:<scope>:<YYYY-MM-DD>``: the scope's fairs held, attendances, intents and hires of that day.

Reports (:mod:`services.reports.figures`) are computed from these ledgers by pure code; the gateway loads the
ledgers of a period. A ledger keeps only what reporting needs: the worker's keyed pseudonym (to count unique
workers) and masked ID (for the staff-only "1+3" lists), never the raw ID number.
"""

from __future__ import annotations

from typing import Any

from services import clock
from services import fair_records as f
from services import records as r
from services.readmodels.views import View

SECTIONS = ("checkins", "requests", "offers", "accepted", "placements", "no_shows")
FAIR_SECTIONS = ("held", "attendance", "intents", "hires")


def market_ledger_key(prefix: str, market_id: str, day: str) -> str:
    return f"{prefix}report:m:{market_id}:{day}"


def fair_ledger_key(prefix: str, scope: str, day: str) -> str:
    return f"{prefix}report:f:{scope}:{day}"


def _day(event: Any) -> str:
    return clock.local_date(event.at).isoformat()


_MARKET_FACTS = (r.WorkerQueued, r.JobRequestOpened, r.OfferMade, r.OfferAccepted, r.PlacementStarted)


class MarketLedgers:
    """Projection of ``market-events`` into the market day ledgers."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        counted = isinstance(event, _MARKET_FACTS) or (
            isinstance(event, r.PlacementCancelled) and event.reason == "no_show"
        )
        return [market_ledger_key(self.prefix, event.market_id, _day(event))] if counted else []

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """The ledger with the fact added. ``current`` holds the batch's own copies, updated in place."""
        found = self.keys_for(event)
        if not found:
            return {}
        key = found[0]
        ledger = current.get(key) or _new_ledger(event)
        section, entry_id, entry = _entry(event)
        ledger[section].setdefault(entry_id, entry)
        return {key: ledger}


def _new_ledger(event: r.MarketEvent) -> View:
    return {
        "market_id": event.market_id,
        "county": event.county,
        "date": _day(event),
        **{s: {} for s in SECTIONS},
    }


def _entry(e: r.MarketEvent) -> tuple[str, str, Any]:
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
        case r.PlacementCancelled():
            return "no_shows", e.placement_id, {"r": e.request_id, "c": e.checkin_id, "at": at}
    raise TypeError(f"not a counted market fact: {type(e).__name__}")  # pragma: no cover - keys_for filters


_FAIR_FACTS = (f.FairHeld, f.AttendanceRecorded, f.IntentRecorded, f.FairPlacementStarted)


class FairLedgers:
    """Projection of ``fair-events`` into the fair scope day ledgers."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: f.FairEvent) -> list[str]:
        if isinstance(event, _FAIR_FACTS):
            return [fair_ledger_key(self.prefix, event.county, _day(event))]
        return []

    def apply(self, event: f.FairEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        found = self.keys_for(event)
        if not found:
            return {}
        key = found[0]
        ledger = current.get(key) or {"scope": event.county, "date": _day(event), **{s: {} for s in FAIR_SECTIONS}}
        match event:
            case f.FairHeld():
                ledger["held"].setdefault(event.fair_id, {"at": event.at.isoformat()})
            case f.AttendanceRecorded():
                ledger["attendance"].setdefault(event.id, {"fair": event.fair_id, "w": event.worker})
            case f.IntentRecorded():
                ledger["intents"].setdefault(event.intent_id, {"fair": event.fair_id, "t": event.trade})
            case f.FairPlacementStarted():
                entry = {"fair": event.fair_id, "t": event.trade, "w": event.worker}
                ledger["hires"].setdefault(event.placement_id, entry)
        return {key: ledger}
