"""The life of a job request on the clock: open for offers until its start plus a late-start grace.

A same-day request's start is a wall-clock minute of the market's local day (Asia/Shanghai). From the moment
``start + grace`` (:func:`closes_at`) the request takes no more offers: the market closes it by a
``JobRequestClosed`` fact with reason ``start_passed`` (the ticker's ``Tick`` brings that moment), and it leaves
the public supply list. The employer may answer "still needed, start as soon as possible": the request opens
again with its start moved to now (:func:`start_now`), keeping its placements.

Contracts (pure: nothing here reads the clock; every instant is aware and passed in):

- a request takes offers while ``now < closes_at`` and never at or after it (:func:`takes_offers`);
- an offer made at ``now`` expires at ``min(now + ttl, closes_at)`` (:func:`offer_expiry`), so it can never be
  accepted at or after the request's close;
- a request whose start is at or before ``now`` has started (:func:`has_started`); the matcher offers
  not-yet-started requests first;
- a posting's start may not be before the current local minute (rule ``start_past``) unless it asks to
  start now, which sets the start to now rounded up to the minute (:func:`start_now`).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from services import clock
from services.errors import FieldError

#: How long after its start a request still takes offers, unless the settings say otherwise.
DEFAULT_GRACE = timedelta(minutes=30)

START_PAST = FieldError(
    "start",
    "start_past",
    "开工时间已经过去；如果现在就要人，请选“现在就要人”",
    "the start time has already passed; choose 'start now' if you need workers now",
)


def start_at(day: str, start: int) -> datetime:
    """The instant (UTC) of minute ``start`` of the local day ``day`` (ISO date)."""
    return _midnight(day) + timedelta(minutes=start)


@functools.lru_cache(maxsize=64)
def _midnight(day: str) -> datetime:
    """Local midnight of ``day`` as an instant: asked for every open request on every command, so kept."""
    return clock.local_midnight_utc(date.fromisoformat(day))


def closes_at(day: str, start: int, grace: timedelta) -> datetime:
    """The instant the request stops taking offers: its start plus the grace."""
    return start_at(day, start) + grace


def cutoff(day: str, now: datetime, grace: timedelta) -> float:
    """Seconds into ``day`` such that a request whose start (``start * 60``) is at or before them no longer takes
    offers at ``now``: ``now - grace`` as seconds since the day's local midnight. Computed once for all the
    requests a command looks at (the market and the matcher look at every open request on every command)."""
    return (now - grace - _midnight(day)).total_seconds()


def takes_offers(day: str, start: int, now: datetime, grace: timedelta) -> bool:
    """Whether a request starting at ``start`` on ``day`` may still be offered at ``now``."""
    return start * 60 > cutoff(day, now, grace)


def has_started(day: str, start: int, now: datetime) -> bool:
    """Whether the job's start is at or before ``now``."""
    return start * 60 <= cutoff(day, now, timedelta(0))


def offer_expiry(made_at: datetime, ttl: timedelta, day: str, start: int, grace: timedelta) -> datetime:
    """When an offer made at ``made_at`` ends: after its time to answer, and never after the request closes."""
    return min(made_at + ttl, closes_at(day, start, grace))


def minute_of_day(now: datetime) -> int:
    """The current local minute (minutes since local midnight, rounded down)."""
    return int((now - clock.local_midnight_utc(clock.local_date(now))).total_seconds() // 60)


def start_now(now: datetime) -> int:
    """The start of a job wanted now: the local minute rounded up (``08:30:00`` → 08:30, ``08:30:01`` → 08:31).

    Can be 1440 in the last minute of the day; such a job never ends today, which the caller refuses.
    """
    seconds = (now - clock.local_midnight_utc(clock.local_date(now))).total_seconds()
    return int(-(-seconds // 60))


def posting_start_error(start: int, now: datetime) -> FieldError | None:
    """``start_past`` when a posting's start (minutes) is before the current local minute, else ``None``."""
    return START_PAST if start < minute_of_day(now) else None
