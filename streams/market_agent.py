"""The market agent's step: one market command → the market's facts and the roster's releases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.market import records
from services.market.decide import MarketRules, MarketState, decide, decode_state, encode_state, new_state
from services.records import encode
from streams.writer import Outgoing, StateCodec, Step

#: The market table's states: msgspec JSON (see :mod:`services.market.state`).
MARKET_CODEC: StateCodec[MarketState] = StateCodec(decode_state, encode_state)


def market_step(
    *,
    rules_for: Callable[[str], MarketRules],
    market_events: Any,
    worker_commands: Any,
    fact_topic: Callable[[object], Any] | None = None,
    decided: Callable[[records.MarketCommand, MarketState], None] | None = None,
) -> Callable[[MarketState | None, records.MarketCommand], Step]:
    """The step of the market writer: the decoded state (mutated) and a command in, the new state and outputs out.

    ``fact_topic`` (streams/metrics.py) gives the topic to send a fact to (market-events, counting its type);
    ``decided`` is told each command and the market's state after it (the market clock's agenda, streams/ticker.py).

    A tick that causes nothing returns no state, after restoring the day and clock it moved: the state is then
    exactly as stored (nothing else changes without a fact, or the change is the one the next command would
    make anyway: a quiet end of day), so the writer may keep it.
    """

    def step(state: MarketState | None, command: records.MarketCommand) -> Step:
        if state is None:
            state = new_state(command.market_id, command.county)
        before = (state.day, state.clock)
        decision = decide(state, command, rules_for(command.market_id))
        key = command.market_id.encode()
        if fact_topic is None:
            outgoing = [Outgoing(market_events, key, encode(f)) for f in decision.facts]
        else:
            outgoing = [Outgoing(fact_topic(f), key, encode(f)) for f in decision.facts]
        outgoing += [Outgoing(worker_commands, c.worker.encode(), encode(c)) for c in decision.to_roster]
        if isinstance(command, records.Tick) and not outgoing:
            state.day, state.clock = before  # nothing happened: spare the changelog a write per tick
            if decided is not None:
                decided(command, state)
            return Step(None, [])
        if decided is not None:
            decided(command, decision.state)
        return Step(decision.state, outgoing)

    return step
