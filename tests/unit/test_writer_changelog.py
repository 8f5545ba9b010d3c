"""``SingleWriter`` with a ``changelog`` (streams/writer.py ``_put``): table entries go into the table's store and
their changelog records to the producer directly, the same records Faust's ``table[key] = value`` would send (key,
value, the partition of the key's event), in the same order, after the batch's outputs are acknowledged, and
before the batch is done (Faust flushes the producer before committing its offsets). In-memory stand-ins, as in
test_writer_batch.py; the broker path is covered by the integration and fault tests through the stream worker."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import KafkaConnectionError

from streams.writer import JOURNAL_SUFFIX, SingleWriter, segment_key
from tests.unit.test_writer_batch import Event, Journal, Message, counter_writer


class Store(dict[bytes, bytes]):
    """The table's store: what ``table.data[key] = value`` writes."""


class FaustTable:
    """A table whose ``table[key] = value`` (Faust's path, with its changelog send) must not be used."""

    def __init__(self) -> None:
        self.data = Store()

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        raise AssertionError("the writer went through Faust's table write")


class Changelog:
    """Records each changelog record handed to the producer; fails the first ``failures`` sends (a broker away)."""

    def __init__(self, journal: Journal, failures: int = 0) -> None:
        self.journal, self.failures = journal, failures

    async def send(self, *, key: bytes, value: bytes, partition: int | None = None) -> asyncio.Future[None]:
        if self.failures:
            self.failures -= 1
            raise KafkaConnectionError("broker away")
        self.journal.entries.append(("changelog", (key, value, partition)))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


def counter(journal: Journal, changelog: Changelog, journal_max: int = 0) -> tuple[SingleWriter[Any, Any], FaustTable]:
    """test_writer_batch's counter writer on a :class:`FaustTable`, with ``changelog``."""
    writer, table = counter_writer(journal, FaustTable(), journal_max=journal_max, changelog=changelog)
    return writer, table


async def test_entries_go_to_the_store_and_the_changelog_after_the_acks_with_the_events_partitions() -> None:
    journal = Journal()
    writer, table = counter(journal, Changelog(journal))
    await writer.handle_batch([Event(b"a:1", 0, 3), Event(b"b:1", 1, 5), Event(b"a:2", 2, 3)])
    assert table.data == {b"a": b"1,2", b"b": b"1"}
    kinds = [kind for kind, _ in journal.entries]
    assert kinds == ["send", "send", "send", "ack", "ack", "ack", "changelog", "changelog"]
    records = [payload for kind, payload in journal.entries if kind == "changelog"]
    assert records == [(b"a", b"1,2", 3), (b"b", b"1", 5)]


async def test_a_journal_sends_its_segment_before_its_head_and_one_by_one_sends_too() -> None:
    journal = Journal()
    writer, table = counter(journal, Changelog(journal), journal_max=8)
    await writer.handle_batch([Event(b"m:1", 0, 2), Event(b"m:2", 1, 2)])
    await writer.handle(Message(b"m:3", offset=2, partition=2))
    records = [(entry[0], entry[2]) for kind, entry in journal.entries if kind == "changelog"]
    head, first, second = b"m" + JOURNAL_SUFFIX, segment_key(b"m", 0), segment_key(b"m", 1)
    assert records == [(first, 2), (head, 2), (second, 2), (head, 2)]  # each head (the commit point) last
    assert set(table.data) == {first, second, head}


async def test_a_broker_away_is_retried_and_nothing_is_lost_or_reordered() -> None:
    journal = Journal()
    writer, table = counter(journal, Changelog(journal, failures=2))
    await writer.handle_batch([Event(b"a:1", 0, 1), Event(b"b:1", 1, 4)])
    records = [payload for kind, payload in journal.entries if kind == "changelog"]
    assert records == [(b"a", b"1", 1), (b"b", b"1", 4)]
    assert table.data == {b"a": b"1", b"b": b"1"}
