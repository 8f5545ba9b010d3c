"""A paused worker says "我还在等工作" (I am still waiting): the kiosk of the check-in's market, or the worker's
own phone, sends ``ConfirmWaiting`` and the market lifts the pause (``WorkerResumed``, services/market/decide.py).

Contract: ``POST /api/v1/checkins/{checkin_id}/still-waiting`` (empty body, Idempotency-Key): 202 once Kafka
has the command; 404 ``checkin_unknown`` for a check-in the caller may not act for; 409 ``not_paused`` when the
ticket (the read model the page shows) is not paused. The same command twice is one command; a confirmation
that reaches a market where the worker is no longer paused changes nothing there.

The public ticket page (``/tickets/{checkin_id}``, no sign-in: the check-in id is the capability, as for
reading it) has a plain form for the same: ``POST /tickets/{checkin_id}/still-waiting`` sends the command with
an id derived from the check-in and the expiry that paused it, so a form sent twice (or by two devices) for
one pause is one command; then 303 back to the ticket page. Not paused: the page again, 409, with the reason.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.operation import Operation, declared_roles
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, PUBLISHER, SETTINGS
from gateway.views.checkins import ticket_url, ticket_view
from gateway.wire.common import EmptyBody
from gateway.wire.market import CheckInCommandAccepted
from services import records, topics
from services.market.records import ConfirmWaiting


async def post_still_waiting(request: web.Request) -> web.Response:
    """``POST /api/v1/checkins/{checkin_id}/still-waiting`` (kiosk of the market, or the worker's phone)."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    checkin_id = request.match_info["checkin_id"]
    ticket = await ticket_view(request.app, checkin_id)
    mine = principal.subject_id == checkin_id if principal.role == "worker" else True
    if ticket is None or not mine or ticket.get("market_id") != principal.market_id:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    if ticket.get("status") != "paused":
        raise ApiError(
            409,
            "not_paused",
            "您没有被暂停派工，无需确认，仍在排队",
            "you are not paused: nothing to confirm, you are still in the queue",
        )

    async def build(command_id: str, body: Any) -> commands.Accepted:
        record = ConfirmWaiting(
            id=command_id, at=now, market_id=ticket["market_id"], county=ticket["county"], checkin_id=checkin_id
        )
        answer = {"checkin_id": checkin_id, "status": "accepted", "status_url": ticket_url(request, checkin_id)}
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), ticket["market_id"].encode(), record, answer)

    return await commands.accept(request, principal, build)


STILL_WAITING = Operation(
    "POST",
    "/api/v1/checkins/{checkin_id}/still-waiting",
    "still_waiting",
    "A paused worker confirms they are still waiting (kiosk of the market, or the worker's phone)",
    handler=post_still_waiting,
    roles=("kiosk",),
    description="A worker who let two offers expire is paused (ticket status ``paused``) and gets no offer "
    "until this command arrives; 409 ``not_paused`` when the ticket is not paused.",
    request=EmptyBody,
    response=CheckInCommandAccepted,
    command=True,
    not_found=True,
    extra_statuses=(409,),
    tags=("market",),
    page_roles=("worker",),
)


NOT_PAUSED = (
    "您没有被暂停派工，无需确认，仍在排队",
    "you are not paused: nothing to confirm, you are still in the queue",
)


async def post_ticket_still_waiting(request: web.Request) -> web.StreamResponse:
    """``POST /tickets/{checkin_id}/still-waiting`` (the public ticket page's form): 303 to the ticket page."""
    settings = request.app[SETTINGS]
    checkin_id = request.match_info["checkin_id"]
    ticket = await ticket_view(request.app, checkin_id)
    if ticket is None:
        raise web.HTTPNotFound()
    if ticket.get("status") != "paused":
        context = {
            "ticket": ticket,
            "checkin_id": checkin_id,
            "refusal": {"rule": "not_paused", "zh": NOT_PAUSED[0], "en": NOT_PAUSED[1]},
        }
        context["server_now"] = request.app[CLOCK]().isoformat()
        return aiohttp_jinja2.render_template("ticket.html", request, context, status=409)
    notice = ticket.get("notice") or {}
    record = ConfirmWaiting(
        id=records.derived_id("still-waiting", checkin_id, str(notice.get("at", ""))),
        at=request.app[CLOCK](),
        market_id=ticket["market_id"],
        county=ticket["county"],
        checkin_id=checkin_id,
    )
    key = ticket["market_id"].encode()
    await request.app[PUBLISHER].publish(settings.topic(topics.MARKET_COMMANDS), key, records.encode(record))
    raise web.HTTPSeeOther(str(request.app.router["ticket_page"].url_for(checkin_id=checkin_id)))


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (STILL_WAITING,)
