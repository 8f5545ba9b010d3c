"""The public job supply list (岗位供给清单): open positions from gig requests and from fairs, without personal data.

- ``supply:gig:<market_id>``: the market's open requests (employer, trade, headcount, places taken, wage, time,
  place, local date);
- ``supply:fair:<scope>``: the scope's fairs not cancelled, with their employers' positions;
- ``supply:snapshot:<week>:gig:<market_id>`` / ``...:fair:<scope>``: the list as it stood at Monday 00:00
  Asia/Shanghai of ``week``. A view remembers its ISO week; the first fact of a later week (event time: the
  markets' and fairs' own clocks, driven by the ticker, never the wall clock) first writes the snapshot of every
  week begun since, from the view as it was, without the gig requests of days before that Monday and the fairs
  ended before it. A week without any fact has no snapshot key: :func:`snapshot_or_live` answers from the view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from services import clock, geography, trades
from services.fairs import decide as fairs
from services.fairs import quotas
from services.fairs import records as f
from services.market import records as r
from services.market import request_life
from services.readmodels.views import View


def gig_key(prefix: str, market_id: str) -> str:
    return f"{prefix}supply:gig:{market_id}"


def fair_key(prefix: str, scope: str) -> str:
    return f"{prefix}supply:fair:{scope}"


def snapshot_key(prefix: str, week: str, source_key: str) -> str:
    """The snapshot of ``source_key`` (a gig or fair supply key without the prefix) for ``week``."""
    return f"{prefix}supply:snapshot:{week}:{source_key}"


def _week(at: datetime) -> quotas.Period:
    return quotas.iso_week(clock.local_date(at))


def _weeks_begun(since: str, until: quotas.Period) -> list[quotas.Period]:
    """Weeks after the one coded ``since`` up to and including ``until``."""
    found: list[quotas.Period] = []
    monday = until.first_day
    while True:
        week = quotas.iso_week(monday)
        if week.code <= since:
            break
        found.append(week)
        monday -= timedelta(days=7)
    return list(reversed(found))


def _snapshots(prefix: str, source: str, view: View | None, at: datetime, open_at: Any) -> dict[str, View | None]:
    """Snapshot keys for the weeks begun since ``view``'s week, when ``at`` is in a later week."""
    week = _week(at)
    if view is None or view["week"] >= week.code:
        return {}
    out: dict[str, View | None] = {}
    for begun in _weeks_begun(view["week"], week):
        out[snapshot_key(prefix, begun.code, source)] = open_at(view, begun.first_day)
    return out


