"""The body shared by every stateful agent: decode, decide (pure), publish the outputs, then store the state.

Order matters for "nothing lost": outputs are acknowledged by the broker *before* the new state is written to
the table. :meth:`SingleWriter.handle_batch` keeps that order for a whole batch of a stream's events (Faust's
``take_events``, which acks the batch only after the body returned): the commands are applied one by one, in
partition order, to a working copy of their keys' states; then every output of the batch is sent and
acknowledged (one round trip, not one per command); then each touched key's final state is written once.
A crash in between replays the command against the old state, which re-emits the same outputs with the same
ids (consumers deduplicate); a crash after the write finds the command id already applied.

With ``journal_max`` (the market writer: a market's state runs to megabytes), a key's entry is not rewritten
whole every batch. The table holds a *snapshot* of the state under one of two keys (the key itself, or the key
with :data:`SNAPSHOT_SUFFIX`), the raw commands accepted since it was taken in *segments* (one per batch, under
:func:`segment_key` 0, 1, …) and, under the key with :data:`JOURNAL_SUFFIX`, the journal's *head*: which of the
two snapshots is current, how many segments follow it and how many commands they hold. The state is the snapshot
with the segments' commands applied again by the (deterministic) step. A batch writes one segment with its own
commands and then the head counting it — a few hundred bytes per command, whatever the state's size. Once the
journal would pass ``journal_max`` commands, the batch writes the state as a new snapshot into the *other*
snapshot key, then a head naming it with no segments. The head is the commit point: a crash before it leaves the
previous snapshot, head and segments in force (the batch is then replayed from Kafka, as without a journal); a
segment beyond the head's count is ignored and later overwritten. A key with a snapshot but no head (written
before journals) is read as that snapshot with an empty journal.

Failures are of two kinds (as in arroyo): a record that cannot be decoded or applied is *invalid* and goes to
``dead-letters`` with the reason; a broker that does not answer is *transient* and is retried, so the partition
waits and nothing behind it overtakes it. No exception escapes :meth:`SingleWriter.handle`: Faust would ack the
record and lose it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import msgspec
from aiokafka.errors import KafkaError
from faust.exceptions import PartitionsMismatch, ProducerSendError

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
    """One record to publish: where (anything with ``await send(key=, value=)`` returning an awaitable of the
    broker's acknowledgement: a Faust topic or a :class:`DirectTopic`), the key, the encoded value."""

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


class DirectTopic:
    """A Faust topic the agents write to, sent straight through the app's producer (aiokafka underneath).

    ``Topic.send`` wraps every record in a pending message and a future message, runs the sensors around it and
    chains a callback onto the broker's acknowledgement; the writer needs none of that (it awaits the
    acknowledgements itself, before anything is stored). In the matcher's ceiling run (A/B, 3 rounds of 8,000
    check-ins) this raised the median from 1,745 to 2,199 commands/s. Same producer, same partitioner (by key),
    same acks: the records and their order on each partition are those ``Topic.send`` gave.

    The record goes through the public ``Producer.send`` of the app's producer (Faust's, over aiokafka's). Faust
    wraps a send-time ``KafkaError`` (a full buffer, no metadata yet) in ``ProducerSendError``, which would hide
    that the error is transient: the cause is raised instead, so the writer retries it (:data:`TRANSIENT_ERRORS`)
    rather than dead-lettering or stopping the agent.
    """

    __slots__ = ("_app", "name")

    def __init__(self, topic: Any) -> None:
        self._app = topic.app
        self.name: str = topic.get_topic_name()

    async def send(self, *, key: bytes, value: bytes, partition: int | None = None) -> Awaitable[Any]:
        """Hand the record to the producer (to ``partition``, else the key's); the awaitable of its
        acknowledgement."""
        producer = await self._app.maybe_start_producer()
        try:
            future: Awaitable[Any] = await producer.send(self.name, key, value, partition, None, None)
        except ProducerSendError as error:
            if isinstance(error.__cause__, KafkaError):
                raise error.__cause__ from None  # transient: retried by the writer, as a send-time KafkaError
            raise
        return future


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


class WriterMetrics(Protocol):
    """Where a writer counts what it handled (streams/metrics.py)."""

    def took(self, agent: str, count: int) -> None: ...

    def dead_lettered(self, agent: str) -> None: ...


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

#: With a journal: the table key of a key's journal head, of its second snapshot (the first is the key itself),
#: and the prefix of its segments' keys (followed by the segment's number in decimal).
JOURNAL_SUFFIX = b"\x00journal"
SNAPSHOT_SUFFIX = b"\x00snapshot"
SEGMENT_SUFFIX = b"\x00journal\x00"


class Head(msgspec.Struct, array_like=True, frozen=True):
    """A journal's head: the current snapshot (0: the key itself, 1: the key with :data:`SNAPSHOT_SUFFIX`), how
    many segments follow it, and how many commands those hold."""

    slot: int = 0
    segments: int = 0
    commands: int = 0


_head_decoder = msgspec.msgpack.Decoder(Head)
_segment_decoder = msgspec.msgpack.Decoder(list[bytes])


def encode_head(head: Head) -> bytes:
    return msgspec.msgpack.encode(head)


def decode_head(raw: bytes) -> Head:
    return _head_decoder.decode(raw)


def encode_segment(commands: list[bytes]) -> bytes:
    """A segment: the raw commands one batch added to a key's journal, in order."""
    return msgspec.msgpack.encode(commands)


def decode_segment(raw: bytes) -> list[bytes]:
    return _segment_decoder.decode(raw)


def snapshot_key(key: bytes, slot: int) -> bytes:
    return key if slot == 0 else key + SNAPSHOT_SUFFIX


def segment_key(key: bytes, number: int) -> bytes:
    return key + SEGMENT_SUFFIX + str(number).encode()


def journal_of(table: Any, key: bytes) -> tuple[int, list[bytes]]:
    """The current snapshot's slot and the journal's commands since it, as ``table`` holds them (empty: no head).
    Raises ``KeyError`` when a segment the head counts is missing."""
    raw = table.get(key + JOURNAL_SUFFIX)
    head = decode_head(raw) if raw is not None else Head()
    return head.slot, [c for n in range(head.segments) for c in decode_segment(table[segment_key(key, n)])]


#: Decoded states kept between batches, per writer (least recently used dropped first).
STATE_CACHE_MAX = 4096


class _Working:
    """A key's state during one batch: the decoded object, the stored records it came from, what was applied."""

    __slots__ = ("applied", "base", "event", "head", "key", "marker", "raw", "state", "write")

    def __init__(self, key: bytes, marker: tuple[bytes | None, ...], base: bytes | None, head: Head) -> None:
        self.key = key
        #: the table's records the state was read from (compared by identity: see ``SingleWriter.cache``)
        self.marker = marker
        self.base = base  # the stored state, or (with a journal) the current snapshot
        self.head = head  # with a journal: its head (else empty)
        self.state: Any = None
        self.applied: list[Any] = []  # the batch's commands of this key that the step accepted, in order
        self.raw: list[bytes] = []  # the raw bytes of the accepted commands that returned a state, in order
        self.event: Any = None  # the last event whose state is to be written
        self.write = False


class SingleWriter(Generic[C, S]):
    """Applies commands to the table entry of their key, one at a time, in partition order.

    ``step(state, command)`` gets the key's decoded state (``None``: no entry yet) and may mutate it; it returns
    the new state to store, or ``None`` when the state is left exactly as stored (it must then undo any change
    it made). The writer owns decoding and encoding (``codec``): it keeps each key's decoded state between
    batches (:attr:`cache`), valid only while the table still holds the very bytes objects it was decoded from
    or written to (the state; with a journal, the journal and its snapshot) — a rebalance, a changelog recovery
    or another writer replaces them, and the state is restored afresh. A batch encodes each touched key's state
    once (with a journal: only when it takes a snapshot). A step that raises leaves its state half-changed: the
    key's working state is rebuilt from the stored records by re-applying the batch's earlier accepted commands
    of that key (steps are deterministic). With a journal, the step must also be a function of the state and the
    command alone: restoring applies the journal's commands again, and their outputs are dropped.
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
        journal_max: int = 0,
        changelog: DirectTopic | None = None,
    ) -> None:
        self.name = name
        self._table = table
        #: When given (the table's changelog topic), entries are put in the table's store and sent to the changelog
        #: by :meth:`_put` and :meth:`_send_changelog`; else written with ``table[key] = value`` (Faust's path).
        self._changelog = changelog
        #: Entries put in the store whose changelog records are not yet handed to the producer: key, value, partition.
        self._unsent: list[tuple[bytes, bytes, int]] = []
        self._dead_letters = dead_letters
        self._decode = decode
        self._key_of = key_of
        self._step = step
        self._codec = codec
        self._cache_max = cache_max
        #: 0: each key's whole state is one table entry, rewritten every batch; else the most commands kept in a
        #: key's journal before a new snapshot is written (see the module's docstring).
        self._journal_max = journal_max
        #: key -> (the stored records, the state decoded from or written to them): the state's bytes, or with a
        #: journal the journal and snapshot records (compared by identity).
        self.cache: dict[bytes, tuple[tuple[bytes | None, ...], S]] = {}
        #: What the writer is doing right now (read by :mod:`streams.diagnostics`).
        self.doing = "idle"
        #: Per (topic, partition), the offset after the last record handled (applied or dead-lettered): the next
        #: one to handle, for the consumer lag (streams/metrics.py).
        self.handled: dict[tuple[str, int], int] = {}
        #: Where batches and dead letters are counted (streams/metrics.py); set by the app, ``None`` in unit tests.
        self.metrics: WriterMetrics | None = None

    async def handle(self, message: Any) -> None:
        """Process one Kafka message; never raises."""
        self.doing = f"decoding {message.topic}[{message.partition}]@{message.offset}"
        try:
            await self._handle(message)
        finally:
            self.doing = f"idle after {message.topic}[{message.partition}]@{message.offset}"
        self.handled[(message.topic, message.partition)] = message.offset + 1
        if self.metrics is not None:
            self.metrics.took(self.name, 1)

    async def _handle(self, message: Any) -> None:
        try:
            command = self._decode(message.value)
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError, ValueError) as error:
            await self._dead_letter(message, "decode", f"undecodable command: {error}")
            return
        self.doing = f"applying {message.topic}[{message.partition}]@{message.offset}"
        try:
            await retry_transient(
                f"{self.name} {message.topic}@{message.offset}",
                lambda: self._apply(command, message.value, message.partition),
            )
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
        handled = self.handled
        for event in events:
            message = event.message
            handled[(message.topic, message.partition)] = message.offset + 1
        if self.metrics is not None:
            self.metrics.took(self.name, len(events))

    def _checkout(self, key: bytes) -> _Working:
        """The key's state to work on: the cached one if the table still holds its records, else decoded.

        The cache entry is taken out: it is put back only once the batch's state is stored, so a batch that
        fails half-way never leaves a changed state behind that looks valid.
        """
        cached = self.cache.pop(key, None)
        if self._journal_max:
            raw_head = self._table.get(key + JOURNAL_SUFFIX)
            head = decode_head(raw_head) if raw_head is not None else Head()
            base = self._table.get(snapshot_key(key, head.slot))
            if head.slot and base is None:
                log.error("%s: the journal of %r names a snapshot the table does not hold", self.name, key)
            working = _Working(key, (raw_head, base), base, head)
        else:
            base = self._table.get(key)
            working = _Working(key, (base,), base, Head())
        if base is None and not working.head.segments:
            return working
        if cached is not None and _same(cached[0], working.marker):
            working.state = cached[1]
        else:
            working.state = self._restore(working)
        return working

    def _restore(self, working: _Working) -> Any:
        """The state of the stored records: the snapshot decoded, with the journal's commands applied again."""
        state = self._codec.decode(working.base) if working.base is not None else None
        commands: list[bytes] = []
        for number in range(working.head.segments):
            segment = self._table.get(segment_key(working.key, number))
            if segment is None:
                log.error("%s: the journal of %r lacks its segment %d", self.name, working.key, number)
                continue
            commands += decode_segment(segment)
        for raw in commands:
            result = self._step(state, self._decode(raw))
            if result.state is not None:
                state = result.state
        return state

    def _keep(self, key: bytes, marker: tuple[bytes | None, ...], state: S) -> None:
        self.cache[key] = (marker, state)
        if len(self.cache) > self._cache_max:
            del self.cache[next(iter(self.cache))]

    def _rebuild(self, working: _Working) -> None:
        """After a failed step: restore the stored state again and re-apply the batch's accepted commands."""
        state = self._restore(working)
        for command in working.applied:
            result = self._step(state, command)
            if result.state is not None:
                state = result.state
        working.state = state

    def _store(self, key: bytes, working: _Working, partition: int) -> None:
        """Write the key's new state (the caller set the current event): the whole state, or with a journal a
        segment of the batch's commands and the head counting it, or a new snapshot and a head naming it once the
        journal would grow too long (the head, the commit point, always last). ``partition``: the key's, that of
        the event that carried it."""
        if not self._journal_max:
            stored = self._codec.encode(working.state)
            self._put(key, stored, partition)
            self._keep(key, (stored,), working.state)
            return
        head = working.head
        if head.commands + len(working.raw) <= self._journal_max:
            self._put(segment_key(key, head.segments), encode_segment(working.raw), partition)
            head = Head(head.slot, head.segments + 1, head.commands + len(working.raw))
            raw_head = encode_head(head)
            self._put(key + JOURNAL_SUFFIX, raw_head, partition)
            self._keep(key, (raw_head, working.base), working.state)
            return
        slot = 1 - head.slot
        snapshot = self._codec.encode(working.state)
        self._put(snapshot_key(key, slot), snapshot, partition)
        raw_head = encode_head(Head(slot, 0, 0))
        self._put(key + JOURNAL_SUFFIX, raw_head, partition)  # the commit point: written after the snapshot
        self._keep(key, (raw_head, snapshot), working.state)

    def _put(self, key: bytes, value: bytes, partition: int) -> None:
        """Write a table entry. Through Faust (``table.store``, a :class:`streams.tables.WriterTable`: its changelog
        record, sent to ``partition``, goes through Faust's
        producer buffer, a pending and a future message, sensors and a delivery callback), or, with a
        ``changelog``, straight into the table's store with its changelog record queued for
        :meth:`_send_changelog`: the same record (key, value, the event's partition) to the same producer, which
        Faust flushes before it commits any offset, as it flushes its own buffer. (The store is ``memory://``: no
        persisted offsets to keep; sensors on table writes are not used.)"""
        if self._changelog is None:
            self._table.store(key, value, partition)
            return
        self._table.data[key] = value
        self._unsent.append((key, value, partition))

    async def _send_changelog(self) -> None:
        """Hand the queued changelog records to the producer, in order (broker errors retried); not awaiting
        their acknowledgement, as Faust does not: the commit's flush waits for it."""
        changelog = self._changelog
        if changelog is None:
            return
        while self._unsent:
            key, value, partition = self._unsent[0]

            async def send(key: bytes = key, value: bytes = value, partition: int = partition) -> None:
                await changelog.send(key=key, value=value, partition=partition)

            await retry_transient(f"{self.name} changelog", send)
            del self._unsent[0]

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
                entry.raw.append(message.value)
        if outgoing:
            self.doing += " / sending, awaiting acks"
            await retry_transient(f"{self.name} batch of {len(events)}", lambda: _send_all(outgoing))
        self.doing += " / storing"
        for key, entry in working.items():
            if entry.write:
                # The changelog record goes to the partition of the event that carried the key.
                self._store(key, entry, entry.event.message.partition)
            elif entry.state is not None:
                self._keep(key, entry.marker, entry.state)
        await self._send_changelog()

    async def _apply(self, command: C, raw: bytes, partition: int) -> None:
        key = self._key_of(command)
        working = self._checkout(key)
        self.cache.pop(key, None)
        result = self._step(working.state, command)
        self.doing += " / sending, awaiting acks"
        await _send_all(result.outgoing)
        self.doing += " / storing"
        if result.state is not None:
            working.state = result.state
            working.raw.append(raw)
            self._store(key, working, partition)
            self.cache.pop(key, None)  # one by one, nothing is kept between commands
            await self._send_changelog()

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
        if self.metrics is not None:
            self.metrics.dead_lettered(self.name)


def _same(a: tuple[bytes | None, ...], b: tuple[bytes | None, ...]) -> bool:
    """Whether two markers name the very same records (identity, not equality: an equal copy is not trusted)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


async def _send_all(outgoing: Sequence[Outgoing]) -> None:
    """Send every record in order, then wait until the broker acknowledged all of them."""
    pending = [await o.topic.send(key=o.key, value=o.value) for o in outgoing]
    for future in pending:
        await future
