"""The body shared by every stateful agent: decode, decide (pure), publish the outputs, then store the state.

Order matters for "nothing lost": outputs are acknowledged by the broker *before* the new state is written to
the table. :meth:`SingleWriter.handle_batch` keeps that order for a whole batch of a stream's events (Faust's
``take_events``, which acks the batch only after the body returned): the commands are applied one by one, in
partition order, to a working copy of their keys' states; then every output of the batch is sent and
acknowledged (one round trip, not one per command); then each touched key's final state is written once.
A crash in between replays the command against the old state, which re-emits the same outputs with the same
ids (consumers deduplicate); a crash after the write finds the command id already applied.

Failures are of two kinds (as in arroyo): a record that cannot be decoded or applied is *invalid* and goes to
``dead-letters`` with the reason; a broker that does not answer is *transient* and is retried, so the partition
waits and nothing behind it overtakes it. No exception escapes :meth:`SingleWriter.handle`: Faust would ack the
record and lose it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import msgspec
from aiokafka.errors import KafkaError
from faust.exceptions import PartitionsMismatch
from faust.streams import _current_event

from services import records

log = logging.getLogger(__name__)

C = TypeVar("C")
S = TypeVar("S")

#: Failures of the broker, not of the record: retried (the partition waits) instead of dead-lettered.
#: ``PartitionsMismatch`` is among them because right after start Faust may see a freshly created changelog
#: topic with 0 partitions until its metadata is refreshed; a real mismatch keeps the partition waiting, loudly.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    KafkaError,
    ConnectionError,
    asyncio.TimeoutError,
    PartitionsMismatch,
)
RETRY_BACKOFF_MAX_SECONDS = 5.0


@dataclasses.dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to publish: a Faust topic, the key, the encoded value."""

    topic: Any
    key: bytes
    value: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """What one command did: the new state (``None``: leave the table alone) and what to publish.

    The state is of the writer's :class:`StateCodec` (bytes by default); the writer encodes it.
    """

    state: Any
    outgoing: list[Outgoing]


async def retry_transient(what: str, step: Callable[[], Awaitable[None]]) -> None:
    """Run ``step`` until it succeeds or fails for a non-transient reason (which propagates)."""
    delay = 0.1
    while True:
        try:
            await step()
            return
        except TRANSIENT_ERRORS as error:
            log.warning("%s: broker unavailable (%r), retrying in %.1fs", what, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_BACKOFF_MAX_SECONDS)


class StateCodec(Generic[S]):
    """How a writer's states are stored in its table: ``decode`` bytes to a state, ``encode`` it back.

    The default is the identity on bytes (the step sees and returns the stored bytes).
    """

    def __init__(self, decode: Callable[[bytes], S], encode: Callable[[S], bytes]) -> None:
        self.decode = decode
        self.encode = encode


def _identity(value: Any) -> Any:
    return value


BYTES_CODEC: StateCodec[Any] = StateCodec(_identity, _identity)

#: Decoded states kept between batches, per writer (least recently used dropped first).
STATE_CACHE_MAX = 4096


class _Working:
    """A key's state during one batch: the decoded object, the stored bytes it came from, what was applied."""

    __slots__ = ("applied", "event", "state", "stored", "write")

    def __init__(self, stored: bytes | None, state: Any) -> None:
        self.stored = stored
        self.state = state
        self.applied: list[Any] = []  # the batch's commands of this key that the step accepted, in order
        self.event: Any = None  # the last event whose state is to be written
        self.write = False


