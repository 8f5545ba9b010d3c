"""The kiosk's "查看我的登记": a worker who left the kiosk types their ID number again and sees today's ticket at
this market, how many people are ahead, and any open offer (answered with the usual offer API).

Contract:

- ``POST /kiosk/my-registration`` (kiosk session + ``X-CSRF-Token``) ``{"id_number": ...}``: the gateway checks
  the number and turns it into the keyed pseudonym in memory (:func:`services.people.identity.pseudonymise`); only the
  pseudonym is used to read ``checkin-of:<market>:<pseudonym>`` (:mod:`services.readmodels.kiosk_views`). The
  raw number is never stored, logged or sent on. 200 ``{checkin_id, ticket_no, worker_masked, place}`` for
  today's check-in at this kiosk's market; otherwise one and the same 404 ``no_registration_today`` — for an
  unknown number, a valid one that did not check in, one checked in at another market or on another day — so the
  lookup tells nothing more than a check-in attempt would. A malformed number is a 422 naming ``id_number``.
- Every lookup counts against the limit ``kiosk_lookups`` of its kiosk (429 past it), refused ones too.
- ``GET /kiosk/queue-place/{checkin_id}`` (kiosk session, a check-in of its market): ``{ahead, waiting,
  is_waiting}`` now (:func:`services.readmodels.kiosk_views.queue_place`); the page asks again while it shows it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import bodies, sessions, throttle
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import clock
from services.people import identity
from services.people.principal import Principal
from services.readmodels import keys
from services.readmodels.kiosk_views import queue_place
from services.readmodels.views import load, load_fields

NO_REGISTRATION = ApiError(
    404,
    "no_registration_today",
    "今天在本市场没有查到您的登记。请核对身份证号码，或点“开始登记”排队",
    "no check-in at this market today: check the ID number, or tap “Check in” to join the queue",
    field="id_number",
)


async def lookup(request: web.Request) -> web.Response:
    """``POST /kiosk/my-registration``: today's check-in at this kiosk's market of the ID number typed."""
    principal = await sessions.page_principal(request, "kiosk")
    await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get("X-CSRF-Token", "")})
    await throttle.enforce(request, "kiosk_lookups", principal.subject_id)
    body = bodies.decode_json(await request.read())
    raw = body.get("id_number") if isinstance(body, dict) else None
    settings = request.app[SETTINGS]
    today = clock.local_date(request.app[CLOCK]())
    resident = identity.parse_id_number(raw, today=today, minimum_age=0)
    worker = identity.pseudonymise(resident, settings.pseudonym_key)
    del resident, raw, body  # the number lives no longer than this lookup
    found = load(
        await request.app[REDIS].get(keys.checkin_of(settings.topic_prefix, principal.market_id or "", worker))
    )
    if found is None or found.get("day") != today.isoformat():
        raise NO_REGISTRATION
    checkin_id = str(found["checkin_id"])
    ticket = load(await request.app[REDIS].get(keys.ticket(settings.topic_prefix, checkin_id))) or {}
    return web.json_response(
        {
            "checkin_id": checkin_id,
            "ticket_no": found.get("ticket_no"),
            "worker_masked": ticket.get("worker_masked", ""),
            "place": await _place(request, principal, checkin_id),
        },
        headers={"Cache-Control": "no-store"},
    )


async def place(request: web.Request) -> web.Response:
    """``GET /kiosk/queue-place/{checkin_id}``: how many people are ahead of this check-in now."""
    principal = await sessions.page_principal(request, "kiosk")
    checkin_id = request.match_info["checkin_id"]
    ticket = load(await request.app[REDIS].get(keys.ticket(request.app[SETTINGS].topic_prefix, checkin_id)))
    if ticket is None or ticket.get("market_id") != principal.market_id:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    return web.json_response(await _place(request, principal, checkin_id), headers={"Cache-Control": "no-store"})


async def _place(request: web.Request, principal: Principal, checkin_id: str) -> dict[str, Any]:
    prefix = request.app[SETTINGS].topic_prefix
    entries = load_fields(await request.app[REDIS].hgetall(keys.waiting(prefix, principal.market_id or "")))
    day = clock.local_date(request.app[CLOCK]()).isoformat()
    found = queue_place(checkin_id, entries, day)
    return {"ahead": found.ahead, "waiting": found.waiting, "is_waiting": found.is_waiting}
