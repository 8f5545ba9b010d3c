"""Graceful stop of a gateway process (``python -m gateway``) on SIGTERM or SIGINT.

1. Draining starts: ``/healthz`` answers 503 (a load balancer stops sending here), and so does every *new* request
   that arrives on a kept-alive connection (503 ``draining`` with ``Retry-After`` and ``Connection: close``): a
   request that reached the process always gets an answer.
2. The listener closes: new connections are refused (a client retries elsewhere, with the same Idempotency-Key).
3. Requests already in a handler finish — their Kafka acknowledgements awaited — within ``DRAIN_SECONDS``, and
   are answered with ``Connection: close``; then the process waits until no request has arrived for
   ``QUIET_SECONDS``: a request a client sent just before the signal may still sit unread in a kept-alive
   connection's buffer, and closing that connection would cut it without an answer (it gets its 503 instead).
4. The app's cleanup stops the producer (flushing it) and closes Redis; the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.problems import ApiError

log = logging.getLogger("lingong.gateway")

#: The longest wait for the requests in flight at SIGTERM (then aiohttp cancels what is left).
DRAIN_SECONDS = 10.0
#: After the requests in flight are done, how long no new request may arrive before the connections close.
QUIET_SECONDS = 0.3


@dataclasses.dataclass
class Drain:
    """Requests in flight, and whether the process is draining."""

    draining: bool = False
    in_flight: int = 0
    in_flight_at_stop: int = 0
    refused_while_draining: int = 0
    #: When the last request arrived (``time.monotonic()``).
    last_arrival: float = 0.0
    idle: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)

    def middleware(self) -> Middleware:
        @web.middleware
        async def drain_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            if self.draining:
                self.last_arrival = time.monotonic()
                self.refused_while_draining += 1
                answer = ApiError(
                    503,
                    "draining",
                    "本服务实例正在停止，请稍后重试（保持相同的 Idempotency-Key）",
                    "this gateway is stopping; retry shortly (with the same Idempotency-Key)",
                    headers={"Retry-After": "1"},
                ).response()
                answer.force_close()
                return answer
            self.in_flight += 1
            self.idle.clear()
            try:
                response = await handler(request)
            finally:
                self.in_flight -= 1
                if not self.in_flight:
                    self.idle.set()
            if self.draining and not response.prepared:
                response.force_close()
            return response

        return drain_middleware

    async def stop(self, site: web.BaseSite, runner: web.AppRunner) -> None:
        """Drain (steps 1 to 4 of the module's docstring) and clean the app up."""
        began = time.monotonic()
        self.draining = True
        self.in_flight_at_stop = self.in_flight
        log.info("stopping: draining %d requests in flight; no new connection accepted", self.in_flight)
        self.last_arrival = began
        await site.stop()
        await self._until_quiet(began + DRAIN_SECONDS)
        await runner.cleanup()
        log.info(
            "stopped in %.1fs: %d requests were in flight, %d new ones answered 503 while draining",
            time.monotonic() - began,
            self.in_flight_at_stop,
            self.refused_while_draining,
        )

    async def _until_quiet(self, deadline: float) -> None:
        """Until no request is in flight and none arrived for ``QUIET_SECONDS``, or ``deadline`` passed."""
        while True:
            now = time.monotonic()
            if self.in_flight and now < deadline:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.idle.wait(), deadline - now)
                continue
            if self.in_flight:
                log.warning("%d requests still in flight after %.0fs: cancelled", self.in_flight, DRAIN_SECONDS)
                return
            quiet_for = now - self.last_arrival
            if quiet_for >= QUIET_SECONDS or now >= deadline:
                return
            await asyncio.sleep(min(QUIET_SECONDS - quiet_for, deadline - now))


def install(app: web.Application) -> Drain:
    """Add the drain's middleware (innermost) to ``app`` before it starts."""
    drain = Drain()
    app.middlewares.append(drain.middleware())
    return drain
