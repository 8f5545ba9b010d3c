"""The market agent's step: one market command → the market's facts and the roster's releases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services import records
from services.market import MarketRules, decide, decode_state, encode_state, new_state
from streams.writer import Outgoing, Step


def market_step(
    *, rules_for: Callable[[str], MarketRules], market_events: Any, worker_commands: Any
) -> Callable[[bytes | None, records.MarketCommand], Step]:
    def step(stored: bytes | None, command: records.MarketCommand) -> Step:
        state = decode_state(stored) if stored is not None else new_state(command.market_id, command.county)
        decision = decide(state, command, rules_for(command.market_id))
        key = command.market_id.encode()
        outgoing = [Outgoing(market_events, key, records.encode(f)) for f in decision.facts]
        outgoing += [Outgoing(worker_commands, c.worker.encode(), records.encode(c)) for c in decision.to_roster]
        if isinstance(command, records.Tick) and not outgoing:
            return Step(None, [])  # nothing happened: spare the changelog a write per tick
        return Step(encode_state(decision.state), outgoing)

    return step
