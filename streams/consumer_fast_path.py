"""Faust's fetch loop without a task per record when delivering a record does not have to wait.

For every fetched record ``Consumer._drain_messages`` (faust-streaming 0.15.3) runs
``await self.wait_first(callback(message), self.suspend_flow.wait())``: four tasks (the delivery, the
suspend-flow wait, the service's stopped and crashed waits) and one ``asyncio.wait``, so that a delivery blocked on
a full stream queue, on flow control or on the producer's buffer is abandoned when a rebalance suspends the flow.
Almost every delivery completes without waiting (it decodes the record and puts it on a queue that has room), and
then that machinery is pure cost: in the matcher's process Faust's consumer loop took ~10 % of the samples.

:func:`deliver` steps the delivery coroutine once. When it finishes in that step, nothing else is needed. When it
has to wait, the rest of it runs exactly as before, as the first contender of ``wait_first`` (see
:func:`_rest_of`), so the suspend-flow, stop and crash semantics are Faust's. :func:`_drain_messages` is Faust's
method with that one call changed; the loop otherwise yields to the event loop every 100 records, as Faust's does.

Applied by :func:`streams.app.create_app` (and, for the like-for-like ceiling, by the bare agent of
``tests/benchmarks/perf/bare_faust.py`` when asked). Refuses a Faust version it was not reviewed against.
"""

from __future__ import annotations

import asyncio
import logging
import types
from collections.abc import AsyncIterator, Coroutine, Generator
from typing import Any, cast

from faust.transport import consumer as faust_consumer
from faust.transport.consumer import Consumer
from mode import Service, ServiceT

from streams.faust_patches import require_reviewed_faust

log = logging.getLogger(__name__)

#: The faust-streaming versions whose ``Consumer._drain_messages`` this copy was written against.
REVIEWED_VERSIONS = ("0.15.3",)

_applied = False


@types.coroutine
def _continue(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Generator[Any, Any, Any]:
    """Drive ``coro`` on from a step that yielded ``waiting_on``, forwarding sends and throws (cancellation)."""
    while True:
        try:
            sent = yield waiting_on
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as error:
            try:
                waiting_on = coro.throw(error)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                waiting_on = coro.send(sent)
            except StopIteration as stop:
                return stop.value


async def _rest_of(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Any:
    """The rest of a delivery that had to wait, as an awaitable ``wait_first`` can run as a task."""
    return await _continue(coro, waiting_on)


async def deliver(service: Service, delivery: Coroutine[Any, Any, Any], suspend_flow: asyncio.Event) -> None:
    """Run ``delivery``; only if it has to wait, race it against ``suspend_flow`` as Faust does."""
    try:
        waiting_on = delivery.send(None)
    except StopIteration:
        return
    except BaseException:
        delivery.close()
        raise
    await service.wait_first(_rest_of(delivery, waiting_on), suspend_flow.wait())


async def _drain_messages(self: Any, fetcher: ServiceT) -> None:  # pragma: no cover - Faust's loop, one change
    """Faust 0.15.3's ``Consumer._drain_messages``; each record goes through :func:`deliver`."""
    callback = self.callback
    getmany = self.getmany
    consumer_should_stop = cast(Service, self)._stopped.is_set
    fetcher_should_stop = cast(Service, fetcher)._stopped.is_set

    get_read_offset = self._read_offset.__getitem__
    set_read_offset = self._read_offset.__setitem__
    flag_consumer_fetching = faust_consumer.CONSUMER_FETCHING
    set_flag = self.diag.set_flag
    unset_flag = self.diag.unset_flag
    commit_every = self._commit_every
    acks_enabled_for = self.app.topics.acks_enabled_for
    suspend_flow = self.suspend_flow

    yield_every = 100
    num_since_yield = 0
    sleep = asyncio.sleep

    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            set_flag(flag_consumer_fetching)
            ait = cast(AsyncIterator[Any], getmany(timeout=1.0))
            await self.sleep(0)
            if not self.should_stop:
                async for tp, message in ait:
                    num_since_yield += 1
                    if num_since_yield > yield_every:
                        await sleep(0)
                        num_since_yield = 0
                    offset = message.offset
                    r_offset = get_read_offset(tp)
                    if r_offset is None or offset >= r_offset:
                        gap = offset - (r_offset or 0)
                        if gap > 1 and r_offset and acks_enabled_for(message.topic):
                            await self._add_gap(tp, r_offset + 1, offset)
                        if commit_every is not None and self._n_acked >= commit_every:
                            self._n_acked = 0
                            await self.commit()
                        await deliver(self, callback(message), suspend_flow)
                        set_read_offset(tp, offset)
                    else:
                        self.log.dev("DROPPED MESSAGE ROFF %r: k=%r v=%r", offset, message.key, message.value)
                unset_flag(flag_consumer_fetching)
    except self.consumer_stopped_errors:
        if self.transport.app.should_stop:
            self.log.info("Broker stopped consumer, shutting down...")
            return
        raise
    except asyncio.CancelledError:
        if self.transport.app.should_stop:
            self.log.info("Consumer shutting down for user cancel.")
            return
        raise
    except Exception as exc:
        self.log.exception("Drain messages raised: %r", exc)
        raise
    finally:
        unset_flag(flag_consumer_fetching)


def apply() -> None:
    """Install :func:`_drain_messages` on Faust's ``Consumer`` (once). Refuses an unreviewed Faust version."""
    global _applied
    if _applied:
        return
    require_reviewed_faust(REVIEWED_VERSIONS, "streams/consumer_fast_path.py", "faust/transport/consumer.py")
    Consumer._drain_messages = _drain_messages  # type: ignore[method-assign]
    _applied = True
    log.debug("faust consumer: records delivered without a task each when nothing waits")


__all__ = ["apply", "deliver"]
