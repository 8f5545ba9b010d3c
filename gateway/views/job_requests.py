"""An employer's same-day job request, and its live state."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.operation import Operation, declared_roles, links_to
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import placement_steps, trust
from gateway.wire.common import EmptyBody
from gateway.wire.market import (
    HeadcountAccepted,
    HeadcountBody,
    JobRequestAccepted,
    JobRequestBody,
    JobRequestView,
    PlacementCommandAccepted,
)
from services import forms, topics
from services.adapters.posting_log import record_posting
from services.errors import FieldError, InvalidInput
from services.market import placement_life, records
from services.market.job_request import MAX_HEADCOUNT, parse_job_request
from services.readmodels import keys
from services.readmodels.views import load, public
from services.screening import postings as screening


async def post_job_request(request: web.Request) -> web.Response:
    """``POST /api/v1/job-requests`` (employer): 202 with the request id once Kafka has it."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()

    async def build(command_id: str, body: Any) -> commands.Accepted:
        policy = screening.Policy.from_settings(settings)
        redis = request.app[REDIS]
        # issue 28: an upheld wage dispute not yet resolved stops the employer posting (409 naming the rule)
        await trust.posting_refusal(redis, settings.topic_prefix, principal.subject_id)
        form = parse_job_request(body, now=now, policy=policy)
        window = policy.burst_window
        employer = principal.subject_id
        recent = await record_posting(redis, settings.topic_prefix, employer, command_id, now, window)
        burst = screening.posting_burst(recent, now=now, policy=policy)
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
            certificate_required=form.certificate_required,
            review_flags=form.review_flags + ((burst.rule,) if burst else ()),
        )
        answer = {
            "request_id": command_id,
            "status": "accepted",
            "status_url": str(request.app.router["job_request"].url_for(request_id=command_id)),
        }
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), form.market.market_id.encode(), record, answer)

    return await commands.accept(request, principal, build)


JOB_REQUESTS = Operation(
    "POST",
    "/api/v1/job-requests",
    "job_requests",
    "Post a same-day job (employer); screened before it is accepted",
    handler=post_job_request,
    roles=("employer",),
    request=JobRequestBody,
    response=JobRequestAccepted,
    command=True,
    tags=("market",),
    links=links_to("request_id", "job_request_cancel", "job_request_reopen", "job_request_headcount"),
)


async def get_job_request(request: web.Request) -> web.Response:
    """``GET /api/v1/job-requests/{request_id}`` (the employer who posted it)."""
    principal = await authenticate(request, *declared_roles(request))
    view = await _own_request(request, principal.subject_id, request.match_info["request_id"])
    return web.json_response(view, dumps=dumps)


JOB_REQUEST = Operation(
    "GET",
    "/api/v1/job-requests/{request_id}",
    "job_request",
    "A job request's live state (the employer who posted it)",
    handler=get_job_request,
    roles=("employer",),
    response=JobRequestView,
    not_found=True,
    tags=("market",),
)


async def post_cancel_job_request(request: web.Request) -> web.Response:
    """``POST /api/v1/job-requests/{request_id}/cancel`` (the employer who posted it).

    Offered and accepted workers go back to their place in the queue.
    """
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    request_id = request.match_info["request_id"]
    view = await _own_request(request, principal.subject_id, request_id)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        record = records.CancelJobRequest(
            id=command_id,
            at=now,
            market_id=view["market_id"],
            county=view["county"],
            request_id=request_id,
            employer_id=principal.subject_id,
        )
        answer = {"request_id": request_id, "status": "accepted"}
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), view["market_id"].encode(), record, answer)

    return await commands.accept(request, principal, build)


JOB_REQUEST_CANCEL = Operation(
    "POST",
    "/api/v1/job-requests/{request_id}/cancel",
    "job_request_cancel",
    "Cancel a job request (the employer who posted it)",
    handler=post_cancel_job_request,
    roles=("employer",),
    request=EmptyBody,
    response=JobRequestAccepted,
    command=True,
    not_found=True,
    tags=("market",),
)


