"""A market's state and the single-writer decision function: command in, facts out.

:func:`decide` is the whole behaviour of one market. It is pure and deterministic: the same state and
command always give the same new state and the same events (with the same ids), so an agent that replays a
command after a crash emits byte-identical facts that consumers deduplicate by id.

Contracts:
- a command already applied (its id is in ``recent_commands``) yields no events and no change;
- a worker holds at most one open offer and, once placed, gets no more offers today;
- a request never has more accepted workers than its headcount, counting open offers against it;
- matching is first come, first served by ticket number; each offer records its rule, rank and wait.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Literal, TypedDict

import msgspec

from services import records as r
from services.settings import Settings

RECENT_COMMANDS_KEPT = 20_000


class WaitingWorker(msgspec.Struct, kw_only=True):
    checkin_id: str
    worker: str
    worker_masked: str
    ticket_no: int
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int
    available_until: int
    checked_in_at: datetime
    status: Literal["waiting", "offered", "placed"] = "waiting"
    offer_id: str | None = None
    passed_requests: list[str] = msgspec.field(default_factory=list)


class OpenRequest(msgspec.Struct, kw_only=True):
    request_id: str
    employer_id: str
    employer_name: str
    trade: str
    headcount: int
    day_wage: int
    start: int
    hours: int
    place: str
    opened_at: datetime
    accepted: list[str] = msgspec.field(default_factory=list)
    status: Literal["open", "filled"] = "open"


class PendingOffer(msgspec.Struct, kw_only=True):
    offer_id: str
    request_id: str
    checkin_id: str
    made_at: datetime
    expires_at: datetime


class MarketState(msgspec.Struct, kw_only=True):
    market_id: str
    county: str
    next_ticket: int = 1
    workers: dict[str, WaitingWorker] = msgspec.field(default_factory=dict)
    requests: dict[str, OpenRequest] = msgspec.field(default_factory=dict)
    offers: dict[str, PendingOffer] = msgspec.field(default_factory=dict)
    recent_commands: list[str] = msgspec.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class MarketRules:
    """Per-market policy knobs (settings)."""

    offer_ttl: timedelta = timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings: Settings) -> MarketRules:
        return cls(offer_ttl=timedelta(seconds=settings.offer_ttl_seconds))


_state_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(MarketState)


def encode_state(state: MarketState) -> bytes:
    return _state_encoder.encode(state)


def decode_state(data: bytes) -> MarketState:
    return _state_decoder.decode(data)


def new_state(market_id: str, county: str) -> MarketState:
    return MarketState(market_id=market_id, county=county)


class _Head(TypedDict):
    id: str
    at: datetime
    market_id: str
    county: str
    command_id: str


class _OfferIds(TypedDict):
    offer_id: str
    request_id: str
    checkin_id: str


class _Emitter:
    """Builds events that answer one command, with ids derived from the command id and their order."""

    def __init__(self, state: MarketState, command: r.MarketCommand) -> None:
        self.state = state
        self.command = command
        self.events: list[r.MarketEvent] = []

    def common(self) -> _Head:
        return {
            "id": r.derived_id(self.command.id, str(len(self.events))),
            "at": self.command.at,
            "market_id": self.state.market_id,
            "county": self.state.county,
            "command_id": self.command.id,
        }

    def refuse(self, subject_id: str, rule: str, zh: str, en: str) -> None:
        self.events.append(
            r.CommandRefused(
                **self.common(),
                command_type=str(type(self.command).__struct_config__.tag),
                subject_id=subject_id,
                rule=rule,
                message_zh=zh,
                message_en=en,
            )
        )


def decide(
    state: MarketState, command: r.MarketCommand, rules: MarketRules
) -> tuple[MarketState, list[r.MarketEvent]]:
    """Apply ``command`` to ``state`` (which it mutates and returns) and return the facts it caused.

    ``command.at`` (the time the gateway accepted it) is the clock, so replays decide identically.
    The caller must treat the input state as consumed: on an exception, reload it from its stored bytes.
    """
    if command.id in state.recent_commands:
        return state, []
    out = _Emitter(state, command)
    _expire_offers(state, command.at, out)
    if isinstance(command, r.CheckIn):
        _check_in(state, command, out)
    elif isinstance(command, r.PostJobRequest):
        _open_request(state, command, out)
    else:
        _answer_offer(state, command, out)
    _match(state, command.at, rules, out)
    state.recent_commands.append(command.id)
    if len(state.recent_commands) > RECENT_COMMANDS_KEPT:
        del state.recent_commands[: len(state.recent_commands) - RECENT_COMMANDS_KEPT]
    return state, out.events


def _check_in(state: MarketState, c: r.CheckIn, out: _Emitter) -> None:
    for w in state.workers.values():
        if w.worker == c.worker:
            out.refuse(
                c.id,
                "already_checked_in",
                f"今天已在本市场登记（排队号 {w.ticket_no}）",
                f"already checked in at this market today (ticket {w.ticket_no})",
            )
            return
    worker = WaitingWorker(
        checkin_id=c.id,
        worker=c.worker,
        worker_masked=c.worker_masked,
        ticket_no=state.next_ticket,
        trades=c.trades,
        min_day_wage=c.min_day_wage,
        available_from=c.available_from,
        available_until=c.available_until,
        checked_in_at=c.at,
    )
    state.next_ticket += 1
    state.workers[c.id] = worker
    out.events.append(
        r.WorkerQueued(
            **out.common(),
            checkin_id=c.id,
            worker=c.worker,
            worker_masked=c.worker_masked,
            ticket_no=worker.ticket_no,
            trades=c.trades,
            min_day_wage=c.min_day_wage,
            available_from=c.available_from,
            available_until=c.available_until,
        )
    )


def _open_request(state: MarketState, c: r.PostJobRequest, out: _Emitter) -> None:
    if c.id in state.requests:
        return
    state.requests[c.id] = OpenRequest(
        request_id=c.id,
        employer_id=c.employer_id,
        employer_name=c.employer_name,
        trade=c.trade,
        headcount=c.headcount,
        day_wage=c.day_wage,
        start=c.start,
        hours=c.hours,
        place=c.place,
        opened_at=c.at,
    )
    out.events.append(
        r.JobRequestOpened(
            **out.common(),
            request_id=c.id,
            employer_id=c.employer_id,
            employer_name=c.employer_name,
            trade=c.trade,
            headcount=c.headcount,
            day_wage=c.day_wage,
            start=c.start,
            hours=c.hours,
            place=c.place,
        )
    )


def _answer_offer(state: MarketState, c: r.AnswerOffer, out: _Emitter) -> None:
    offer = state.offers.get(c.offer_id)
    if offer is None or offer.checkin_id != c.checkin_id:
        out.refuse(c.offer_id, "offer_not_open", "该工作邀请已失效", "this offer is no longer open")
        return
    worker = state.workers[offer.checkin_id]
    request = state.requests[offer.request_id]
    del state.offers[offer.offer_id]
    worker.offer_id = None
    ids = _OfferIds(offer_id=offer.offer_id, request_id=request.request_id, checkin_id=worker.checkin_id)
    if c.answer == "decline":
        worker.status = "waiting"
        worker.passed_requests.append(request.request_id)
        out.events.append(r.OfferDeclined(**out.common(), **ids, worker=worker.worker))
        return
    worker.status = "placed"
    request.accepted.append(worker.checkin_id)
    out.events.append(r.OfferAccepted(**out.common(), **ids, worker=worker.worker))
    out.events.append(
        r.PlacementStarted(
            **out.common(),
            **ids,
            placement_id=r.derived_id("placement", offer.offer_id),
            worker=worker.worker,
            employer_id=request.employer_id,
            trade=request.trade,
            day_wage=request.day_wage,
        )
    )
    if len(request.accepted) >= request.headcount:
        request.status = "filled"
        out.events.append(r.JobRequestFilled(**out.common(), request_id=request.request_id))


def _expire_offers(state: MarketState, now: datetime, out: _Emitter) -> None:
    for offer in sorted(state.offers.values(), key=lambda o: (o.expires_at, o.offer_id)):
        if offer.expires_at > now:
            continue
        worker = state.workers[offer.checkin_id]
        del state.offers[offer.offer_id]
        worker.status = "waiting"
        worker.offer_id = None
        worker.passed_requests.append(offer.request_id)
        out.events.append(
            r.OfferExpired(
                **out.common(),
                offer_id=offer.offer_id,
                request_id=offer.request_id,
                checkin_id=offer.checkin_id,
                worker=worker.worker,
            )
        )


def open_slots(state: MarketState, request: OpenRequest) -> int:
    """Places still to offer: headcount minus accepted workers minus offers awaiting an answer."""
    pending = sum(1 for o in state.offers.values() if o.request_id == request.request_id)
    return request.headcount - len(request.accepted) - pending


def eligible(worker: WaitingWorker, request: OpenRequest) -> bool:
    """Same-market eligibility: trade, wage at least the worker's minimum, hours inside the worker's day."""
    return (
        worker.status == "waiting"
        and request.status == "open"
        and request.trade in worker.trades
        and request.day_wage >= worker.min_day_wage
        and request.start >= worker.available_from
        and request.start + request.hours * 60 <= worker.available_until
        and request.request_id not in worker.passed_requests
    )


def _match(state: MarketState, now: datetime, rules: MarketRules, out: _Emitter) -> None:
    """First come, first served: each waiting worker, by ticket, gets the oldest eligible open request."""
    queue = sorted((w for w in state.workers.values() if w.status == "waiting"), key=lambda w: w.ticket_no)
    requests = sorted(
        (q for q in state.requests.values() if q.status == "open"), key=lambda q: (q.opened_at, q.request_id)
    )
    for rank, worker in enumerate(queue, start=1):
        for request in requests:
            if open_slots(state, request) <= 0 or not eligible(worker, request):
                continue
            offer = PendingOffer(
                offer_id=r.derived_id("offer", request.request_id, worker.checkin_id),
                request_id=request.request_id,
                checkin_id=worker.checkin_id,
                made_at=now,
                expires_at=now + rules.offer_ttl,
            )
            state.offers[offer.offer_id] = offer
            worker.status = "offered"
            worker.offer_id = offer.offer_id
            out.events.append(
                r.OfferMade(
                    **out.common(),
                    offer_id=offer.offer_id,
                    request_id=request.request_id,
                    checkin_id=worker.checkin_id,
                    worker=worker.worker,
                    employer_name=request.employer_name,
                    trade=request.trade,
                    day_wage=request.day_wage,
                    start=request.start,
                    hours=request.hours,
                    place=request.place,
                    expires_at=offer.expires_at,
                    rule="fcfs",
                    rank=rank,
                    waited_seconds=int((now - worker.checked_in_at).total_seconds()),
                )
            )
            break
