"""Natural batching for the agents: a batch is whatever is waiting, taken as soon as nothing more is.

Faust's ``Stream.take_events(max_, within)`` yields a batch when ``max_`` events are buffered or when its
``within`` timer fires, so at light traffic every event waits out the timer: 20 ms in the roster agent plus
50 ms in the market agent on the way from kiosk to offer. :func:`take_ready` is the same generator with one
more rule: the batch is yielded as soon as the stream's queue holds no further event. Under light traffic a
check-in is handled the moment it arrives; under load the events that arrived while the previous batch was
being handled form the next one, so batches grow exactly when the per-batch work (one state write per key,
one acknowledgement round trip) needs amortising, and the agent never waits for a timer while behind.
``max_`` still bounds a batch and ``within`` remains a backstop while a batch is being gathered (an idle agent
waits for its next event without a timer: three agents waking every 20 ms for nothing were a good part of an
idle stream worker's CPU).

Acknowledgement is Faust's: the events of a batch are acknowledged after the consumer's loop body returns (so
their offsets are committed only once the body's effects are done), and no event is added to the buffer while
a batch is out. Copied from faust-streaming 0.15.3 ``Stream.take_events`` (BSD licence), with the extra rule;
streams/faust_patches.py refuses Faust versions it was not reviewed against.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from mode.utils.futures import notify


def take_ready(stream: Any, max_: int, within: float) -> AsyncIterator[list[Any]]:
    """Batches of ``stream``'s events: all that are waiting (at most ``max_``), yielded without delay once the
    queue is empty; a batch not yet flushed after ``within`` seconds is yielded then."""
    batches = _take_ready(stream, max_, within)
    stream._active_agens.add(batches)  # as Faust does: the stream closes it when it stops
    return batches


async def _take_ready(stream: Any, max_: int, within: float) -> AsyncIterator[list[Any]]:
    buffer: list[Any] = []
    events: list[Any] = []
    buffer_full = asyncio.Event()
    buffer_consumed = asyncio.Event()
    stream_enable_acks: bool = stream.enable_acks
    buffer_consuming: asyncio.Future[Any] | None = None
    channel_it = aiter(stream.channel)

    async def add_to_buffer(value: Any) -> Any:
        nonlocal buffer_consuming
        try:
            if buffer_consuming is not None:  # a batch is out: wait until it has been handled and acknowledged
                try:
                    await buffer_consuming
                finally:
                    buffer_consuming = None
            buffer.append(value)
            event = stream.current_event
            if event is None:
                raise RuntimeError("take_ready found current_event is None")
            events.append(event)
            if len(buffer) >= max_:
                buffer_full.set()
                buffer_consumed.clear()
                await stream.wait(buffer_consumed)
            elif channel_it.empty():  # nothing more is waiting: hand the batch over now
                buffer_full.set()
        except asyncio.CancelledError:  # pragma: no cover
            raise
        except Exception as exc:  # pragma: no cover - as in Faust: the stream crashes with the error
            stream.log.exception("Error adding to take_ready buffer: %r", exc)
            await stream.crash(exc)
        return value

    stream.enable_acks = False  # the batch's events are acknowledged below, after the body
    stream.add_processor(add_to_buffer)
    stream._enable_passive(channel_it)
    try:
        while not stream.should_stop:
            # the backstop timer runs only while a batch is being gathered: an idle agent sleeps until an event
            # (or the stream's stop) wakes it, instead of waking every ``within`` seconds for nothing
            await stream.wait_for_stopped(buffer_full, timeout=within if buffer else None)
            if buffer:
                buffer_consuming = asyncio.get_running_loop().create_future()
                try:
                    yield list(events)
                finally:
                    buffer.clear()
                    for event in events:
                        await stream.ack(event)
                    events.clear()
                    notify(buffer_consuming)
                    buffer_full.clear()
                    buffer_consumed.set()
    finally:
        stream.enable_acks = stream_enable_acks
        stream._processors.remove(add_to_buffer)
