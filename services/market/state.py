"""The state of one market for one day, as stored (msgspec JSON) in the market agent's table."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from services.market.records import Commitment


class WaitingWorker(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """A check-in in a market's queue. A busy market holds tens of thousands: ``gc=False`` and tuples (not lists)
    keep them out of the cycle collector's reach, so its full collections do not grow with the queue. Safe: a
    worker's fields are strings, numbers, datetimes and tuples of those and of frozen :class:`Commitment`, so
    it can never be part of a reference cycle; a change replaces a tuple, never appends to it."""

    checkin_id: str
    worker: str
    worker_masked: str
    ticket_no: int
    trades: tuple[str, ...]
    certificates: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    tier: int = 0
    min_day_wage: int
    available_from: int
    available_until: int
    checked_in_at: datetime
    #: ``paused``: let too many offers expire (:attr:`services.market.decide.MarketRules.missed_before_pause`); gets
    #: no offer until they confirm they are still waiting (``ConfirmWaiting``), then waits again in their place.
    status: Literal["waiting", "offered", "paused", "left"] = "waiting"
    offer_id: str | None = None
    #: Offers let expire since checking in or last confirming "still waiting" (a decline is not counted).
    missed: int = 0
    passed_requests: tuple[str, ...] = ()
    #: Jobs accepted today, here or (brought by the roster) at another market.
    commitments: tuple[Commitment, ...] = ()
    #: How many of today's requests in this market the worker could do (trade, wage, hours): versatility.
    fit_count: int = 0

    @property
    def busy(self) -> list[tuple[int, int]]:
        return [(c.start, c.end) for c in self.commitments]


class OpenRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    request_id: str
    employer_id: str
    employer_name: str
    trade: str
    headcount: int
    day_wage: int
    start: int
    hours: int
    place: str
    certificate_required: bool = False
    opened_at: datetime
    placements: list[str] = msgspec.field(default_factory=list)  # active placement ids
    status: Literal["open", "filled", "closed"] = "open"
    #: Why a closed request closed; only ``start_passed`` may be reopened by its employer.
    closed_reason: Literal["", "cancelled", "expired", "start_passed"] = ""
    #: How many of today's workers in this market could do this job: how hard it is to fill.
    fit_count: int = 0


class PendingOffer(msgspec.Struct, kw_only=True, omit_defaults=True):
    offer_id: str
    request_id: str
    checkin_id: str
    made_at: datetime
    expires_at: datetime


class HeldPlace(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """A tentative offer standing (issue 26): the plan holds a place of ``request_id`` for a waiting worker, told
    to them by a ``PlaceHeld`` fact at ``since``; it becomes firm at ``firm_at`` at the latest."""

    request_id: str
    since: datetime
    firm_at: datetime


class Placement(msgspec.Struct, kw_only=True, omit_defaults=True):
    placement_id: str
    offer_id: str
    request_id: str
    checkin_id: str
    status: Literal["started", "cancelled"] = "started"
    steps: list[str] = msgspec.field(default_factory=list)  # the standing steps, see records.RecordPlacementStep
    #: When each standing step was last recorded (the correction window runs from it).
    recorded_at: dict[str, datetime] = msgspec.field(default_factory=dict)
    #: Step facts emitted so far (recorded and corrected), numbering them for the report ledger.
    version: int = 0
    #: The worker reported "没拿到工资" (a wage dispute is open until they confirm the wage received).
    disputed: bool = False


class MarketState(msgspec.Struct, kw_only=True, dict=True, omit_defaults=True):
    """One market's day. ``dict=True``: :mod:`services.market.index` keeps derived look-ups beside the fields
    (never encoded, compared or copied)."""

    market_id: str
    county: str
    day: str = ""  # local date (Asia/Shanghai) the state is about, ISO format
    clock: datetime | None = None  # the latest time seen: the market's clock never runs backwards
    next_ticket: int = 1
    workers: dict[str, WaitingWorker] = msgspec.field(default_factory=dict)
    requests: dict[str, OpenRequest] = msgspec.field(default_factory=dict)
    offers: dict[str, PendingOffer] = msgspec.field(default_factory=dict)
    placements: dict[str, Placement] = msgspec.field(default_factory=dict)
    supply: dict[str, int] = msgspec.field(default_factory=dict)  # check-ins today per trade
    #: Tentative offers standing, by check-in id (:class:`HeldPlace`); written after every decision's offers.
    held: dict[str, HeldPlace] = msgspec.field(default_factory=dict)
    recent_commands: list[str] = msgspec.field(default_factory=list)


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(MarketState)


def encode_state(state: MarketState) -> bytes:
    return _encoder.encode(state)


def decode_state(data: bytes) -> MarketState:
    return _decoder.decode(data)


def new_state(market_id: str, county: str) -> MarketState:
    return MarketState(market_id=market_id, county=county)


def open_slots(state: MarketState, request: OpenRequest) -> int:
    """Places still to offer: headcount minus active placements minus offers awaiting an answer.

    The definition, by a pass over every offer; the matcher asks :func:`services.market.index.open_slots`, which
    answers the same from a derived index (the property tests compare the two after every command)."""
    pending = sum(1 for o in state.offers.values() if o.request_id == request.request_id)
    return request.headcount - len(request.placements) - pending