class GigSupply:
    """Projection of ``market-events`` into ``supply:gig:<market_id>`` and its weekly snapshots."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        tracked = (
            r.JobRequestOpened,
            r.JobRequestClosed,
            r.JobRequestReopened,
            r.JobRequestFilled,
            r.PlacementStarted,
            r.PlacementCancelled,
            r.HeadcountChanged,
        )
        return [gig_key(self.prefix, event.market_id)] if isinstance(event, tracked) else []

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        found = self.keys_for(event)
        if not found:
            return {}
        key = found[0]
        view = current.get(key)
        changed = _snapshots(self.prefix, key[len(self.prefix) :], view, event.at, gig_open_at)
        if view is None:
            view = {"market_id": event.market_id, "county": event.county, "requests": {}}
        view["week"] = max(view.get("week", ""), _week(event.at).code)
        requests: dict[str, Any] = view["requests"]
        match event:
            case r.JobRequestOpened():
                requests.setdefault(
                    event.request_id,
                    {
                        "employer_name": event.employer_name,
                        "trade": event.trade,
                        "headcount": event.headcount,
                        "taken": [],
                        "day_wage": event.day_wage,
                        "start": clock.format_hhmm(event.start),
                        "hours": event.hours,
                        "place": event.place,
                        "date": clock.local_date(event.at).isoformat(),
                    },
                )
            case r.JobRequestClosed() | r.JobRequestFilled():
                requests.pop(event.request_id, None)  # also at its start plus the grace (``start_passed``)
            case r.JobRequestReopened():
                requests[event.request_id] = {
                    "employer_name": event.employer_name,
                    "trade": event.trade,
                    "headcount": event.headcount,
                    "taken": list(event.placements),
                    "day_wage": event.day_wage,
                    "start": clock.format_hhmm(event.start),
                    "hours": event.hours,
                    "place": event.place,
                    "date": clock.local_date(event.at).isoformat(),
                }
            case r.HeadcountChanged():  # issue 24; a filled request raised again is listed at its next reopening
                if event.status == "filled":
                    requests.pop(event.request_id, None)
                elif event.request_id in requests:
                    requests[event.request_id]["headcount"] = event.headcount
            case r.PlacementStarted():
                request = requests.get(event.request_id)
                if request is not None and event.placement_id not in request["taken"]:
                    request["taken"].append(event.placement_id)
            case r.PlacementCancelled():
                request = requests.get(event.request_id)
                if request is not None and event.placement_id in request["taken"]:
                    request["taken"].remove(event.placement_id)
        changed[key] = view
        return changed


class FairSupply:
    """Projection of ``fair-events`` into ``supply:fair:<scope>`` and its weekly snapshots."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: f.FairEvent) -> list[str]:
        tracked = (f.FairScheduled, f.FairRescheduled, f.FairCancelled, f.FairEmployerRegistered)
        return [fair_key(self.prefix, event.county)] if isinstance(event, tracked) else []

    def apply(self, event: f.FairEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        found = self.keys_for(event)
        if not found:
            return {}
        key = found[0]
        view = current.get(key)
        changed = _snapshots(self.prefix, key[len(self.prefix) :], view, event.at, fair_open_at)
        if view is None:
            view = {"scope": event.county, "fairs": {}}
        view["week"] = max(view.get("week", ""), _week(event.at).code)
        fair_list: dict[str, Any] = view["fairs"]
        match event:
            case f.FairScheduled():
                kind = fairs.KINDS_BY_CODE.get(event.kind)
                fair_list.setdefault(
                    event.fair_id,
                    {
                        "title": event.title,
                        "kind_zh": kind.name_zh if kind else event.kind,
                        "venue": event.venue,
                        "venue_county": event.venue_county,
                        "starts_at": event.starts_at.isoformat(),
                        "ends_at": event.ends_at.isoformat(),
                        "employers": {},
                    },
                )
            case f.FairRescheduled():
                if event.fair_id in fair_list:
                    fair = fair_list[event.fair_id]
                    fair.update(starts_at=event.starts_at.isoformat(), ends_at=event.ends_at.isoformat())
                    fair["venue"] = event.venue
            case f.FairCancelled():
                fair_list.pop(event.fair_id, None)
            case f.FairEmployerRegistered():
                if event.fair_id in fair_list:
                    fair_list[event.fair_id]["employers"][event.employer_id] = {
                        "name": event.employer_name,
                        "positions": [
                            {
                                "trade": p.trade,
                                "title": p.title,
                                "headcount": p.headcount,
                                "wage_min": p.wage_min,
                                "wage_max": p.wage_max,
                                "wage_unit": p.wage_unit,
                            }
                            for p in event.positions
                        ],
                    }
        changed[key] = view
        return changed


# ---------------------------------------------------------------- the list


def gig_open_at(view: View, day: date) -> View:
    """The gig view without requests of local dates before ``day`` (expired by then)."""
    kept = {k: q for k, q in view["requests"].items() if q["date"] >= day.isoformat()}
    return {**view, "requests": kept}


def fair_open_at(view: View, day: date) -> View:
    """The fair view without fairs ended before local midnight of ``day``."""
    start = clock.local_midnight_utc(day)
    kept = {k: x for k, x in view["fairs"].items() if datetime.fromisoformat(x["ends_at"]) > start}
    return {**view, "fairs": kept}


def _trade(code: str) -> tuple[str, str]:
    trade = trades.TRADES_BY_CODE.get(code)
    return (trade.name_zh, trade.name_en) if trade else (code, code)


def rows(
    gig_views: Iterable[View | None],
    fair_views: Iterable[View | None],
    now: datetime,
    grace: timedelta = request_life.DEFAULT_GRACE,
) -> list[dict[str, Any]]:
    """Open positions as rows (no personal data), gig requests of today and later, fairs not yet ended.

    A gig request of today is left out from its start plus ``grace`` on, even before its market's
    ``JobRequestClosed`` (``start_passed``) has reached the view (its ticker stalled, a lagging projector)."""
    today = clock.local_date(now)
    markets = {m.market_id: m for m in geography.MARKETS}
    out: list[dict[str, Any]] = []
    for view in gig_views:
        if view is None:
            continue
        market = markets.get(view["market_id"])
        for request_id, q in sorted(gig_open_at(view, today)["requests"].items()):
            if q["date"] == today.isoformat() and not request_life.takes_offers(
                q["date"], clock.parse_hhmm(q["start"], "start"), now, grace
            ):
                continue
            zh, en = _trade(q["trade"])
            out.append(
                {
                    "source": "gig",
                    "id": request_id,
                    "county": view["county"],
                    "where": market.name_zh if market else view["market_id"],
                    "where_en": market.name_en if market else view["market_id"],
                    "employer": q["employer_name"],
                    "trade": q["trade"],
                    "trade_zh": zh,
                    "trade_en": en,
                    "positions": max(q["headcount"] - len(q["taken"]), 0),
                    "wage": f"{q['day_wage']} 元/天",
                    "wage_low": q["day_wage"],
                    "wage_unit": "day",
                    "date": q["date"],
                    "start": q["start"],
                    "hours": q["hours"],
                    "time": f"{q['start']} 起 {q['hours']} 小时",
                    "place": q["place"],
                }
            )
    for view in fair_views:
        if view is None:
            continue
        for fair_id, fair in sorted(view["fairs"].items()):
            if datetime.fromisoformat(fair["ends_at"]) <= now:
                continue
            starts = datetime.fromisoformat(fair["starts_at"])
            for employer_id, employer in sorted(fair["employers"].items()):
                for index, p in enumerate(employer["positions"]):
                    zh, en = _trade(p["trade"])
                    unit = {"day": "元/天", "month": "元/月", "hour": "元/小时"}.get(p["wage_unit"], p["wage_unit"])
                    out.append(
                        {
                            "source": "fair",
                            "id": f"{fair_id}/{employer_id}/{index}",
                            "county": fair["venue_county"],
                            "where": f"{fair['title']}（{fair['venue']}）",
                            "where_en": fair["title"],
                            "fair_title": fair["title"],
                            "employer": employer["name"],
                            "trade": p["trade"],
                            "trade_zh": p["title"] or zh,
                            "trade_en": en,
                            "positions": p["headcount"],
                            "wage": f"{p['wage_min']}-{p['wage_max']} {unit}",
                            "wage_low": p["wage_min"],
                            "wage_unit": p["wage_unit"],
                            "date": clock.local_date(starts).isoformat(),
                            "start": starts.astimezone(clock.ZONE).strftime("%H:%M"),
                            "time": starts.astimezone(clock.ZONE).strftime("%H:%M"),
                            "place": fair["venue"],
                        }
                    )
    return [row for row in out if row["positions"] > 0]


def snapshot_or_live(snapshot: View | None, live: View | None, week: quotas.Period, open_at: Any) -> View | None:
    """The view as it stood at the start of ``week``: its snapshot, else (no fact since) the live view."""
    if snapshot is not None:
        return snapshot
    if live is not None and live["week"] < week.code:
        return open_at(live, week.first_day)  # type: ignore[no-any-return]
    return None


def supply_sources(prefix: str) -> tuple[list[str], list[str]]:
    """The gig and fair supply keys of every market and scope."""
    return [gig_key(prefix, m.market_id) for m in geography.MARKETS], [fair_key(prefix, s) for s in quotas.SCOPES]


def summary(rows_: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    found = list(rows_)
    return {"rows": len(found), "positions": sum(int(x["positions"]) for x in found)}
