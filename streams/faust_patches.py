"""Fixes for races in Faust's consumer and recovery that lose records until the next rebalance.

Found by tests/faults/repro_kill_stall.py (a stream worker killed while two share the partitions): in 2 runs
of 3 a partition stopped being consumed by its new owner, with nothing in any log. Three defects, all of the
kind "the fetch position moves past records that no agent ever receives":

1. ``Consumer._wait_next_records`` hands aiokafka the *live* set of active partitions. Recovery empties that set
   while the fetch is awaited (it pauses the changelogs when restored, before it resumes the streams), and
   aiokafka reads an empty set as "every assigned partition": records of paused stream partitions come back,
   and ``Consumer.getmany`` skips them because they are not active. Fixed: the fetch takes a snapshot of the
   set and is not made at all when it is empty.
2. ``Consumer.getmany`` silently skips a fetched record whose partition was paused meanwhile (by recovery or by
   back-pressure, ``on_buffer_full``). Fixed: the partition is sought back to the first skipped record, so it
   is read again when the partition is resumed.
3. Recovery's end (below).

3. The race (faust-streaming 0.10–0.15, ``faust/tables/recovery.py``): when a rebalance ends, ``Recovery`` resumes
the stream partitions, *then* awaits the seek to the committed offsets, *then* calls
``app.flow_control.resume()`` — which clears every stream's queue. When the changelogs had something to
restore, the consumer's flow is already active at that point, so the fetcher delivers records of the resumed
partitions into the stream queues while the seek is awaited, and the clear then throws them away. The fetch
position is already past them, so they are not read again until the next rebalance; the agent meanwhile
processes later records of the same partition (out of order) and the committed offset stops at the gap.
Seen here as "a partition never consumed after a stream worker was killed" (tests/faults/, 2 runs in 3).

The fix keeps Faust's steps and changes their order: seek while the stream partitions are still paused, clear
the queues, and only then resume the partitions and the flow. Nothing is fetched from a stream partition
before its seek, and nothing fetched after the seek is cleared.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust
from faust.tables.recovery import Recovery
from faust.transport.consumer import Consumer

log = logging.getLogger(__name__)

#: The faust-streaming versions whose ``Recovery`` this replacement was written against (read line by line).
PATCHED_VERSIONS = ("0.15.3",)

_applied = False


def _stream_partitions(recovery: Any, assignment: set[Any]) -> set[Any]:
    return {tp for tp in assignment if not recovery._is_changelog_tp(tp)}


async def _seek_clear_resume(recovery: Any, assignment: set[Any]) -> None:
    """Seek (partitions paused) → clear the stream queues → resume partitions and flow."""
    app = recovery.app
    consumer = app.consumer
    if assignment:
        recovery.log.info("Seek stream partitions to committed offsets.")
        await recovery._wait(consumer.perform_seek(), timeout=app.conf.broker_request_timeout)
    recovery.completed.set()
    app.flow_control.resume()  # clears the queues: nothing of the new generation is in them yet
    consumer.resume_partitions(_stream_partitions(recovery, assignment))
    consumer.resume_flow()
    await app._fetcher.maybe_start()


async def _resume_streams(self: Any, generation_id: int = 0) -> None:
    app = self.app
    await app.on_rebalance_complete.send()
    assignment = app.consumer.assignment()
    if app.consumer_generation_id != generation_id:
        self.log.warning("Recovery rebalancing again")
        return
    self.log.info("Resuming flow...")
    await _seek_clear_resume(self, assignment)
    self.tables.on_actives_ready()
    self.tables.on_standbys_ready()
    app.on_rebalance_end()
    self.log.info("Worker ready")


async def on_recovery_completed(self: Any, generation_id: int = 0) -> None:
    app = self.app
    self.log.info("Restore complete!")
    await app.on_rebalance_complete.send()
    self._set_recovery_ended()
    callbacks = [
        asyncio.ensure_future(
            table.on_recovery_completed(self.actives_for_table[table], self.standbys_for_table[table])
        )
        for table in self.tables.values()
    ]
    if callbacks:
        await asyncio.wait(callbacks)
    assignment = app.consumer.assignment()
    if app.consumer_generation_id != generation_id:
        self.log.warning(f"Recovery rebalancing again app id {app.consumer_generation_id} param {generation_id}")
        return
    await _seek_clear_resume(self, assignment)
    self.tables.on_actives_ready()
    if not app.assignor.assigned_standbys():
        self.tables.on_standbys_ready()
    app.on_rebalance_end()
    self.log.info("Worker ready")


async def _wait_next_records(self: Any, timeout: float) -> tuple[Any, Any]:
    """Faust's method, but the fetch gets a snapshot of the active partitions and is skipped when it is empty."""
    if not self.flow_active:
        await self.wait(self.can_resume_flow)
    try:
        self.not_waiting_next_records.set()
        if self.app.client_only:
            return await self._getmany(active_partitions=None, timeout=timeout), None
        active = set(self._get_active_partitions())
        if not active:
            await self.sleep(1)
            return {}, active
        return await self._getmany(active_partitions=active, timeout=timeout), active
    finally:
        self.not_waiting_next_records.set()


