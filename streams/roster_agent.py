"""The roster agent's step: one worker command → admitted check-ins forwarded to their market."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.market import records
from services.market.roster import RosterState, decide_roster, decode_roster, encode_roster
from services.records import encode
from streams.writer import Outgoing, StateCodec, Step

#: The roster table's states: msgspec JSON (see :mod:`services.market.roster`).
ROSTER_CODEC: StateCodec[RosterState] = StateCodec(decode_roster, encode_roster)


def worker_of(command: records.WorkerCommand) -> bytes:
    return command.worker.encode()


def roster_step(
    *, worker_events: Any, market_commands: Any, deduplicate: bool = True
) -> Callable[[RosterState | None, records.WorkerCommand], Step]:
    """The step of the roster writer: the decoded state (mutated) and a command in, the new state and outputs out.
    ``deduplicate=False`` only in the fault battery's own stream worker (tests/faults/worker_without_dedup.py)."""

    def step(state: RosterState | None, command: records.WorkerCommand) -> Step:
        if state is None:
            state = RosterState(worker=command.worker)
        decision = decide_roster(state, command, deduplicate=deduplicate)
        key = command.worker.encode()
        outgoing = [Outgoing(worker_events, key, encode(f)) for f in decision.facts]
        outgoing += [Outgoing(market_commands, c.market_id.encode(), encode(c)) for c in decision.to_market]
        return Step(decision.state, outgoing)

    return step
