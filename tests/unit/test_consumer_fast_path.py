"""A record's delivery starts no task unless it waits, and then runs as Faust runs it (streams/consumer_fast_path)."""

from __future__ import annotations

import asyncio

import pytest
from faust.transport.consumer import Consumer
from mode import Service

from streams import consumer_fast_path
from streams.consumer_fast_path import deliver


def test_a_delivery_that_does_not_wait_starts_no_task() -> None:
    delivered: list[int] = []

    async def delivery() -> None:
        delivered.append(1)

    async def run() -> int:
        service = Service()
        before = len(asyncio.all_tasks())
        created: list[object] = []
        loop = asyncio.get_running_loop()
        factory = loop.get_task_factory()
        loop.set_task_factory(lambda lp, coro, **kw: created.append(coro) or asyncio.Task(coro, loop=lp, **kw))
        try:
            await deliver(service, delivery(), asyncio.Event())
        finally:
            loop.set_task_factory(factory)
        assert len(asyncio.all_tasks()) == before
        return len(created)

    assert asyncio.run(run()) == 0
    assert delivered == [1]


def test_a_delivery_that_waits_finishes_with_what_it_waited_for() -> None:
    async def run() -> list[str]:
        service = Service()
        gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        seen: list[str] = []

        async def delivery() -> None:
            await asyncio.sleep(0)
            seen.append(await gate)
            await asyncio.sleep(0.01)
            seen.append("after")

        asyncio.get_running_loop().call_later(0.02, gate.set_result, "room in the queue")
        await deliver(service, delivery(), asyncio.Event())
        return seen

    assert asyncio.run(run()) == ["room in the queue", "after"]


def test_a_waiting_delivery_is_abandoned_when_the_flow_is_suspended() -> None:
    async def run() -> tuple[bool, bool]:
        service = Service()
        suspend_flow = asyncio.Event()
        state = {"cancelled": False, "finished": False}

        async def delivery() -> None:
            try:
                await asyncio.Event().wait()  # a full stream queue that never drains
                state["finished"] = True
            except asyncio.CancelledError:
                state["cancelled"] = True
                raise

        asyncio.get_running_loop().call_later(0.02, suspend_flow.set)
        await asyncio.wait_for(deliver(service, delivery(), suspend_flow), timeout=5)
        await asyncio.sleep(0)  # let the cancelled delivery run its handler
        return state["cancelled"], state["finished"]

    assert asyncio.run(run()) == (True, False)


@pytest.mark.parametrize("waits_first", [False, True])
def test_a_delivery_error_reaches_the_fetch_loop(waits_first: bool) -> None:
    async def delivery() -> None:
        if waits_first:
            await asyncio.sleep(0.01)
        raise ValueError("bad record")

    async def run() -> None:
        await deliver(Service(), delivery(), asyncio.Event())

    with pytest.raises(ValueError, match="bad record"):
        asyncio.run(run())


def test_apply_installs_the_loop_on_fausts_consumer() -> None:
    consumer_fast_path.apply()
    assert Consumer._drain_messages is consumer_fast_path._drain_messages
