"""The roster: one active check-in per worker across all markets, and the jobs they keep across them.

The roster agent is keyed by worker pseudonym, so every check-in of one worker — from any kiosk, however
concurrent — is decided by one writer, in order. It admits a check-in only when the worker has no active
check-in today, and forwards it to the market with the jobs the worker already accepted today (so no market
offers an overlapping job). A market tells the roster when the check-in ends (``WorkerReleased``); only then
may the worker check in elsewhere. A check-in from an earlier local day no longer counts.

Pure and deterministic like :mod:`services.market.decide`: replayed commands yield identical outputs.
"""

from __future__ import annotations

import dataclasses

import msgspec

from services import clock
from services.market import records as r
from services.records import derived_id

RECENT_COMMANDS_KEPT = 200


class ActiveCheckIn(msgspec.Struct, kw_only=True):
    checkin_id: str
    market_id: str
    county: str
    day: str


class RosterState(msgspec.Struct, kw_only=True):
    worker: str
    active: ActiveCheckIn | None = None
    commitments_day: str = ""
    commitments: list[r.Commitment] = msgspec.field(default_factory=list)
    recent_commands: list[str] = msgspec.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class RosterDecision:
    state: RosterState
    facts: list[r.WorkerEvent]
    to_market: list[r.CheckIn]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(RosterState)


def encode_roster(state: RosterState) -> bytes:
    return _encoder.encode(state)


def decode_roster(data: bytes) -> RosterState:
    return _decoder.decode(data)


def decide_roster(state: RosterState, command: r.WorkerCommand, *, deduplicate: bool = True) -> RosterDecision:
    """Admit or refuse a check-in, or record a release. Mutates and returns ``state``.

    ``deduplicate=False`` only in the fault battery's own stream worker: an applied id applies again."""
    if deduplicate and command.id in state.recent_commands:
        return RosterDecision(state, [], [])
    decision = RosterDecision(state, [], [])
    if isinstance(command, r.CheckIn):
        _check_in(state, command, decision)
    else:
        _release(state, command, decision)
    state.recent_commands.append(command.id)
    del state.recent_commands[:-RECENT_COMMANDS_KEPT]
    return decision


def _check_in(state: RosterState, c: r.CheckIn, out: RosterDecision) -> None:
    day = clock.local_date(c.at).isoformat()
    active = state.active
    fact_id = derived_id(c.id, "roster")
    if active is not None and active.day == day:
        elsewhere = active.market_id != c.market_id
        out.facts.append(
            r.CheckInRefused(
                id=fact_id,
                at=c.at,
                worker=c.worker,
                command_id=c.id,
                checkin_id=c.id,
                market_id=c.market_id,
                county=c.county,
                active_market_id=active.market_id,
                rule="checked_in_elsewhere" if elsewhere else "already_checked_in",
                message_zh="今天已在其他零工市场登记，请先在该市场签退"
                if elsewhere
                else "今天已在本市场登记，无需重复登记",
                message_en="already checked in at another market today; check out there first"
                if elsewhere
                else "already checked in at this market today",
            )
        )
        return
    if state.commitments_day != day:
        state.commitments_day, state.commitments = day, []
    state.active = ActiveCheckIn(checkin_id=c.id, market_id=c.market_id, county=c.county, day=day)
    out.facts.append(
        r.CheckInAdmitted(
            id=fact_id,
            at=c.at,
            worker=c.worker,
            command_id=c.id,
            checkin_id=c.id,
            market_id=c.market_id,
            county=c.county,
        )
    )
    out.to_market.append(msgspec.structs.replace(c, commitments=tuple(state.commitments)))


def _release(state: RosterState, c: r.WorkerReleased, out: RosterDecision) -> None:
    active = state.active
    if active is None or active.checkin_id != c.checkin_id:
        return  # a release of an older check-in: nothing is active because of it
    state.active = None
    state.commitments_day = active.day
    state.commitments = list(c.commitments)
    out.facts.append(
        r.WorkerFree(
            id=derived_id(c.id, "roster"),
            at=c.at,
            worker=c.worker,
            command_id=c.id,
            checkin_id=c.checkin_id,
            market_id=c.market_id,
            reason=c.reason,
        )
    )
