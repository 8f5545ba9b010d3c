"""The live dashboard's read model: one hash per market, composed per county and city-wide when read.

``dash:market:<market_id>`` is a Redis hash of small fields (see :func:`services.readmodels.views.field_key`):

- ``head``: the market's day (Asia/Shanghai date of its latest fact), its running figures (``waiting``,
  ``open_positions``, ``offers_out``), the day's fills with the seconds from check-in to placement, and the
  ``unpaid`` placements (completed, wage not yet recorded paid or received) with the time of completion, and
  the open wage ``disputes`` (the worker's "没拿到工资", issue 23: employer, trade, wage, masked ID, time) until the
  worker confirms the wage received;
- ``c:<checkin_id>``: a check-in (``waiting`` / ``placed``, time of check-in, placements);
- ``q:<request_id>``: an open request (headcount, placements);
- ``o:<offer_id>``: an offer out (its request).

A fact reads and writes only ``head`` and the entities it names, never the whole market: each figure in the
head moves by what the touched entities count after the fact less what they counted before (a waiting
check-in counts 1 worker waiting, an open request its headcount less its placements, an offer out 1). An
entity is deleted when it ends (the worker left, the request closed or filled, the offer answered): the market
ends every check-in, request and offer at local midnight, so a market's hash holds about one day. A fact of a
later day starts a new day in the head: fills restart; unpaid placements of the day before are kept (their
alert lasts until the next midnight). The projector applies each fact once (transactional log, offsets stored
with the views); entity updates are also guarded by id (a placement counted twice changes nothing).
:func:`market_figures` and :func:`compose` turn the heads into the figures served.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from services import clock, geography, trades
from services.market import records as r
from services.readmodels.views import View, field_key
from services.reports import labels

FIGURES = ("workers_waiting", "open_positions", "offers_out", "fills_today")
HEAD = "head"
PAID_STEPS = ("wage_paid", "wage_received")


def market_key(prefix: str, market_id: str) -> str:
    return f"{prefix}dash:market:{market_id}"


def channel_pattern(prefix: str) -> str:
    """The pub/sub pattern of change notices of dashboard views (see ``keys.changes_channel``)."""
    return f"{prefix}changed:{prefix}dash:*"


def _entities(e: r.MarketEvent) -> list[str]:
    """The entity fields ``e`` touches."""
    match e:
        case r.WorkerQueued() | r.WorkerLeft():
            return [f"c:{e.checkin_id}"]
        case (
            r.JobRequestOpened()
            | r.JobRequestClosed()
            | r.JobRequestFilled()
            | r.JobRequestReopened()
            | r.HeadcountChanged()
        ):
            return [f"q:{e.request_id}"]
        case r.OfferMade() | r.OfferAccepted() | r.OfferDeclined() | r.OfferExpired() | r.OfferWithdrawn():
            return [f"o:{e.offer_id}"]
        case r.PlacementStarted() | r.PlacementCancelled():
            return [f"c:{e.checkin_id}", f"q:{e.request_id}"]
        case r.PlacementStepRecorded() | r.PlacementStepCorrected() | r.WageDisputeOpened():
            return []
    return []


_TRACKED = (
    r.WorkerQueued,
    r.WorkerLeft,
    r.JobRequestOpened,
    r.JobRequestClosed,
    r.JobRequestReopened,
    r.JobRequestFilled,
    r.HeadcountChanged,
    r.OfferMade,
    r.OfferAccepted,
    r.OfferDeclined,
    r.OfferExpired,
    r.OfferWithdrawn,
    r.PlacementStarted,
    r.PlacementCancelled,
    r.PlacementStepRecorded,
    r.PlacementStepCorrected,
    r.WageDisputeOpened,
)


class DashboardViews:
    """Projection of ``market-events`` into the fields of ``dash:market:<market_id>``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        if not isinstance(event, _TRACKED):
            return []
        key = market_key(self.prefix, event.market_id)
        return [field_key(key, name) for name in (HEAD, *_entities(event))]

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """The head and the touched entities with ``event`` applied (``current`` is updated in place)."""
        if not isinstance(event, _TRACKED):
            return {}
        key = market_key(self.prefix, event.market_id)
        head = _roll_day(current.get(field_key(key, HEAD)), event)
        names = _entities(event)
        touched = {n: current.get(field_key(key, n)) for n in names}
        before = _counted(touched)
        _apply(head, touched, event)
        after = _counted(touched)
        for figure in ("waiting", "open_positions", "offers_out"):
            head[figure] += after[figure] - before[figure]
        head["updated_at"] = event.at.isoformat()
        changed: dict[str, View | None] = {field_key(key, HEAD): head}
        changed.update((field_key(key, n), _alive(n, v)) for n, v in touched.items())
        current.update(changed)
        return changed


