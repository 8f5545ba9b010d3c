"""The live dashboard's read model: one view per market, composed per county and city-wide when read.

``dash:market:<market_id>`` holds the market's day (Asia/Shanghai date of its latest fact) and, keyed by id so
that a fact applied twice changes nothing: its check-ins (``waiting`` / ``placed`` / ``left`` with the time of
check-in), its requests (headcount and placements), the offers out, and the day's fills with the seconds from
check-in to placement. A fact of a later day starts a new day: finished check-ins and requests are dropped,
fills restart. :func:`market_figures` and :func:`compose` turn the views into the figures served.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from services import clock, geography
from services import records as r
from services.readmodels.views import View

FIGURES = ("workers_waiting", "open_positions", "offers_out", "fills_today")


def market_key(prefix: str, market_id: str) -> str:
    return f"{prefix}dash:market:{market_id}"


def channel_pattern(prefix: str) -> str:
    """The pub/sub pattern of change notices of dashboard views (see ``keys.changes_channel``)."""
    return f"{prefix}changed:{prefix}dash:*"


_TRACKED = (
    r.WorkerQueued,
    r.WorkerLeft,
    r.JobRequestOpened,
    r.JobRequestClosed,
    r.JobRequestFilled,
    r.OfferMade,
    r.OfferAccepted,
    r.OfferDeclined,
    r.OfferExpired,
    r.OfferWithdrawn,
    r.PlacementStarted,
    r.PlacementCancelled,
)


class DashboardViews:
    """Projection of ``market-events`` into ``dash:market:<market_id>``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        return [market_key(self.prefix, event.market_id)] if isinstance(event, _TRACKED) else []

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """The market's view with ``event`` applied (in place on the batch's own copy)."""
        if not isinstance(event, _TRACKED):
            return {}
        key = market_key(self.prefix, event.market_id)
        view = _roll_day(current.get(key), event)
        _apply(view, event)
        view["updated_at"] = event.at.isoformat()
        return {key: view}


def _roll_day(view: View | None, event: r.MarketEvent) -> View:
    day = clock.local_date(event.at).isoformat()
    if view is None:
        return {
            "market_id": event.market_id,
            "county": event.county,
            "day": day,
            "checkins": {},
            "requests": {},
            "offers_out": {},
            "fills": {},
        }
    if day > view["day"]:
        view["day"] = day
        view["fills"] = {}
        view["checkins"] = {k: c for k, c in view["checkins"].items() if c["s"] == "waiting"}
        view["requests"] = {k: q for k, q in view["requests"].items() if q["open"]}
    return view


def _apply(view: View, e: r.MarketEvent) -> None:
    checkins: dict[str, Any] = view["checkins"]
    requests: dict[str, Any] = view["requests"]
    match e:
        case r.WorkerQueued():
            checkins.setdefault(e.checkin_id, {"at": e.at.isoformat(), "s": "waiting", "p": []})
        case r.WorkerLeft():
            if e.checkin_id in checkins:
                checkins[e.checkin_id]["s"] = "left"
        case r.JobRequestOpened():
            requests.setdefault(e.request_id, {"n": e.headcount, "p": [], "open": True})
        case r.JobRequestClosed() | r.JobRequestFilled():
            if e.request_id in requests:
                requests[e.request_id]["open"] = False
        case r.OfferMade():
            view["offers_out"][e.offer_id] = e.request_id
        case r.OfferAccepted() | r.OfferDeclined() | r.OfferExpired() | r.OfferWithdrawn():
            view["offers_out"].pop(e.offer_id, None)
        case r.PlacementStarted():
            _placed(view, e)
        case r.PlacementCancelled():
            _unplaced(view, e)


def _placed(view: View, e: r.PlacementStarted) -> None:
    checkin = view["checkins"].get(e.checkin_id)
    request = view["requests"].get(e.request_id)
    if request is not None and e.placement_id not in request["p"]:
        request["p"].append(e.placement_id)
    if checkin is not None:
        if e.placement_id not in checkin["p"]:
            checkin["p"].append(e.placement_id)
        if checkin["s"] == "waiting":
            checkin["s"] = "placed"
        seconds = int((e.at - datetime.fromisoformat(checkin["at"])).total_seconds())
        view["fills"].setdefault(e.placement_id, max(seconds, 0))
    else:
        view["fills"].setdefault(e.placement_id, None)


