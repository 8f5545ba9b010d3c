"""The morning rush as data: synthetic workers, kiosk check-in requests, employers' job requests, and
check-in records for feeding the pipeline directly.

Every ID number is synthetic (a valid check character, born 1970-1999 in 钟山区), unique per index and per
run offset, so no two check-ins of a run are the same worker (the roster would refuse the second).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

from gateway.commands import command_id
from services import clock, geography
from services.market import records
from services.people import identity
from services.people.principal import Principal
from services.records import derived_id
from tests.benchmarks.perf.loadgen import http_post

MARKETS = [m.market_id for m in geography.MARKETS]
#: The trade of the kiosk-to-offer phase (jobs are posted for it) and of the queue-only phases (no jobs).
OFFER_TRADE = "porter"
QUEUE_TRADE = "general_labourer"
_EPOCH = date(1970, 1, 1)


def id_number(n: int) -> str:
    """The ``n``-th synthetic resident ID number (distinct for distinct ``n`` < 10,950,000)."""
    born = _EPOCH + timedelta(days=n // 1000)
    first17 = f"520201{born:%Y%m%d}{n % 1000:03d}"
    return first17 + identity.check_character(first17)


def check_in_body(n: int, trade: str) -> bytes:
    return json.dumps(
        {
            "id_number": id_number(n),
            "trades": [trade],
            "min_day_wage": 150,
            "available_from": "00:00",
            "available_until": "23:59",
        }
    ).encode()


class Kiosks:
    """Round-robin over every kiosk of every market: request ``i`` comes from kiosk ``i mod K``."""

    def __init__(self, kiosks: dict[str, list[tuple[str, str]]], host: str, port: int) -> None:
        self.slots = [(market, sid, token) for market, pairs in kiosks.items() for sid, token in pairs]
        self.host, self.port = host, port

    def check_in(self, n: int, trade: str) -> tuple[bytes, tuple[str, str]]:
        """The raw request of worker ``n``, tagged with ``(market, checkin_id)`` (the id the gateway derives)."""
        market, sid, token = self.slots[n % len(self.slots)]
        key = uuid.uuid4().hex
        principal = Principal("kiosk", sid, "", market)
        raw = http_post(
            self.host,
            self.port,
            "/api/v1/checkins",
            check_in_body(n, trade),
            [("Authorization", f"Bearer {token}"), ("Idempotency-Key", key)],
        )
        return raw, (market, command_id(principal, key))


def job_body(market_id: str, trade: str, headcount: int, now: datetime) -> dict[str, object]:
    """A same-day job starting a few minutes from ``now`` (local time), ending by 23:59. A job must start no earlier
    than the current minute and end today, so the benchmark cannot post in the last hour of the local day: raises
    ``ValueError`` then (run it before 22:55 Asia/Shanghai)."""
    local = now.astimezone(clock.ZONE)
    start = local.hour * 60 + local.minute + 5
    if start + 60 > 23 * 60 + 59:
        raise ValueError("the benchmark posts same-day jobs of an hour or more: run it before 22:55 Asia/Shanghai")
    hours = max(1, min(8, (23 * 60 + 59 - start) // 60))
    return {
        "market_id": market_id,
        "trade": trade,
        "headcount": headcount,
        "day_wage": 220,
        "start": clock.format_hhmm(start),
        "hours": hours,
        "place": "钟山区荷城街道压测工地",
        "certificate_required": False,
    }


def check_in_record(n: int, market_id: str, trade: str, key: bytes, now: datetime) -> records.CheckIn:
    """The record the gateway would publish for worker ``n`` checking in at ``market_id``."""
    market = geography.market(market_id)
    number = id_number(n)
    return records.CheckIn(
        id=derived_id("perf-check-in", str(n), market_id),
        at=now,
        market_id=market_id,
        county=market.county,
        worker=identity.pseudonymise(number, key),
        worker_masked=identity.mask_id_number(number),
        kiosk_id=f"kiosk-{market_id}-0",
        trades=(trade,),
        min_day_wage=150,
        available_from=0,
        available_until=23 * 60 + 59,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)
