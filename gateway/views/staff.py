"""Staff questions answered from the read models (county officer or city administrator credential).

Every view is scoped with :func:`services.people.access.may_read` through :func:`gateway.auth.require_county`: a county
officer sees only check-ins of their own county. Views that show a worker's (masked) personal data write an
audit record first (:mod:`gateway.audit`).
"""

from __future__ import annotations

from aiohttp import web

from gateway import audit
from gateway.auth import authenticate, require_county
from gateway.problems import ApiError, dumps
from gateway.typedefs import REDIS, SETTINGS
from services.readmodels import keys
from services.readmodels.views import View, load, public
from services.readmodels.why_not import explain


async def get_why_not(request: web.Request) -> web.Response:
    """``GET /api/v1/checkins/{checkin_id}/why-not/{request_id}``: "why not me?" for one worker and one job."""
    principal = await authenticate(request, "officer")
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


async def get_staff_checkin(request: web.Request) -> web.Response:
    """``GET /api/v1/staff/checkins/{checkin_id}``: a check-in as staff see it, with the worker's masked ID
    number. Scoped to the officer's county; the reveal is audited before the answer is sent."""
    principal = await authenticate(request, "officer")
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


async def _ticket_or_404(request: web.Request) -> View:
    prefix = request.app[SETTINGS].topic_prefix
    ticket = load(await request.app[REDIS].get(keys.ticket(prefix, request.match_info["checkin_id"])))
    if ticket is None:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    return ticket


def _offered_to(job: dict[str, object]) -> list[str]:
    return [str(c) for c in job.get("offered_to", [])]  # type: ignore[attr-defined]
