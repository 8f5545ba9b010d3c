"""The markets' clock: a market hears a ``Tick`` only when something of it is due, so idle markets cost nothing.

Ticks go through ``market-commands`` like any command, so offer expiry, late starts and the end of the day are
decided by the market's single writer at a time it records. The tick's id derives from the market and the
second, so a tick sent twice (e.g. around a rebalance) is the same command.

Until issue 29 the leader worker sent every market a tick every ``tick_interval_seconds`` whether or not anything
was due: 108 markets were 108 commands a second doing nothing, a province's thousand most of the pipeline's
capacity. Now every stream worker keeps an :class:`Agenda` of the markets of the ``market-commands`` partitions
it holds: after each command the market agent files the market's next due instant
(:func:`services.market.due.next_due`: an offer's expiry, a request's start plus the grace, midnight while the
day holds something, a held-back request becoming due), and the worker's timer ticks, every
``tick_interval_seconds``, only the markets whose instant has come — at most one interval late, as before.

What the agenda cannot know it treats as due: the markets of a partition this worker has just been given (their
states were decided by another worker, or before a restart) get one tick at once, which files their instants. A
tick sent is filed again :data:`RESEND_AFTER` later, in case it is lost; the market's answer to it replaces that
with the real next instant, usually within milliseconds.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from services.adapters.partitioner import murmur2
from services.geography import Market
from services.market import records
from services.records import derived_id

Clock = Callable[[], datetime]

#: A market whose tick brought no answer (lost, or the partition moved) is ticked again after this long.
RESEND_AFTER = timedelta(seconds=5)


def tick(market_id: str, county: str, now: datetime) -> records.Tick:
    """The tick of ``market_id`` at ``now``; its id is the market's and the second's."""
    second = now.replace(microsecond=0).isoformat()
    return records.Tick(id=derived_id("tick", market_id, second), at=now, market_id=market_id, county=county)


def ticks(markets: Iterable[Market], now: datetime) -> list[records.Tick]:
    """A tick for each of ``markets`` at ``now`` (tests and tools that drive the clock themselves)."""
    return [tick(m.market_id, m.county, now) for m in markets]


def partition_of(market_id: str, partitions: int) -> int:
    """The ``market-commands`` partition of a market: Kafka's default partitioner of its id."""
    return (murmur2(market_id.encode()) & 0x7FFFFFFF) % partitions


class Agenda:
    """When each market of this worker's partitions next needs the clock.

    ``file`` records a market's next due instant (``None``: nothing due), ``due`` takes the markets whose
    instant has come (filing each again :data:`RESEND_AFTER` later), ``hold`` follows the worker's assignment.
    Not thread-safe: used from the worker's event loop only.
    """

    def __init__(self, known: Iterable[Market] = (), resend_after: timedelta = RESEND_AFTER) -> None:
        #: Markets that get a first tick when their partition is given to this worker (the catalogue's).
        self._known = {m.market_id: m.county for m in known}
        self._resend_after = resend_after
        self._when: dict[str, datetime] = {}
        self._county: dict[str, str] = {}
        self._heap: list[tuple[datetime, str]] = []  # (instant, market); stale entries skipped when popped
        self._held: set[int] = set()
        self._partitions = 0

    def __len__(self) -> int:
        return len(self._when)

    def file(self, market_id: str, county: str, when: datetime | None) -> None:
        """``market_id``'s next due instant is ``when`` (``None``: nothing due until a command arrives)."""
        self._county[market_id] = county
        self._known.setdefault(market_id, county)
        if when is None:
            self._when.pop(market_id, None)
            return
        if self._when.get(market_id) == when:
            return
        self._when[market_id] = when
        heapq.heappush(self._heap, (when, market_id))

    def next_instant(self) -> datetime | None:
        """The earliest filed instant (``None``: nothing filed)."""
        while self._heap:
            when, market_id = self._heap[0]
            if self._when.get(market_id) == when:
                return when
            heapq.heappop(self._heap)
        return None

    def due(self, now: datetime) -> list[records.Tick]:
        """The ticks of every market whose instant is at or before ``now``; each is filed again a little later."""
        out: list[records.Tick] = []
        while (first := self.next_instant()) is not None and first <= now:
            _, market_id = heapq.heappop(self._heap)
            out.append(tick(market_id, self._county[market_id], now))
            self.file(market_id, self._county[market_id], now + self._resend_after)
        return out

    def hold(self, partitions: Iterable[int], count: int, now: datetime) -> None:
        """The worker now holds ``partitions`` of ``count``: the known markets of a partition it did not hold
        are due at ``now``; the markets of partitions it no longer holds leave the agenda."""
        held = set(partitions)
        if count != self._partitions:
            self._partitions, self._held = count, set()
        gained, lost = held - self._held, self._held - held
        self._held = held
        if not count or not (gained or lost):
            return  # the usual beat: nothing moved, no scan of the catalogue
        for market_id, county in self._known.items():
            partition = partition_of(market_id, count)
            if partition in gained:
                self.file(market_id, county, now)
            elif partition in lost:
                self.file(market_id, county, None)
