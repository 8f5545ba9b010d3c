"""``take_ready``: a batch is whatever is waiting, taken as soon as nothing more is (streams/batching.py).

Driven through Faust's agent test context (an in-memory channel): the generator's contract is about the
stream's queue, not about Kafka; the agents' use of it runs against the real broker in the integration tests.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import faust

from streams.batching import take_ready

#: Longer than any test waits: a batch that waited for its timer would fail the test.
NEVER = 3600.0
_apps = itertools.count()


def _batches(groups: list[list[int]], max_: int) -> list[list[int]]:
    """Put each group of values into an agent's channel at once, pausing between groups; the batches taken."""
    app = faust.App(f"batching-{next(_apps)}", store="memory://", web_enabled=False)
    taken: list[list[int]] = []

    @app.agent()
    async def batches(stream: Any) -> None:
        async for events in take_ready(stream, max_, NEVER):
            taken.append([event.value for event in events])

    async def drive() -> None:
        async with batches.test_context() as agent:
            for group in groups:
                await asyncio.gather(*(agent.put(value) for value in group))
                await asyncio.sleep(0.1)

    asyncio.run(asyncio.wait_for(drive(), timeout=30))
    return taken


def test_a_lone_event_is_taken_at_once_without_waiting_for_the_timer() -> None:
    assert _batches([[1], [2], [3]], max_=100) == [[1], [2], [3]]


def test_what_waits_together_is_one_batch() -> None:
    assert _batches([[1, 2, 3, 4], [5, 6]], max_=100) == [[1, 2, 3, 4], [5, 6]]


def test_a_batch_holds_at_most_max() -> None:
    assert _batches([[1], [2, 3, 4, 5, 6, 7, 8]], max_=3) == [[1], [2, 3, 4], [5, 6, 7], [8]]


def test_an_idle_agent_sleeps_until_an_event_instead_of_waking_on_the_timer() -> None:
    app = faust.App(f"batching-{next(_apps)}", store="memory://", web_enabled=False)
    taken: list[list[int]] = []
    waits: list[float | None] = []

    @app.agent()
    async def batches(stream: Any) -> None:
        wait_for_stopped = stream.wait_for_stopped

        async def counted(*coros: Any, timeout: float | None = None) -> bool:
            waits.append(timeout)
            stopped: bool = await wait_for_stopped(*coros, timeout=timeout)
            return stopped

        stream.wait_for_stopped = counted
        async for events in take_ready(stream, 100, 0.01):
            taken.append([event.value for event in events])

    async def drive() -> None:
        async with batches.test_context() as agent:
            await asyncio.sleep(0.3)  # idle for thirty timer periods
            await agent.put(1)
            await asyncio.sleep(0.1)

    asyncio.run(asyncio.wait_for(drive(), timeout=30))
    assert taken == [[1]]
    assert waits[:2] == [None, None] and len(waits) <= 3  # one wait while idle, one after the batch
