"""``SingleWriter.handle_batch``: per-batch acks and table writes with the per-event guarantees.

The topic and table here are in-memory stand-ins recording the order of operations (a unit test of the
writer's ordering; the real broker path is covered by the integration tests through the stream worker).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from streams.writer import Outgoing, SingleWriter, Step


@dataclasses.dataclass
class Message:
    value: bytes
    topic: str = "commands"
    partition: int = 0
    offset: int = 0
    key: bytes | None = None


class Event:
    def __init__(self, value: bytes, offset: int, partition: int = 0) -> None:
        self.message = Message(value, offset=offset, partition=partition)


class Journal:
    """Every send, ack and table write, in order."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, Any]] = []


class Topic:
    def __init__(self, name: str, journal: Journal) -> None:
        self.name, self.journal = name, journal

    async def send(self, *, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.journal.entries.append(("send", (self.name, value)))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def ack() -> None:
            self.journal.entries.append(("ack", (self.name, value)))
            future.set_result(None)

        asyncio.get_running_loop().call_soon(ack)
        return future


class Table(dict[bytes, bytes]):
    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal

    def store(self, key: bytes, value: bytes, partition: int) -> None:
        """The writer's write (streams.tables.WriterTable.store): recorded with the changelog's partition."""
        self.journal.entries.append(("write", (key, value, partition)))
        self[key] = value


def counter_writer(journal: Journal, table: Any = None, **options: Any) -> tuple[SingleWriter[tuple[str, str]], Any]:
    """Commands ``b"key:word"``; the state of a key is its words joined by ``,``; one fact per command. ``table``:
    a :class:`Table` of ``journal`` unless given; ``options`` go to the writer (``journal_max``, ``changelog``)."""
    facts = Topic("facts", journal)
    table = Table(journal) if table is None else table

    def decode(raw: bytes) -> tuple[str, str]:
        key, sep, word = raw.decode().partition(":")
        if not sep or not word:
            raise ValueError("no word")
        return key, word

    def step(stored: bytes | None, command: tuple[str, str]) -> Step:
        key, word = command
        if word == "boom":
            raise RuntimeError("cannot apply")
        state = (stored + b"," if stored else b"") + word.encode()
        return Step(state, [Outgoing(facts, key.encode(), state)])

    writer = SingleWriter(
        name="counter",
        table=table,
        dead_letters=Topic("dead-letters", journal),
        decode=decode,
        key_of=lambda c: c[0].encode(),
        step=step,
        **options,
    )
    return writer, table


async def test_a_batch_applies_in_order_acks_all_outputs_then_writes_each_key_once() -> None:
    journal = Journal()
    writer, table = counter_writer(journal)
    table[b"a"] = b"x"
    journal.entries.clear()
    events = [Event(b"a:1", 0, 3), Event(b"b:1", 1, 5), Event(b"a:2", 2, 3)]

    await writer.handle_batch(events)

    assert table == {b"a": b"x,1,2", b"b": b"1"}
    kinds = [kind for kind, _ in journal.entries]
    assert kinds == ["send", "send", "send", "ack", "ack", "ack", "write", "write"]
    sends = [payload for kind, payload in journal.entries if kind == "send"]
    assert sends == [("facts", b"x,1"), ("facts", b"1"), ("facts", b"x,1,2")]
    writes = [payload for kind, payload in journal.entries if kind == "write"]
    assert writes == [(b"a", b"x,1,2", 3), (b"b", b"1", 5)]  # the changelog partition of the key's event


async def test_bad_commands_are_dead_lettered_and_the_rest_of_the_batch_goes_on() -> None:
    journal = Journal()
    writer, table = counter_writer(journal)
    events = [Event(b"a:1", 0), Event(b"garbage", 1), Event(b"a:boom", 2), Event(b"a:3", 3)]

    await writer.handle_batch(events)

    assert table == {b"a": b"1,3"}
    dead = [payload for kind, payload in journal.entries if kind == "send" and payload[0] == "dead-letters"]
    assert len(dead) == 2
    assert b'"stage":"decode"' in dead[0][1] and b'"stage":"apply"' in dead[1][1]


async def test_a_batch_and_one_by_one_leave_the_same_state_and_facts() -> None:
    commands = [b"a:1", b"b:2", b"a:3", b"c:4", b"b:5"]
    one_journal, batch_journal = Journal(), Journal()
    one, one_table = counter_writer(one_journal)
    batch, batch_table = counter_writer(batch_journal)

    for n, raw in enumerate(commands):
        await one.handle(Message(raw, offset=n))
    await batch.handle_batch([Event(raw, n) for n, raw in enumerate(commands)])

    def facts(journal: Journal) -> list[Any]:
        return [payload for kind, payload in journal.entries if kind == "ack"]

    assert dict(one_table) == dict(batch_table)
    assert facts(one_journal) == facts(batch_journal)