class SingleWriter(Generic[C, S]):
    """Applies commands to the table entry of their key, one at a time, in partition order.

    ``step(state, command)`` gets the key's decoded state (``None``: no entry yet) and may mutate it; it returns
    the new state to store, or ``None`` when the state is left exactly as stored (it must then undo any change
    it made). The writer owns decoding and encoding (``codec``): it keeps each key's decoded state between
    batches (:attr:`cache`), valid only while the table still holds the very bytes object it was decoded from
    or encoded to — a rebalance, a changelog recovery or another writer replaces that object, and the state is
    decoded afresh. A batch encodes each touched key's state once. A step that raises leaves its state
    half-changed: the key's working state is rebuilt from the stored bytes by re-applying the batch's earlier
    accepted commands of that key (steps are deterministic).
    """

    def __init__(
        self,
        *,
        name: str,
        table: Any,
        dead_letters: Any,
        decode: Callable[[bytes], C],
        key_of: Callable[[C], bytes],
        step: Callable[[Any, C], Step],
        codec: StateCodec[S] = BYTES_CODEC,
        cache_max: int = STATE_CACHE_MAX,
    ) -> None:
        self.name = name
        self._table = table
        self._dead_letters = dead_letters
        self._decode = decode
        self._key_of = key_of
        self._step = step
        self._codec = codec
        self._cache_max = cache_max
        #: key -> (the stored bytes object, the state decoded from or encoded to it).
        self.cache: dict[bytes, tuple[bytes, S]] = {}
        #: What the writer is doing right now (read by :mod:`streams.diagnostics`).
        self.doing = "idle"

    async def handle(self, message: Any) -> None:
        """Process one Kafka message; never raises."""
        self.doing = f"decoding {message.topic}[{message.partition}]@{message.offset}"
        try:
            await self._handle(message)
        finally:
            self.doing = f"idle after {message.topic}[{message.partition}]@{message.offset}"

    async def _handle(self, message: Any) -> None:
        try:
            command = self._decode(message.value)
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError, ValueError) as error:
            await self._dead_letter(message, "decode", f"undecodable command: {error}")
            return
        self.doing = f"applying {message.topic}[{message.partition}]@{message.offset}"
        try:
            await retry_transient(f"{self.name} {message.topic}@{message.offset}", lambda: self._apply(command))
        except Exception as error:
            log.exception("%s: command at %s@%s could not be applied", self.name, message.topic, message.offset)
            await self._dead_letter(message, "apply", f"{type(error).__name__}: {error}")

    async def handle_batch(self, events: Sequence[Any]) -> None:
        """Process a batch of Faust events (in partition order) with per-batch acks and table writes.

        Same outcome as :meth:`handle` on each event in turn: an undecodable or unappliable command is
        dead-lettered and leaves the state alone; outputs are acknowledged before any state is stored; a broker
        failure retries the batch's sends (the same records with the same ids: consumers deduplicate). Never
        raises.
        """
        if events:
            first, last = events[0].message, events[-1].message
            self.doing = f"batch of {len(events)}: {first.topic}[{first.partition}]@{first.offset}..{last.offset}"
        try:
            await self._handle_batch(events)
        finally:
            self.doing = self.doing.replace("batch of", "idle after batch of", 1)

    def _checkout(self, key: bytes) -> _Working:
        """The key's state to work on: the cached one if the table still holds its bytes, else decoded.

        The cache entry is taken out: it is put back only once the batch's state is stored, so a batch that
        fails half-way never leaves a changed state behind that looks valid.
        """
        stored = self._table.get(key)
        cached = self.cache.pop(key, None)
        if stored is None:
            return _Working(None, None)
        if cached is not None and cached[0] is stored:
            return _Working(stored, cached[1])
        return _Working(stored, self._codec.decode(stored))

    def _keep(self, key: bytes, stored: bytes, state: S) -> None:
        self.cache[key] = (stored, state)
        if len(self.cache) > self._cache_max:
            del self.cache[next(iter(self.cache))]

    def _rebuild(self, working: _Working) -> None:
        """After a failed step: decode the stored bytes again and re-apply the batch's accepted commands."""
        state = self._codec.decode(working.stored) if working.stored is not None else None
        for command in working.applied:
            result = self._step(state, command)
            if result.state is not None:
                state = result.state
        working.state = state

    async def _handle_batch(self, events: Sequence[Any]) -> None:
        working: dict[bytes, _Working] = {}
        outgoing: list[Outgoing] = []
        for event in events:
            message = event.message
            try:
                command = self._decode(message.value)
            except (msgspec.DecodeError, msgspec.ValidationError, TypeError, ValueError) as error:
                await self._dead_letter(message, "decode", f"undecodable command: {error}")
                continue
            key: bytes | None = None
            try:
                key = self._key_of(command)
                entry = working.get(key)
                if entry is None:
                    entry = working[key] = self._checkout(key)
                result = self._step(entry.state, command)
            except Exception as error:
                log.exception("%s: command at %s@%s could not be applied", self.name, message.topic, message.offset)
                if key is not None and key in working:
                    self._rebuild(working[key])
                await self._dead_letter(message, "apply", f"{type(error).__name__}: {error}")
                continue
            outgoing += result.outgoing
            entry.applied.append(command)
            if result.state is not None:
                entry.state, entry.event, entry.write = result.state, event, True
        if outgoing:
            self.doing += " / sending, awaiting acks"
            await retry_transient(f"{self.name} batch of {len(events)}", lambda: _send_all(outgoing))
        self.doing += " / storing"
        for key, entry in working.items():
            if entry.write:
                stored = self._codec.encode(entry.state)
                # The table writes its changelog to the partition of the current event: the one that carried
                # the key.
                token = _current_event.set(weakref.ref(entry.event))
                try:
                    self._table[key] = stored
                finally:
                    _current_event.reset(token)
                self._keep(key, stored, entry.state)
            elif entry.stored is not None and entry.state is not None:
                self._keep(key, entry.stored, entry.state)

    async def _apply(self, command: C) -> None:
        key = self._key_of(command)
        stored = self._table.get(key)
        self.cache.pop(key, None)
        result = self._step(self._codec.decode(stored) if stored is not None else None, command)
        self.doing += " / sending, awaiting acks"
        await _send_all(result.outgoing)
        self.doing += " / storing"
        if result.state is not None:
            self._table[key] = self._codec.encode(result.state)

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
        log.warning(
            "%s: dead-lettered %s:%s@%s: %s",
            self.name,
            message.topic,
            message.partition,
            message.offset,
            reason,
        )

        async def send() -> None:
            future = await self._dead_letters.send(key=message.key, value=records.encode(letter))
            await future

        await retry_transient(f"dead letter for {message.topic}@{message.offset}", send)


async def _send_all(outgoing: Sequence[Outgoing]) -> None:
    """Send every record in order, then wait until the broker acknowledged all of them."""
    pending = [await o.topic.send(key=o.key, value=o.value) for o in outgoing]
    for future in pending:
        await future