async def post_reopen_job_request(request: web.Request) -> web.Response:
    """``POST /api/v1/job-requests/{request_id}/reopen`` (the employer who posted it): "still needed, start as soon
    as possible". Only a request closed because its start plus the late-start grace passed (409
    ``request_not_reopenable`` otherwise, also from the market if its view lagged); its start becomes the market's
    now, rounded up to the minute."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    request_id = request.match_info["request_id"]
    view = await _own_request(request, principal.subject_id, request_id)
    if view.get("status") != "start_passed":
        raise ApiError(
            409,
            "request_not_reopenable",
            "只有因开工时间已过而停止派人的招工才能重新开启",
            "only a request stopped because its start passed can be reopened",
        )

    async def build(command_id: str, body: Any) -> commands.Accepted:
        record = records.ReopenJobRequest(
            id=command_id,
            at=now,
            market_id=view["market_id"],
            county=view["county"],
            request_id=request_id,
            employer_id=principal.subject_id,
        )
        answer = {"request_id": request_id, "status": "accepted"}
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), view["market_id"].encode(), record, answer)

    return await commands.accept(request, principal, build)


JOB_REQUEST_REOPEN = Operation(
    "POST",
    "/api/v1/job-requests/{request_id}/reopen",
    "job_request_reopen",
    "Still needed, start as soon as possible: reopen a request closed because its start plus the late-start "
    "grace passed, with its start moved to now (the employer who posted it; 409 request_not_reopenable "
    "for any other request)",
    handler=post_reopen_job_request,
    roles=("employer",),
    request=EmptyBody,
    response=JobRequestAccepted,
    command=True,
    not_found=True,
    tags=("market",),
)


async def post_headcount(request: web.Request) -> web.Response:
    """``POST /api/v1/job-requests/{request_id}/headcount`` (the employer who posted it), body ``{"headcount": n}``
    (issue 24): 422 ``range`` on the field outside 1..200; 409 ``request_not_open`` for a request cancelled,
    expired or stopped at its start; 409 ``headcount_below_accepted`` below the workers already accepted (the market
    judges the same rules again on its own state, and a refusal it makes reaches the request's view as
    ``last_refusal`` with this answer's ``command_id``)."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    request_id = request.match_info["request_id"]
    view = await _own_request(request, principal.subject_id, request_id)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        errors: list[FieldError] = []
        headcount = forms.integer(
            forms.require_object(body), "headcount", low=1, high=MAX_HEADCOUNT, label_zh="招工人数", errors=errors
        )
        if errors:
            raise InvalidInput(errors)
        if view.get("status") not in ("open", "filled"):
            raise ApiError(409, "request_not_open", "该招工需求已结束，不能再改人数", "this request has ended")
        accepted = len(view.get("accepted", []))
        if headcount < accepted:
            raise ApiError(
                409,
                "headcount_below_accepted",
                f"已有 {accepted} 人接受，招工人数不能少于 {accepted} 人",
                f"{accepted} workers have accepted; the headcount cannot be below {accepted}",
                field="headcount",
            )
        record = records.ChangeHeadcount(
            id=command_id,
            at=now,
            market_id=view["market_id"],
            county=view["county"],
            request_id=request_id,
            employer_id=principal.subject_id,
            headcount=headcount,
        )
        answer = {"request_id": request_id, "status": "accepted", "command_id": command_id, "headcount": headcount}
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), view["market_id"].encode(), record, answer)

    return await commands.accept(request, principal, build)


JOB_REQUEST_HEADCOUNT = Operation(
    "POST",
    "/api/v1/job-requests/{request_id}/headcount",
    "job_request_headcount",
    "Change how many workers a request needs (the employer who posted it; 409 headcount_below_accepted below "
    "the workers accepted, 409 request_not_open for a request that ended; offers awaiting an answer beyond the "
    "new headcount are withdrawn)",
    handler=post_headcount,
    roles=("employer",),
    request=HeadcountBody,
    response=HeadcountAccepted,
    command=True,
    not_found=True,
    tags=("market",),
    extra_statuses=(409,),
)


async def post_no_show(request: web.Request) -> web.Response:
    """``POST /api/v1/placements/{placement_id}/no-show`` (the employer): the next worker is offered at once."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    placement_id = request.match_info["placement_id"]
    raw = await request.app[REDIS].get(keys.placement(settings.topic_prefix, placement_id))
    placement = load(raw)
    if placement is None or placement.get("employer_id") != principal.subject_id:
        raise ApiError(404, "placement_unknown", "没有找到该用工记录", "no such placement", field="placement_id")

    async def build(command_id: str, body: Any) -> commands.Accepted:
        _, when = placement_steps.life_of(placement, now)  # issue 23: not before the start (the clock alone)
        placement_steps.refuse(placement_life.known_refusal("no_show", "", when, now))
        record = records.MarkNoShow(
            id=command_id,
            at=now,
            market_id=placement["market_id"],
            county=placement["county"],
            placement_id=placement_id,
            employer_id=principal.subject_id,
        )
        answer = {"placement_id": placement_id, "status": "accepted", "command_id": command_id}
        return commands.Accepted(
            settings.topic(topics.MARKET_COMMANDS), placement["market_id"].encode(), record, answer
        )

    return await commands.accept(request, principal, build)


NO_SHOW = Operation(
    "POST",
    "/api/v1/placements/{placement_id}/no-show",
    "no_show",
    "Report that a placed worker did not arrive (the employer); the next worker is offered",
    handler=post_no_show,
    roles=("employer",),
    request=EmptyBody,
    response=PlacementCommandAccepted,
    command=True,
    not_found=True,
    tags=("market",),
    extra_statuses=(409,),
)


async def _own_request(request: web.Request, employer_id: str, request_id: str) -> dict[str, Any]:
    prefix = request.app[SETTINGS].topic_prefix
    view = public(load(await request.app[REDIS].get(keys.job_request(prefix, request_id))))
    if view is None or view.get("employer_id") != employer_id:
        raise ApiError(404, "job_request_unknown", "没有找到该招工需求", "no such job request", field="request_id")
    return view


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    JOB_REQUESTS,
    JOB_REQUEST,
    JOB_REQUEST_CANCEL,
    JOB_REQUEST_REOPEN,
    JOB_REQUEST_HEADCOUNT,
    NO_SHOW,
)
