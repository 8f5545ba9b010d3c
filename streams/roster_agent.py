"""The roster agent's step: one worker command → admitted check-ins forwarded to their market."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services import records
from services.roster import RosterState, decide_roster, decode_roster, encode_roster
from streams.writer import Outgoing, Step


def worker_of(command: records.WorkerCommand) -> bytes:
    return command.worker.encode()


def roster_step(
    *, worker_events: Any, market_commands: Any, deduplicate: bool = True
) -> Callable[[bytes | None, records.WorkerCommand], Step]:
    def step(stored: bytes | None, command: records.WorkerCommand) -> Step:
        state = decode_roster(stored) if stored is not None else RosterState(worker=command.worker)
        decision = decide_roster(state, command, deduplicate=deduplicate)
        key = command.worker.encode()
        outgoing = [Outgoing(worker_events, key, records.encode(f)) for f in decision.facts]
        outgoing += [Outgoing(market_commands, c.market_id.encode(), records.encode(c)) for c in decision.to_market]
        return Step(encode_roster(decision.state), outgoing)

    return step
