"""gateway/drain.py: after the requests in flight are done, the stop waits until no request has arrived for
``QUIET_SECONDS`` (a request sent just before SIGTERM may still be unread in a kept-alive connection), bounded by
the drain's deadline. (The whole stop under load: tests/faults/test_gateway_sigterm.py.)"""

from __future__ import annotations

import asyncio
import time

from gateway.drain import QUIET_SECONDS, Drain


async def test_a_late_arrival_extends_the_quiet_wait() -> None:
    drain = Drain(draining=True)
    start = drain.last_arrival = time.monotonic()

    async def late_arrival() -> None:
        await asyncio.sleep(0.2)
        drain.last_arrival = time.monotonic()

    arrival = asyncio.ensure_future(late_arrival())
    await drain._until_quiet(start + 5)
    await arrival
    assert time.monotonic() - start >= 0.2 + QUIET_SECONDS - 0.02


async def test_requests_in_flight_are_awaited_first() -> None:
    drain = Drain(draining=True, in_flight=1)
    start = drain.last_arrival = time.monotonic()

    async def finish() -> None:
        await asyncio.sleep(0.5)
        drain.in_flight = 0
        drain.idle.set()

    done = asyncio.ensure_future(finish())
    await drain._until_quiet(start + 5)
    await done
    assert drain.in_flight == 0 and time.monotonic() - start >= 0.5


async def test_the_deadline_bounds_the_wait() -> None:
    drain = Drain(draining=True)
    start = time.monotonic()
    drain.last_arrival = start + 60  # requests keep arriving
    await drain._until_quiet(start + 0.4)
    assert 0.35 <= time.monotonic() - start < 2
