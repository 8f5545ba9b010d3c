"""An employer's same-day job request, and its live state."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import records, topics
from services.job_request import parse_job_request
from services.readmodels import keys
from services.readmodels.views import load, public


async def post_job_request(request: web.Request) -> web.Response:
    """``POST /api/v1/job-requests`` (employer): 202 with the request id once Kafka has it."""
    principal = await authenticate(request, "employer")
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()

    async def build(command_id: str, body: Any) -> commands.Accepted:
        form = parse_job_request(body, now=now)
        record = records.PostJobRequest(
            id=command_id,
            at=now,
            market_id=form.market.market_id,
            county=form.market.county,
            employer_id=principal.subject_id,
            employer_name=principal.display_name,
            trade=form.trade,
            headcount=form.headcount,
            day_wage=form.day_wage,
            start=form.start,
            hours=form.hours,
            place=form.place,
            description=form.description,
        )
        answer = {
            "request_id": command_id,
            "status": "accepted",
            "status_url": str(request.app.router["job_request"].url_for(request_id=command_id)),
        }
        return commands.Accepted(
            settings.topic(topics.MARKET_COMMANDS), form.market.market_id.encode(), record, answer
        )

    return await commands.accept(request, principal, build)


async def get_job_request(request: web.Request) -> web.Response:
    """``GET /api/v1/job-requests/{request_id}`` (the employer who posted it)."""
    principal = await authenticate(request, "employer")
    prefix = request.app[SETTINGS].topic_prefix
    view = public(
        load(await request.app[REDIS].get(keys.job_request(prefix, request.match_info["request_id"])))
    )
    if view is None or view.get("employer_id") != principal.subject_id:
        raise ApiError(
            404, "job_request_unknown", "没有找到该招工需求", "no such job request", field="request_id"
        )
    return web.json_response(view, dumps=dumps)