def _alive(name: str, entity: View | None) -> View | None:
    """The entity to store, ``None`` (delete) once it has ended."""
    if entity is None:
        return None
    if name.startswith("c:") and entity["s"] == "left":
        return None
    if name.startswith("q:") and not entity["open"]:
        return None
    return entity


def _counted(touched: Mapping[str, View | None]) -> dict[str, int]:
    """What the entities count toward the head's figures."""
    out = {"waiting": 0, "open_positions": 0, "offers_out": 0}
    for name, entity in touched.items():
        if entity is None:
            continue
        if name.startswith("c:") and entity["s"] == "waiting":
            out["waiting"] += 1
        elif name.startswith("q:") and entity["open"]:
            out["open_positions"] += max(entity["n"] - len(entity["p"]), 0)
        elif name.startswith("o:"):
            out["offers_out"] += 1
    return out


def _roll_day(head: View | None, event: r.MarketEvent) -> View:
    day = clock.local_date(event.at).isoformat()
    if head is None:
        return {
            "market_id": event.market_id,
            "county": event.county,
            "day": day,
            "waiting": 0,
            "open_positions": 0,
            "offers_out": 0,
            "fills": {},
            "unpaid": {},
            "disputes": {},
        }
    if day > head["day"]:
        yesterday = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        head["day"] = day
        head["fills"] = {}
        head["unpaid"] = {
            p: at for p, at in head["unpaid"].items() if clock.local_date(_at(at)).isoformat() >= yesterday
        }
        head["disputes"] = {
            p: d for p, d in head.get("disputes", {}).items() if clock.local_date(_at(d["at"])).isoformat() >= yesterday
        }
    return head


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _apply(head: View, touched: dict[str, View | None], e: r.MarketEvent) -> None:
    match e:
        case r.WorkerQueued():
            touched[f"c:{e.checkin_id}"] = touched[f"c:{e.checkin_id}"] or {
                "at": e.at.isoformat(),
                "s": "waiting",
                "p": [],
            }
        case r.WorkerLeft():
            checkin = touched[f"c:{e.checkin_id}"]
            if checkin is not None:
                checkin["s"] = "left"
        case r.JobRequestOpened():
            touched[f"q:{e.request_id}"] = touched[f"q:{e.request_id}"] or {"n": e.headcount, "p": [], "open": True}
        case r.JobRequestClosed() | r.JobRequestFilled():
            request = touched[f"q:{e.request_id}"]
            if request is not None:
                request["open"] = False
        case r.JobRequestReopened():
            if len(e.placements) < e.headcount:
                touched[f"q:{e.request_id}"] = {"n": e.headcount, "p": list(e.placements), "open": True}
        case r.HeadcountChanged():  # issue 24: the open positions follow the new headcount
            request = touched[f"q:{e.request_id}"]
            if request is not None:
                request["n"] = e.headcount
                request["open"] = e.status == "open"
        case r.OfferMade():
            touched[f"o:{e.offer_id}"] = {"r": e.request_id}
        case r.OfferAccepted() | r.OfferDeclined() | r.OfferExpired() | r.OfferWithdrawn():
            touched[f"o:{e.offer_id}"] = None
        case r.PlacementStarted():
            _placed(head, touched[f"c:{e.checkin_id}"], touched[f"q:{e.request_id}"], e)
        case r.PlacementCancelled():
            _unplaced(head, touched[f"c:{e.checkin_id}"], touched[f"q:{e.request_id}"], e)
        case r.PlacementStepRecorded() | r.PlacementStepCorrected():
            _stepped(head, e)
        case r.WageDisputeOpened():
            head.setdefault("disputes", {})[e.placement_id] = {
                "at": e.at.isoformat(),
                "employer_name": e.employer_name,
                "trade": e.trade,
                "day_wage": e.day_wage,
                "start": e.start,
                "hours": e.hours,
                "worker_masked": e.worker_masked,
            }