def _unplaced(view: View, e: r.PlacementCancelled) -> None:
    request = view["requests"].get(e.request_id)
    if request is not None and e.placement_id in request["p"]:
        request["p"].remove(e.placement_id)
    checkin = view["checkins"].get(e.checkin_id)
    if checkin is not None and e.placement_id in checkin["p"]:
        checkin["p"].remove(e.placement_id)
        if not checkin["p"] and checkin["s"] == "placed":
            checkin["s"] = "left" if e.reason == "no_show" else "waiting"
    if e.reason == "no_show":
        view["fills"].pop(e.placement_id, None)


# ---------------------------------------------------------------- figures


def _open_positions(view: View) -> int:
    return sum(max(q["n"] - len(q["p"]), 0) for q in view["requests"].values() if q["open"])


def market_figures(view: View | None, today: str | None = None) -> dict[str, Any]:
    """The market's figures; ``today`` (a local date) zeroes the fills of a view still on an older day."""
    if view is None:
        return {"workers_waiting": 0, "open_positions": 0, "offers_out": 0, "fills_today": 0, "match_seconds": []}
    current = today is None or view["day"] >= today
    seconds = [s for s in view["fills"].values() if s is not None] if current else []
    return {
        "workers_waiting": sum(1 for c in view["checkins"].values() if c["s"] == "waiting"),
        "open_positions": _open_positions(view),
        "offers_out": len(view["offers_out"]),
        "fills_today": len(view["fills"]) if current else 0,
        "match_seconds": seconds,
    }


def _summary(figures: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    rows = list(figures)
    seconds = [s for f in rows for s in f["match_seconds"]]
    out: dict[str, Any] = {name: sum(f[name] for f in rows) for name in FIGURES}
    out["median_match_seconds"] = int(statistics.median(seconds)) if seconds else None
    return out


def compose(views: Mapping[str, View | None], today: str, waiting_alert: int) -> dict[str, Any]:
    """Markets, counties and the city, from the market views keyed by market id.

    ``waiting_alert``: a market with at least this many workers waiting and no open position raises an alert.
    """
    markets: list[dict[str, Any]] = []
    by_market: dict[str, dict[str, Any]] = {}
    for market in geography.MARKETS:
        figures = market_figures(views.get(market.market_id), today)
        by_market[market.market_id] = figures
        markets.append(
            {
                "market_id": market.market_id,
                "county": market.county,
                "county_zh": geography.COUNTIES_BY_CODE[market.county].name_zh,
                "name_zh": market.name_zh,
                "name_en": market.name_en,
                **_summary([figures]),
            }
        )
    counties = [
        {
            "county": county.code,
            "name_zh": county.name_zh,
            "name_en": county.name_en,
            **_summary(by_market[m.market_id] for m in geography.MARKETS if m.county == county.code),
        }
        for county in geography.COUNTIES
    ]
    alerts = [
        {
            "kind": "waiting_without_jobs",
            "market_id": m["market_id"],
            "county": m["county"],
            "message_zh": f"{m['name_zh']}：{m['workers_waiting']} 人等候，没有空缺岗位",
            "message_en": f"{m['name_en']}: {m['workers_waiting']} waiting and no open positions",
        }
        for m in markets
        if m["workers_waiting"] >= waiting_alert and m["open_positions"] == 0
    ]
    return {
        "day": today,
        "city": _summary(by_market.values()),
        "counties": counties,
        "markets": markets,
        "alerts": alerts,
    }


def quota_alerts(board: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Alerts for the quota board's entries at risk (or warned and not met) — the composed board of
    :func:`services.readmodels.fair_views.compose_board`."""
    out: list[dict[str, Any]] = []
    for entry in board.get("entries", []):
        if entry["status"] == "at_risk" or (entry.get("warned") and entry["status"] not in ("met", "missed")):
            out.append(
                {
                    "kind": "quota_at_risk",
                    "county": entry["scope"],
                    "period": entry["period"],
                    "rule": entry["rule"],
                    "message_zh": f"{entry.get('rule_zh', entry['rule'])} {entry['scope']} {entry['period']}：有风险",
                    "message_en": f"{entry.get('rule_en', entry['rule'])} {entry['scope']} {entry['period']}: at risk",
                }
            )
    return out
