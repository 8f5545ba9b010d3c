"""Projection of ``market-events`` for a worker without a phone: the kiosk's "查看我的登记" and the hall television.

- ``checkin-of:<market>:<worker pseudonym>``: the worker's latest check-in at that market, ``{checkin_id, day,
  ticket_no}``; the gateway pseudonymises the ID typed on the kiosk keypad in memory and reads this key, so the
  raw number is never stored or sent anywhere.
- ``waiting:<market>`` (a hash, field = check-in id): ``{ticket_no, tier, trades, day, waiting}`` of every
  worker checked in there; ``waiting`` is false while the worker holds an offer or a job, or is paused after a
  second unanswered offer (until ``WorkerResumed``). A worker who left is removed. :func:`queue_place` counts
  the people ahead from it.
- ``hall:<market>`` (a hash, field = offer id): the open offers as the hall screen shows them — ticket number,
  trade, day wage, start — and nothing personal (no name, no ID). An offer answered, expired or withdrawn is
  removed. :func:`hall_board` lists the ones still open.

Every value is set, never accumulated, so applying a fact twice gives the same views; all of it is rebuilt by
replaying ``market-events``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from services.clock import format_hhmm, local_date
from services.market import records as r
from services.readmodels import keys
from services.readmodels.views import View, field_key

_CLOSED = (r.OfferAccepted, r.OfferDeclined, r.OfferExpired, r.OfferWithdrawn)


class KioskViews:
    """The :class:`~services.readmodels.Projection` of the lookup, queue-place and hall views."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def _waiting(self, e: r.MarketEvent, checkin_id: str) -> str:
        return field_key(keys.waiting(self.prefix, e.market_id), checkin_id)

    def _hall(self, e: r.MarketEvent, offer_id: str) -> str:
        return field_key(keys.hall(self.prefix, e.market_id), offer_id)

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        """The view keys ``event`` may change."""
        match event:
            case r.WorkerQueued():
                return [
                    keys.checkin_of(self.prefix, event.market_id, event.worker),
                    self._waiting(event, event.checkin_id),
                ]
            case r.OfferMade() | r.OfferAccepted() | r.OfferDeclined() | r.OfferExpired() | r.OfferWithdrawn():
                return [self._waiting(event, event.checkin_id), self._hall(event, event.offer_id)]
            case r.PlacementCancelled() | r.WorkerLeft() | r.WorkerResumed():
                return [self._waiting(event, event.checkin_id)]
        return []

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """New values for the keys from :meth:`keys_for` (``None`` deletes); a key left out is unchanged."""
        match event:
            case r.WorkerQueued():
                return self._queued(event)
            case r.OfferMade():
                return self._offered(event, current)
            case r.OfferAccepted() | r.OfferDeclined() | r.OfferExpired() | r.OfferWithdrawn():
                return self._offer_closed(event, current)
            case r.PlacementCancelled():
                waiting = self._waiting(event, event.checkin_id)
                if event.reason == "no_show":
                    return {waiting: None}
                return _set_waiting(waiting, current, True)
            case r.WorkerLeft():
                return {self._waiting(event, event.checkin_id): None}
            case r.WorkerResumed():
                return _set_waiting(self._waiting(event, event.checkin_id), current, True)
        return {}

    def _queued(self, e: r.WorkerQueued) -> dict[str, View | None]:
        day = local_date(e.at).isoformat()
        return {
            keys.checkin_of(self.prefix, e.market_id, e.worker): {
                "checkin_id": e.checkin_id,
                "day": day,
                "ticket_no": e.ticket_no,
            },
            self._waiting(e, e.checkin_id): {
                "ticket_no": e.ticket_no,
                "tier": e.tier,
                "trades": list(e.trades),
                "day": day,
                "waiting": True,
            },
        }

    def _offered(self, e: r.OfferMade, current: dict[str, View | None]) -> dict[str, View | None]:
        waiting = self._waiting(e, e.checkin_id)
        changed = _set_waiting(waiting, current, False)
        worker = current.get(waiting)
        if worker is not None:
            changed[self._hall(e, e.offer_id)] = {
                "offer_id": e.offer_id,
                "ticket_no": worker["ticket_no"],
                "trade": e.trade,
                "day_wage": e.day_wage,
                "start": format_hhmm(e.start),
                "day": local_date(e.at).isoformat(),
                "offered_at": e.at.isoformat(),
                "expires_at": e.expires_at.isoformat(),
            }
        return changed

    def _offer_closed(
        self, e: r.OfferAccepted | r.OfferDeclined | r.OfferExpired | r.OfferWithdrawn, current: dict[str, View | None]
    ) -> dict[str, View | None]:
        waiting = self._waiting(e, e.checkin_id)
        hall: dict[str, View | None] = {self._hall(e, e.offer_id): None}
        if isinstance(e, r.OfferWithdrawn) and e.reason in ("checked_out", "end_of_day"):
            return {**hall, waiting: None}  # the worker left the market (any other reason: the request ended)
        # back in the queue, unless the job was taken or the worker is paused after a second unanswered offer
        back = not isinstance(e, r.OfferAccepted) and not (isinstance(e, r.OfferExpired) and e.paused)
        return {**hall, **_set_waiting(waiting, current, back)}


def _set_waiting(key: str, current: dict[str, View | None], waiting: bool) -> dict[str, View | None]:
    """``waiting`` set on the worker's entry; nothing for a worker not (or no longer) checked in here."""
    view = current.get(key)
    return {} if view is None else {key: {**view, "waiting": waiting}}


@dataclasses.dataclass(frozen=True, slots=True)
class QueuePlace:
    """Where a check-in stands in its market's queue today.

    ``ahead``: workers still waiting who share one of its trades and come first in the matcher's order (a better
    priority tier, or the same tier and an earlier ticket) — the plainest honest "前面还有 N 人"; a worker of
    another trade never takes its place. ``waiting``: everyone still waiting at the market today.
    ``is_waiting``: false while it holds an offer or a job, or once it left."""

    ahead: int
    waiting: int
    is_waiting: bool


def queue_place(checkin_id: str, entries: Mapping[str, View], day: str) -> QueuePlace:
    """The :class:`QueuePlace` of ``checkin_id`` among ``entries`` (the ``waiting:<market>`` hash) on ``day``."""
    today = {c: v for c, v in entries.items() if v.get("day") == day and v.get("waiting")}
    mine = entries.get(checkin_id)
    if mine is None or checkin_id not in today:
        return QueuePlace(ahead=0, waiting=len(today), is_waiting=False)
    order = (mine["tier"], mine["ticket_no"])
    trades = set(mine["trades"])
    ahead = sum(
        1
        for c, v in today.items()
        if c != checkin_id and (v["tier"], v["ticket_no"]) < order and trades.intersection(v["trades"])
    )
    return QueuePlace(ahead=ahead, waiting=len(today), is_waiting=True)


def hall_board(entries: Mapping[str, View], now: datetime) -> list[View]:
    """The open offers of ``entries`` (the ``hall:<market>`` hash) to show at ``now``: made today (local) and not
    yet past their deadline, newest first."""
    day = local_date(now).isoformat()
    shown = [v for v in entries.values() if v.get("day") == day and datetime.fromisoformat(v["expires_at"]) > now]
    return sorted(shown, key=lambda v: (v["offered_at"], v["offer_id"]), reverse=True)