def _placed(head: View, checkin: View | None, request: View | None, e: r.PlacementStarted) -> None:
    if request is not None and e.placement_id not in request["p"]:
        request["p"].append(e.placement_id)
    if checkin is not None:
        if e.placement_id not in checkin["p"]:
            checkin["p"].append(e.placement_id)
        if checkin["s"] == "waiting":
            checkin["s"] = "placed"
        seconds = int((e.at - _at(checkin["at"])).total_seconds())
        head["fills"].setdefault(e.placement_id, max(seconds, 0))
    else:
        head["fills"].setdefault(e.placement_id, None)


def _unplaced(head: View, checkin: View | None, request: View | None, e: r.PlacementCancelled) -> None:
    if request is not None and e.placement_id in request["p"]:
        request["p"].remove(e.placement_id)
    if checkin is not None and e.placement_id in checkin["p"]:
        checkin["p"].remove(e.placement_id)
        if not checkin["p"] and checkin["s"] == "placed":
            checkin["s"] = "left" if e.reason == "no_show" else "waiting"
    if e.reason == "no_show":
        head["fills"].pop(e.placement_id, None)
    head["unpaid"].pop(e.placement_id, None)
    head.get("disputes", {}).pop(e.placement_id, None)


def _stepped(head: View, e: r.PlacementStepRecorded | r.PlacementStepCorrected) -> None:
    """A completed placement is unpaid until a wage step (paid by the employer, or received by the worker); a
    correction puts it back (from its completion's time) or takes it out (completion withdrawn). A wage
    dispute closes when the worker confirms the wage received."""
    if "wage_received" in e.steps:
        head.get("disputes", {}).pop(e.placement_id, None)
    if any(step in PAID_STEPS for step in e.steps) or "completed" not in e.steps:
        head["unpaid"].pop(e.placement_id, None)
    elif isinstance(e, r.PlacementStepCorrected):
        head["unpaid"][e.placement_id] = (e.completed_at or e.at).isoformat()
    else:
        head["unpaid"].setdefault(e.placement_id, e.at.isoformat())


# ---------------------------------------------------------------- figures


def market_figures(head: View | None, today: str | None = None) -> dict[str, Any]:
    """The market's figures from its ``head``; ``today`` (a local date) zeroes the fills of an older day."""
    if head is None:
        return {"workers_waiting": 0, "open_positions": 0, "offers_out": 0, "fills_today": 0, "match_seconds": []}
    current = today is None or head["day"] >= today
    seconds = [s for s in head["fills"].values() if s is not None] if current else []
    return {
        "workers_waiting": head["waiting"],
        "open_positions": head["open_positions"],
        "offers_out": head["offers_out"],
        "fills_today": len(head["fills"]) if current else 0,
        "match_seconds": seconds,
    }


def overdue(completed_at: str, now: datetime, unpaid_after: timedelta) -> bool:
    """Whether a placement completed at ``completed_at`` and still unpaid is overdue at ``now``: day labour
    is paid the same day, so it is overdue ``unpaid_after`` after completion or at the local midnight after
    it, whichever comes first."""
    done = _at(completed_at)
    return now >= done + unpaid_after or clock.local_date(now) > clock.local_date(done)


def unpaid_by_county(heads: Mapping[str, View | None], now: datetime, unpaid_after: timedelta) -> dict[str, int]:
    """The number of overdue unpaid placements in each county (every county, zero included)."""
    counts = {county.code: 0 for county in geography.COUNTIES}
    for head in heads.values():
        if head is not None:
            counts[head["county"]] += sum(1 for at in head["unpaid"].values() if overdue(at, now, unpaid_after))
    return counts


def disputes_by_county(heads: Mapping[str, View | None]) -> dict[str, list[dict[str, Any]]]:
    """The open wage disputes of each county (every county, none included), oldest first, with their market."""
    out: dict[str, list[dict[str, Any]]] = {county.code: [] for county in geography.COUNTIES}
    for market_id, head in heads.items():
        if head is None:
            continue
        for placement_id, d in head.get("disputes", {}).items():
            row = {**d, "placement_id": placement_id, "market_id": market_id}
            row["start"] = clock.format_hhmm(d["start"])
            trade = trades.TRADES_BY_CODE.get(d["trade"])
            row["trade_zh"] = trade.name_zh if trade else d["trade"]
            out[head["county"]].append(row)
    for rows in out.values():
        rows.sort(key=lambda d: (d["at"], d["placement_id"]))
    return out


