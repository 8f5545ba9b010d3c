"""Server-sent events: a page watches one read-model view and gets it again each time it changes.

Contract: ``GET /live/tickets/{checkin_id}`` (the kiosk of the ticket's market, or the worker's phone signed
in for that check-in) and ``GET /live/job-requests/{request_id}`` (the employer who posted it) answer
``text/event-stream``. The first event is the current view; then one ``view`` event per change, fed by the
projector's Redis pub/sub channel of the view key (:func:`services.readmodels.keys.changes_channel`); a
comment line every :data:`HEARTBEAT_SECONDS` keeps proxies from closing the stream. The stream subscribes
before it reads, so a change between the read and the subscription is never lost. ``data`` is the public
view (``null`` until the projector has it), with ``server_now``: the gateway's clock when it was sent, so
that a page counts an offer's time down by the server's clock, not the device's. Browsers reconnect by
themselves (``retry: 2000``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from gateway.problems import dumps
from gateway.sessions import page_principal
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import trust
from services import clock
from services.readmodels import keys
from services.readmodels.views import View, load, public

HEARTBEAT_SECONDS = 15.0
#: The tasks serving open streams, cancelled at shutdown (a stream never ends by itself).
STREAMS = web.AppKey("lingong.live_streams", set)


async def close_streams(app: web.Application) -> None:
    """``on_shutdown``: end every open stream, so the server stops at once (clients reconnect elsewhere)."""
    for task in list(app.get(STREAMS, ())):
        task.cancel()


async def ticket_stream(request: web.Request) -> web.StreamResponse:
    """The ticket of ``checkin_id``, live."""
    principal = await page_principal(request, "kiosk", "worker")
    checkin_id = request.match_info["checkin_id"]
    key = keys.ticket(request.app[SETTINGS].topic_prefix, checkin_id)
    if principal.role == "worker" and principal.subject_id != checkin_id:
        raise web.HTTPNotFound()

    async def shown(view: View) -> View | None:
        if principal.role != "worker" and view.get("market_id") != principal.market_id:
            return None
        # issue 28: the employer's pay record on an open offer, the worker's cases
        full = load(await request.app[REDIS].get(key)) or view
        today = clock.local_date(request.app[CLOCK]())
        return public(await trust.with_trust(request.app[REDIS], request.app[SETTINGS].topic_prefix, full, today))

    return await stream_view(request, key, shown)


async def job_request_stream(request: web.Request) -> web.StreamResponse:
    """The employer's own job request, live (offers out, accepted workers, placements)."""
    principal = await page_principal(request, "employer")
    key = keys.job_request(request.app[SETTINGS].topic_prefix, request.match_info["request_id"])
    prefix = request.app[SETTINGS].topic_prefix

    async def shown(view: View) -> View | None:
        if view.get("employer_id") != principal.subject_id:
            return None
        redis = request.app[REDIS]
        today = clock.local_date(request.app[CLOCK]())
        workers = await _workers(redis, prefix, view, today)
        return {**view, "workers": workers, "offers": await _offers(redis, prefix, view)}

    return await stream_view(request, key, shown)


async def _workers(redis: Any, prefix: str, view: View, today: date) -> list[View]:
    """The accepted workers of a job request as its employer sees them: masked ID, ticket, placement."""
    checkin_ids = list(view.get("accepted", []))
    if not checkin_ids:
        return []
    tickets = [load(raw) or {} for raw in await redis.mget([keys.ticket(prefix, c) for c in checkin_ids])]
    completed = await trust.completed_counts(redis, prefix, tickets, today)  # issue 28: a count, never who
    workers = []
    for checkin_id, ticket, done in zip(checkin_ids, tickets, completed, strict=True):
        jobs = (j for j in ticket.get("jobs", []) if j.get("request_id") == view.get("request_id"))
        job: dict[str, Any] = next(jobs, {})
        workers.append(
            {
                "checkin_id": checkin_id,
                "worker_masked": ticket.get("worker_masked", ""),
                "ticket_no": ticket.get("ticket_no"),
                "placement_id": job.get("placement_id"),
                "placement_status": job.get("status"),
                "steps": job.get("steps", []),
                "step_times": job.get("step_times", {}),  # issue 23: corrections within the window
                "disputed": job.get("disputed", False),
                "refusal": job.get("refusal"),
                "completed_30": done,
            }
        )
    return workers


async def _offers(redis: Any, prefix: str, view: View) -> list[View]:
    """The request's offer log as its employer sees it: each offer's worker (ticket number, masked ID), its
    deadline, outcome and when it ended, and the ticket number of the worker offered the place next."""
    log = list(view.get("offer_log", []))
    checkin_ids = sorted({c for x in log for c in (x.get("checkin_id"), x.get("next_checkin_id")) if c})
    if not checkin_ids:
        return []
    tickets = dict(zip(checkin_ids, await redis.mget([keys.ticket(prefix, c) for c in checkin_ids]), strict=True))
    shown: dict[str, View] = {c: load(raw) or {} for c, raw in tickets.items()}
    offers = []
    for entry in log:
        worker = shown.get(entry.get("checkin_id") or "", {})
        after = shown.get(entry.get("next_checkin_id") or "", {})
        offers.append(
            {
                "offer_id": entry.get("offer_id"),
                "ticket_no": worker.get("ticket_no"),
                "worker_masked": worker.get("worker_masked", ""),
                "made_at": entry.get("made_at"),
                "expires_at": entry.get("expires_at"),
                "outcome": entry.get("outcome"),
                "ended_at": entry.get("ended_at"),
                "next_ticket_no": after.get("ticket_no"),
            }
        )
    return offers


Shown = Callable[[View], Awaitable[View | None]]
Read = Callable[[], Awaitable[View | None]]


async def stream_view(request: web.Request, key: str, shown: Shown, read: Read | None = None) -> web.StreamResponse:
    """Send ``key``'s view (as ``shown`` makes it; None hides it) now and after every change. ``read`` replaces
    the plain GET of ``key`` (a view kept as a hash is read whole, e.g. the hall screen's open offers)."""
    redis = request.app[REDIS]

    async def get() -> View | None:
        return public(load(await redis.get(key)))

    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.changes_channel(request.app[SETTINGS].topic_prefix, key))
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    task = asyncio.current_task()
    streams = request.app.get(STREAMS)
    if streams is not None and task is not None:
        streams.add(task)
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        while True:
            view = await (read or get)()
            if view is not None:
                view = await shown(view)
            if view is not None:
                view = {**view, "server_now": request.app[CLOCK]().isoformat()}
            await response.write(f"event: view\ndata: {dumps(view)}\n\n".encode())
            if not await _next_change(pubsub, response):
                break
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        if streams is not None and task is not None:
            streams.discard(task)
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.aclose()
    return response


async def _next_change(pubsub: Any, response: web.StreamResponse) -> bool:
    """Wait for a change message, writing heartbeats meanwhile; False when the client has gone."""
    while True:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS)
        if message is not None:
            return True
        await response.write(b": heartbeat\n\n")
