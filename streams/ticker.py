"""The markets' clock: every ``tick_interval_seconds`` the leader worker sends each market a ``Tick``.

Ticks go through ``market-commands`` like any command, so offer expiry and the end of the day are decided by
the market's single writer at a time it records. The tick's id derives from the market and the second, so a
tick sent twice (e.g. around a leader change) is the same command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from services.geography import Market
from services.market import records
from services.records import derived_id


def ticks(markets: Iterable[Market], now: datetime) -> list[records.Tick]:
    second = now.replace(microsecond=0).isoformat()
    return [
        records.Tick(id=derived_id("tick", m.market_id, second), at=now, market_id=m.market_id, county=m.county)
        for m in markets
    ]


Clock = Callable[[], datetime]