def _summary(figures: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    rows = list(figures)
    seconds = [s for f in rows for s in f["match_seconds"]]
    out: dict[str, Any] = {name: sum(f[name] for f in rows) for name in FIGURES}
    out["median_match_seconds"] = int(statistics.median(seconds)) if seconds else None
    return out


def compose(
    views: Mapping[str, View | None],
    today: str,
    waiting_alert: int,
    *,
    now: datetime | None = None,
    unpaid_after: timedelta = timedelta(hours=4),
) -> dict[str, Any]:
    """Markets, counties and the city, from the market heads keyed by market id.

    ``waiting_alert``: a market with at least this many workers waiting and no open position raises an alert.
    ``now`` (default: the start of ``today``) and ``unpaid_after``: placements completed and not paid are
    counted per county (``unpaid_placements``) once :func:`overdue`, and a county with any raises an alert.
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
                "county_en": geography.COUNTIES_BY_CODE[market.county].name_en,
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
    at = now or clock.local_midnight_utc(date.fromisoformat(today))
    unpaid = unpaid_by_county(views, at, unpaid_after)
    hours = f"{unpaid_after.total_seconds() / 3600:g}"
    alerts.extend(
        {
            "kind": "unpaid_placements",
            "county": county.code,
            "count": unpaid[county.code],
            "message_zh": f"{county.name_zh}：{unpaid[county.code]} 个已完工的用工超过 {hours} 小时或跨日仍未记录付薪",
            "message_en": f"{county.name_en}: {unpaid[county.code]} completed placements unpaid after {hours} h "
            "or past midnight",
        }
        for county in geography.COUNTIES
        if unpaid[county.code]
    )
    disputes = disputes_by_county(views)
    alerts.extend(
        {
            "kind": "wage_disputes",
            "county": county.code,
            "count": len(disputes[county.code]),
            "message_zh": f"{county.name_zh}：{len(disputes[county.code])} 名工人报告没拿到工资",
            "message_en": f"{county.name_en}: {len(disputes[county.code])} workers report their wage unpaid",
        }
        for county in geography.COUNTIES
        if disputes[county.code]
    )
    for row in counties:
        row["unpaid_placements"] = unpaid[row["county"]]
        row["wage_disputes"] = len(disputes[row["county"]])
    return {
        "day": today,
        "city": {
            **_summary(by_market.values()),
            "unpaid_placements": sum(unpaid.values()),
            "wage_disputes": sum(len(rows) for rows in disputes.values()),
        },
        "counties": counties,
        "markets": markets,
        "alerts": alerts,
        "unpaid_placements": unpaid,
        "wage_disputes": disputes,
    }


RULE_SHORT = {
    "county_week": ("每周招聘会", "weekly fair"),
    "city_month": ("每月综合招聘会", "monthly city fairs"),
}


def label_board_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A quota board entry with its scope and period in words, both languages (``scope_zh`` 钟山区 / 市本级,
    ``period_zh`` 11月23日—11月29日（第48周）, ``period_en`` …), beside the codes."""
    return {
        **entry,
        "scope_zh": labels.place_name(entry["scope"], "zh_CN"),
        "scope_en": labels.place_name(entry["scope"], "en"),
        "period_zh": labels.quota_period_label(entry["period"], "zh_CN"),
        "period_en": labels.quota_period_label(entry["period"], "en"),
    }


def quota_alerts(board: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Alerts for the quota board's entries at risk (or warned and not met) — the composed board of
    :func:`services.readmodels.fair_views.compose_board` — each message in one language, in words (place and
    period names, never codes)."""
    out: list[dict[str, Any]] = []
    for raw in board.get("entries", []):
        if raw["status"] == "at_risk" or (raw.get("warned") and raw["status"] not in ("met", "missed")):
            entry = label_board_entry(raw)
            zh, en = RULE_SHORT.get(entry["rule"], (entry.get("rule_zh", entry["rule"]), entry["rule"]))
            held, pending, target = entry.get("held", 0), entry.get("pending", 0), entry.get("target", 0)
            out.append(
                {
                    "kind": "quota_at_risk",
                    "county": entry["scope"],
                    "period": entry["period"],
                    "rule": entry["rule"],
                    "message_zh": f"{entry['scope_zh']} {entry['period_zh']}：{zh}指标有风险，已举办 {held} 场，"
                    f"待举办 {pending} 场，目标 {target} 场",
                    "message_en": f"{entry['scope_en']}, {entry['period_en']}: {en} quota at risk, {held} held, "
                    f"{pending} scheduled, target {target}",
                }
            )
    return out
