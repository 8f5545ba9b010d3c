"""Staff questions answered from the read models (county officer or city administrator credential).

Every view is scoped with :func:`services.people.access.may_read` through :func:`gateway.auth.require_county`: a county
officer sees only check-ins of their own county. Views that show a worker's (masked) personal data write an
audit record first (:mod:`gateway.audit`).
"""

from __future__ import annotations

from aiohttp import web

from gateway import audit
from gateway.auth import authenticate, require_county
from gateway.operation import Operation, declared_roles
from gateway.problems import ApiError, dumps
from gateway.typedefs import REDIS, SETTINGS
from gateway.wire.market import Ticket, WhyNotAnswer
from services.readmodels import keys
from services.readmodels.views import View, load, public
from services.readmodels.why_not import explain


async def get_why_not(request: web.Request) -> web.Response:
    """``GET /api/v1/checkins/{checkin_id}/why-not/{request_id}``: "why not me?" for one worker and one job."""
    principal = await authenticate(request, *declared_roles(request))
    prefix = request.app[SETTINGS].topic_prefix
    redis = request.app[REDIS]
    ticket = await _ticket_or_404(request)
    require_county(principal, ticket.get("county"))
    job = load(await redis.get(keys.job_request(prefix, request.match_info["request_id"])))
    if job is None or job.get("market_id") != ticket.get("market_id"):
        raise ApiError(
            404, "job_request_unknown", "本市场没有该招工需求", "no such request at this market", field="request_id"
        )
    holders = sorted({*job.get("accepted", []), *_offered_to(job)})
    views = [load(v) for v in await redis.mget([keys.ticket(prefix, c) for c in holders])] if holders else []
    return web.json_response(explain(ticket, job, [v for v in views if v]), dumps=dumps)


WHY_NOT = Operation(
    "GET",
    "/api/v1/checkins/{checkin_id}/why-not/{request_id}",
    "why_not",
    "Why a worker did not get a job: the rule that failed, and who got it with their tier and rank (officer)",
    handler=get_why_not,
    roles=("officer",),
    response=WhyNotAnswer,
    not_found=True,
    tags=("market",),
)


async def get_staff_checkin(request: web.Request) -> web.Response:
    """``GET /api/v1/staff/checkins/{checkin_id}``: a check-in as staff see it, with the worker's masked ID
    number. Scoped to the officer's county; the reveal is audited before the answer is sent."""
    principal = await authenticate(request, *declared_roles(request))
    ticket = await _ticket_or_404(request)
    require_county(principal, ticket.get("county"))
    shown = public(ticket) or {}
    revealed = [f for f in ("worker_masked", "phone_masked") if shown.get(f)]
    if revealed:
        await audit.record_reveal(
            request,
            principal,
            action="view_checkin",
            subject=f"checkin:{shown.get('checkin_id', request.match_info['checkin_id'])}",
            fields=revealed,
            county=ticket.get("county"),
            market_id=ticket.get("market_id"),
        )
    return web.json_response(shown, dumps=dumps)


STAFF_CHECKIN = Operation(
    "GET",
    "/api/v1/staff/checkins/{checkin_id}",
    "staff_checkin",
    "A check-in with the worker's masked ID number (county officer of its county, or administrator); audited",
    handler=get_staff_checkin,
    roles=("officer",),
    response=Ticket,
    not_found=True,
    tags=("market",),
)


async def _ticket_or_404(request: web.Request) -> View:
    prefix = request.app[SETTINGS].topic_prefix
    ticket = load(await request.app[REDIS].get(keys.ticket(prefix, request.match_info["checkin_id"])))
    if ticket is None:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    return ticket


def _offered_to(job: dict[str, object]) -> list[str]:
    return [str(c) for c in job.get("offered_to", [])]  # type: ignore[attr-defined]


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    WHY_NOT,
    STAFF_CHECKIN,
)
