"""``SingleWriter``'s decoded-state cache: one decode per key while the table holds the bytes it wrote, one
encode per key per batch, and a step that raises half-way is rolled back by re-applying the batch's earlier
commands of its key to the stored state."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from streams.writer import Outgoing, SingleWriter, StateCodec, Step
from tests.unit.test_writer_batch import Event, Journal, Table, Topic


class Words(msgspec.Struct):
    words: list[str]


class Counted:
    """A JSON codec that counts its decodes and encodes."""

    def __init__(self) -> None:
        self.decodes = 0
        self.encodes = 0
        self.codec: StateCodec[Words] = StateCodec(self.decode, self.encode)

    def decode(self, raw: bytes) -> Words:
        self.decodes += 1
        return msgspec.json.decode(raw, type=Words)

    def encode(self, state: Words) -> bytes:
        self.encodes += 1
        return msgspec.json.encode(state)


def words_writer(
    journal: Journal, counted: Counted, table: Table | None = None, journal_max: int = 0
) -> tuple[SingleWriter[tuple[str, str], Words], Table]:
    """Commands ``b"key:word"``: the word is appended (mutating the state); ``boom`` appends, then raises. One
    fact per command: the words so far. On ``table`` (default: a new one), with ``journal_max`` (0: none)."""
    facts = Topic("facts", journal)
    table = Table(journal) if table is None else table

    def step(state: Words | None, command: tuple[str, str]) -> Step:
        key, word = command
        state = state if state is not None else Words([])
        state.words.append(word)
        if word == "boom":
            raise RuntimeError("cannot apply")
        return Step(state, [Outgoing(facts, key.encode(), ",".join(state.words).encode())])

    def decode(raw: bytes) -> tuple[str, str]:
        key, _, word = raw.decode().partition(":")
        return key, word

    writer = SingleWriter(
        name="words",
        table=table,
        dead_letters=Topic("dead-letters", journal),
        decode=decode,
        key_of=lambda c: c[0].encode(),
        step=step,
        codec=counted.codec,
        journal_max=journal_max,
    )
    return writer, table


def batch(*commands: bytes) -> list[Event]:
    return [Event(raw, n) for n, raw in enumerate(commands)]


async def test_a_key_is_decoded_once_and_encoded_once_per_batch() -> None:
    counted = Counted()
    writer, table = words_writer(Journal(), counted)
    table[b"a"] = b'{"words":["x"]}'

    await writer.handle_batch(batch(b"a:1", b"a:2", b"b:1"))
    await writer.handle_batch(batch(b"a:3", b"b:2"))

    assert table[b"a"] == b'{"words":["x","1","2","3"]}' and table[b"b"] == b'{"words":["1","2"]}'
    assert counted.decodes == 1  # only the entry that was in the table before the writer saw it
    assert counted.encodes == 4  # two keys, two batches


async def test_a_state_replaced_in_the_table_is_decoded_again() -> None:
    counted = Counted()
    writer, table = words_writer(Journal(), counted)
    await writer.handle_batch(batch(b"a:1"))
    dict.__setitem__(table, b"a", b'{"words":["restored"]}')  # a changelog recovery or another writer

    await writer.handle_batch(batch(b"a:2"))

    assert table[b"a"] == b'{"words":["restored","2"]}'
    assert counted.decodes == 1


async def test_an_equal_but_different_bytes_object_is_not_trusted() -> None:
    counted = Counted()
    writer, table = words_writer(Journal(), counted)
    await writer.handle_batch(batch(b"a:1"))
    dict.__setitem__(table, b"a", bytes(bytearray(table[b"a"])))

    await writer.handle_batch(batch(b"a:2"))

    assert table[b"a"] == b'{"words":["1","2"]}'
    assert counted.decodes == 1


async def test_a_failed_step_rolls_its_key_back_to_the_batch_so_far() -> None:
    journal = Journal()
    writer, table = words_writer(journal, Counted())
    table[b"a"] = b'{"words":["x"]}'
    await writer.handle_batch(batch(b"a:0"))

    await writer.handle_batch(batch(b"a:1", b"b:1", b"a:boom", b"a:2"))
    await writer.handle_batch(batch(b"a:3"))

    assert table[b"a"] == b'{"words":["x","0","1","2","3"]}'
    assert table[b"b"] == b'{"words":["1"]}'
    dead = [payload for kind, payload in journal.entries if kind == "send" and payload[0] == "dead-letters"]
    assert len(dead) == 1 and b'"stage":"apply"' in dead[0][1]


async def test_a_batch_whose_sends_fail_leaves_no_changed_state_behind() -> None:
    journal = Journal()
    writer, table = words_writer(journal, Counted())
    await writer.handle_batch(batch(b"a:1"))

    async def refuse(*, key: bytes | None, value: bytes) -> Any:
        raise RuntimeError("not a broker error: propagates")

    facts_topic = Topic("facts", journal)
    writer_step: Any = writer._step
    original_send = facts_topic.send
    facts_topic.send = refuse  # type: ignore[method-assign]

    def failing_step(state: Words | None, command: tuple[str, str]) -> Step:
        result = writer_step(state, command)
        return Step(result.state, [Outgoing(facts_topic, b"a", b"x")])

    writer._step = failing_step
    with pytest.raises(RuntimeError):
        await writer.handle_batch(batch(b"a:2"))
    writer._step = writer_step
    facts_topic.send = original_send  # type: ignore[method-assign]

    await writer.handle_batch(batch(b"a:3"))

    assert table[b"a"] == b'{"words":["1","3"]}'
    await asyncio.sleep(0)