async def getmany(self: Any, timeout: float) -> Any:
    """Faust's ``Consumer.getmany``; a record of a partition paused since the fetch is read again later."""
    records, fetched_for = await self._wait_next_records(timeout)
    generation_id = self.app.consumer_generation_id
    if records is None or self.should_stop:
        return
    skipped: dict[Any, int] = {}
    last: dict[Any, int] = {}
    if self.flow_active:
        for tp, record in self.scheduler.iterate(records):
            if not self.flow_active or self.app.consumer_generation_id != generation_id:
                break  # a rebalance began: it seeks every partition back to its committed offset
            live = self._active_partitions
            if fetched_for is None or tp in self._buffered_partitions or (live is not None and tp in live):
                self.app.monitor.track_tp_end_offset(tp, self.highwater(tp))
                yield tp, self._to_message(tp, record)
            else:
                skipped.setdefault(tp, record.offset)
                last[tp] = record.offset
        for tp, offset in skipped.items():
            await _seek_back(self, tp, offset, last[tp])
    else:
        try:
            await self.perform_seek()
        except Exception as ex:
            self.log.warning(f"exception performing seek when flow not active {ex}")


async def _seek_back(consumer: Any, tp: Any, first_skipped: int, last_skipped: int) -> None:
    """Seek ``tp`` back to ``first_skipped`` unless somebody sought it since the fetch (then their seek holds)."""
    try:
        raw = consumer._thread._ensure_consumer()
        position = raw._subscription.subscription.assignment.state_value(tp).position
    except Exception as error:  # no longer assigned: its new owner starts from the committed offset
        consumer.log.info("not seeking %r back to %s: %r", tp, first_skipped, error)
        return
    if position != last_skipped + 1:
        return
    consumer.log.info("seeking paused %r back to %s (records fetched after it was paused)", tp, first_skipped)
    try:
        await consumer.seek(tp, first_skipped)
    except Exception as error:
        consumer.log.info("not seeking %r back to %s: %r", tp, first_skipped, error)


def require_reviewed_faust(versions: tuple[str, ...], ours: str, theirs: str) -> None:
    """Refuse to run when the installed faust-streaming is not one of ``versions``, which ``ours`` (a file of this
    project that replaces Faust code) was reviewed against, reading ``theirs`` (the Faust file it replaces)."""
    if faust.__version__ not in versions:
        raise RuntimeError(
            f"faust-streaming {faust.__version__} is not one of {versions}: review {ours} against its {theirs} "
            "before running it"
        )


def apply() -> None:
    """Install the reordered methods on Faust's ``Recovery`` (once). Refuses an unreviewed Faust version."""
    global _applied
    if _applied:
        return
    require_reviewed_faust(PATCHED_VERSIONS, "streams/faust_patches.py", "faust/tables/recovery.py")
    Consumer._wait_next_records = _wait_next_records  # type: ignore[method-assign]
    Consumer.getmany = getmany  # type: ignore[method-assign]
    Recovery._resume_streams = _resume_streams  # type: ignore[method-assign]
    Recovery.on_recovery_completed = on_recovery_completed  # type: ignore[method-assign]
    _applied = True
    log.debug("faust recovery patched: seek before resuming stream partitions")
