"""The writer on a real Faust table (streams/tables.py ``WriterTable``): a batch's states land in the table and
their changelog records, queued in Faust's own producer buffer, carry the partition of the event that carried
each key, although the writer stores them after the batch, outside any event's iteration.

A Faust app is built but not started (no broker is needed to queue a changelog record); the batch's outputs go
to test_writer_batch's recording topic, as they are not what is under test here.
"""

from __future__ import annotations

import faust

from streams.app import raw_schema
from streams.tables import WriterTable, writer_table
from tests.unit.test_writer_batch import Event, Journal, counter_writer


def _changelog_records(app: faust.App) -> list[tuple[int | None, bytes, bytes]]:
    """The (partition, key, value) of every record waiting in the producer's buffer, in order."""
    pending = app.producer.buffer.pending
    records = []
    while not pending.empty():
        message = pending.get_nowait().message
        records.append((message.partition, message.key, message.value))
    return records


async def test_a_batch_stores_each_key_with_the_partition_of_its_event() -> None:
    app = faust.App("writer-table-test", broker="kafka://127.0.0.1:9", store="memory://", value_serializer="raw")
    table = writer_table(app, "counters", partitions=8, schema=raw_schema())
    assert isinstance(table, WriterTable) and app.tables["counters"] is table
    writer, _ = counter_writer(Journal(), table)

    await writer.handle_batch([Event(b"a:1", 0, 3), Event(b"b:1", 1, 5), Event(b"a:2", 2, 3)])

    assert dict(table.items()) == {b"a": b"1,2", b"b": b"1"}
    assert _changelog_records(app) == [(3, b"a", b"1,2"), (5, b"b", b"1")]
    assert table.lingong_partition is None  # the named partition holds only during the write


async def test_outside_the_writer_faust_s_rule_applies() -> None:
    app = faust.App("writer-table-rule", broker="kafka://127.0.0.1:9", store="memory://", value_serializer="raw")
    table = writer_table(app, "counters", partitions=8, schema=raw_schema())
    try:
        table[b"x"] = b"1"
    except (RuntimeError, TypeError) as error:  # no stream is being iterated: Faust refuses, as before
        assert "outside" in str(error)
    else:
        raise AssertionError("a write outside a stream and outside store() was accepted")
