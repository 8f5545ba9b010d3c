"""Staff questions answered from the read models (officer credential)."""

from __future__ import annotations

from aiohttp import web

from gateway.auth import authenticate
from gateway.problems import ApiError, dumps
from gateway.typedefs import REDIS, SETTINGS
from services.readmodels import keys
from services.readmodels.views import load
from services.readmodels.why_not import explain


async def get_why_not(request: web.Request) -> web.Response:
    """``GET /api/v1/checkins/{checkin_id}/why-not/{request_id}``: "why not me?" for one worker and one job."""
    await authenticate(request, "officer")
    prefix = request.app[SETTINGS].topic_prefix
    redis = request.app[REDIS]
    ticket = load(await redis.get(keys.ticket(prefix, request.match_info["checkin_id"])))
    job = load(await redis.get(keys.job_request(prefix, request.match_info["request_id"])))
    if ticket is None:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    if job is None or job.get("market_id") != ticket.get("market_id"):
        raise ApiError(
            404, "job_request_unknown", "本市场没有该招工需求", "no such request at this market", field="request_id"
        )
    holders = sorted({*job.get("accepted", []), *_offered_to(job)})
    views = [load(v) for v in await redis.mget([keys.ticket(prefix, c) for c in holders])] if holders else []
    return web.json_response(explain(ticket, job, [v for v in views if v]), dumps=dumps)


def _offered_to(job: dict[str, object]) -> list[str]:
    return [str(c) for c in job.get("offered_to", [])]  # type: ignore[attr-defined]
