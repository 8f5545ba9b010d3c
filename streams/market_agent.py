"""One market command in, its facts out: decode, decide (pure), publish the facts, then store the state.

Order matters for "nothing lost": the facts are acknowledged by the broker *before* the new state is written
to the table. A crash in between replays the command against the old state, which re-emits the same facts
with the same ids (consumers deduplicate); a crash after the write finds the command id already applied.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from aiokafka.errors import KafkaError

from services import records
from services.market import MarketRules, decide, decode_state, encode_state, new_state

log = logging.getLogger(__name__)

#: Failures of the broker, not of the record: retried (the partition waits) instead of dead-lettered.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (KafkaError, ConnectionError, asyncio.TimeoutError)
RETRY_BACKOFF_MAX_SECONDS = 5.0


async def retry_transient(what: str, step: Callable[[], Awaitable[None]]) -> None:
    """Run ``step`` until it succeeds or fails for a non-transient reason (which propagates).

    The partition stalls while the broker is away, which is the point: nothing behind it may overtake it.
    """
    delay = 0.1
    while True:
        try:
            await step()
            return
        except TRANSIENT_ERRORS as error:
            log.warning("%s: broker unavailable (%r), retrying in %.1fs", what, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_BACKOFF_MAX_SECONDS)


class MarketWriter:
    """The market agent's body, kept apart from Faust's decorators so it can be read and tested alone."""

    def __init__(self, *, states: Any, events: Any, dead_letters: Any, rules: MarketRules) -> None:
        self._states = states
        self._events = events
        self._dead_letters = dead_letters
        self._rules = rules

    async def handle(self, message: Any) -> None:
        """Process one Kafka message; never raises (a raise would make Faust ack and drop it)."""
        try:
            command = records.decode_command(message.value)
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError) as error:
            await self._dead_letter(message, "decode", f"undecodable command: {error}")
            return
        try:
            await retry_transient(f"market command {command.id}", lambda: self._apply(command))
        except Exception as error:
            log.exception("market command %s could not be applied", command.id)
            await self._dead_letter(message, "apply", f"{type(error).__name__}: {error}")

    async def _apply(self, command: records.MarketCommand) -> None:
        key = command.market_id.encode()
        stored = self._states.get(key)
        state = decode_state(stored) if stored is not None else new_state(command.market_id, command.county)
        state, facts = decide(state, command, self._rules)
        pending = [await self._events.send(key=key, value=records.encode(fact)) for fact in facts]
        for future in pending:
            await future
        self._states[key] = encode_state(state)

    async def _dead_letter(self, message: Any, stage: str, reason: str) -> None:
        letter = records.DeadLetter(
            id=records.derived_id("dead-letter", message.topic, str(message.partition), str(message.offset)),
            at=datetime.now(UTC),
            reason=reason[:2000],
            source_topic=message.topic,
            source_partition=message.partition,
            source_offset=message.offset,
            key=message.key,
            payload=message.value if isinstance(message.value, bytes) else repr(message.value).encode(),
            stage=stage,  # type: ignore[arg-type]
        )
        log.warning("dead-lettered %s:%s@%s: %s", message.topic, message.partition, message.offset, reason)

        async def send() -> None:
            future = await self._dead_letters.send(key=message.key, value=records.encode(letter))
            await future

        await retry_transient(f"dead letter for {message.topic}@{message.offset}", send)
