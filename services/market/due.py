"""When a market next needs the clock: the earliest instant at which a ``Tick`` would make it decide something.

A market decides on time alone in four cases (:func:`services.market.decide.decide`): an offer's expiry
(``OfferExpired``), a request's start plus the late-start grace (``JobRequestClosed``, ``start_passed``),
local midnight while the day still holds something that ends with it (offers withdrawn, workers released, open
requests expired), and, under a policy that holds places back (``max_fill`` with a window, ``rolling``), the
moment a request's places become due for offers (and, since the matcher plans requests not yet started first,
the moment a request starts). Nothing else a market does depends on the clock without a
command bringing it. :func:`next_due` is the earliest of those instants after ``now``; ``None``: nothing is due
until a command arrives. The market clock (streams/ticker.py) ticks a market only then.

Contracts (pure: ``now`` is a parameter):

- every instant returned is strictly after ``now``, so a tick at it never finds the market due again at once;
- an instant of the first three kinds is one at which a ``Tick`` makes the market publish a fact (a market
  ticked then does not stay due: the fact changes its state); the others may make no offer (no eligible
  worker), and are returned only while they lie ahead;
- a market with nothing open (no offer, no worker still there, no open request) has no due instant.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services import clock
from services.market import request_life
from services.market.decide import MarketRules
from services.market.state import MarketState


def next_due(state: MarketState, rules: MarketRules, now: datetime) -> datetime | None:
    """The earliest instant after ``now`` at which the market must hear the clock, or ``None``."""
    due: list[datetime] = [offer.expires_at for offer in state.offers.values()]
    open_requests = [q for q in state.requests.values() if q.status == "open"]
    day = state.day or clock.local_date(now).isoformat()
    policy = rules.policy
    for request in open_requests:
        due.append(request_life.closes_at(day, request.start, rules.late_start_grace))
        due.append(request_life.start_at(day, request.start))  # a started request is planned after the others
        if policy.within_tier == "rolling":
            due.append(request_life.start_at(day, request.start - policy.lead_minutes))
        elif policy.window_seconds > 0:
            due.append(request.opened_at + timedelta(seconds=policy.window_seconds))
            due.append(request_life.start_at(day, request.start - policy.start_soon_minutes))
    if state.offers or open_requests or any(w.status != "left" for w in state.workers.values()):
        due.append(clock.local_midnight_utc(date.fromisoformat(day) + timedelta(days=1)))
    ahead = [instant for instant in due if instant > now]
    return min(ahead) if ahead else None
