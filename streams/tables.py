"""The stream writers' tables: Faust tables whose changelog partition the writer names for each write.

Faust sends a table write's changelog record to the partition of the *current event* (``Table.partition_for_key``
reads it from the stream being iterated), so that a partition's table entries are restored by the worker that
owns the input partition. :class:`~streams.writer.SingleWriter` stores a batch's states after the whole batch's
outputs are acknowledged, outside any one event's iteration, and knows for each key the partition of the event
that carried it. :meth:`WriterTable.store` writes with that partition through Faust's own ``table[key] = value``
(its changelog, sensors and TTL bookkeeping unchanged), by overriding the public ``partition_for_key`` hook only
for the duration of the write.
"""

from __future__ import annotations

from typing import Any

import faust


class WriterTable(faust.Table[bytes, bytes]):
    """A ``faust.Table`` with :meth:`store`, a write whose changelog goes to a named partition."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lingong_partition: int | None = None

    def store(self, key: bytes, value: bytes, partition: int) -> None:
        """``self[key] = value``, its changelog record sent to ``partition`` (the partition of the input event
        that carried ``key``). Not re-entrant: writes are synchronous and the event loop does not switch inside."""
        self.lingong_partition = partition
        try:
            self[key] = value
        finally:
            self.lingong_partition = None

    def partition_for_key(self, key: Any) -> int | None:
        """The partition named by :meth:`store`; outside it, Faust's rule (the current event's partition)."""
        if self.lingong_partition is not None:
            return self.lingong_partition
        partition: int | None = super().partition_for_key(key)
        return partition


def writer_table(app: faust.App, name: str, *, partitions: int, schema: faust.Schema[bytes, bytes]) -> WriterTable:
    """A :class:`WriterTable` of raw bytes registered with ``app``, made as ``app.Table`` makes its tables."""
    table = WriterTable(
        app,
        name=name,
        default=None,
        beacon=app.tables.beacon,
        partitions=partitions,
        help=None,
        schema=schema,
        key_type=bytes,  # the table's serializers come from these, also when restoring the changelog
        value_type=bytes,
    )
    app.tables.add(table)  # typed as returning any collection: it returns the table it was given
    return table
