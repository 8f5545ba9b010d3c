"""Registered job seekers (issue 27): the county staff's JSON API and the kiosk's self-service registration.

Writes follow the accept-a-command flow of :mod:`gateway.commands`: validated here, published to
``jobseeker-commands`` keyed by the county, answered ``202`` with the command's status URL once Kafka has it.
What depends on the registration's state (handled once, services only while confirmed, one live registration
per person and county) is decided by the county's single writer; its verdict appears at the status URL.

The ID number is pseudonymised and masked here, in memory; only the pseudonym and the masked number are sent on.
County officers act on and read their own county; the city administrator every county.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate, require_county
from gateway.operation import Handler, Operation, Param, declared_roles
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, PUBLISHER, REDIS, SETTINGS
from gateway.wire.common import CountyCode, EmptyBody
from gateway.wire.jobseekers import (
    JobseekerBody,
    JobseekerCommandAccepted,
    JobseekerCommandOutcome,
    JobseekerEndBody,
    JobseekerRefuseBody,
    JobseekerRegistrationAccepted,
    JobseekerServiceBody,
    JobseekerToldBody,
)
from services import clock, geography, records, topics
from services.errors import FieldError, InvalidInput
from services.forms import parse_county
from services.jobseekers import forms, recommend
from services.jobseekers import records as js
from services.people import access, identity
from services.people.principal import Principal
from services.readmodels import jobseeker_views
from services.readmodels import supply_views as sv
from services.readmodels.views import View, load, public


async def post_jobseeker(request: web.Request) -> web.Response:
    """``POST /api/v1/jobseekers`` (officer, or a kiosk for self-service): register a job seeker; 202."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    today = clock.local_date(now)
    kiosk = principal.role == "kiosk"
    market = geography.MARKETS_BY_ID.get(principal.market_id or "") if kiosk else None
    if kiosk and market is None:
        raise ApiError(403, "kiosk_without_market", "该终端未绑定市场", "this kiosk has no market")
    own = market.county if market is not None else None

    async def build(command_id: str, body: Any) -> commands.Accepted:
        form = forms.parse_registration(body, today=today)
        if kiosk:
            if form.county != own:
                raise ApiError(403, "county_out_of_scope", "本终端只能办理本县登记", "this kiosk registers here only")
        else:
            require_county(principal, form.county)
        person = identity.pseudonymise(form.resident, settings.pseudonym_key)
        masked = identity.mask_id_number(form.resident.number)
        record = js.RegisterJobseeker(
            id=command_id,
            at=now,
            county=form.county,
            person=person,
            person_masked=masked,
            kind=form.kind,
            channel="kiosk" if kiosk else "staff",
            officer_id=None if kiosk else principal.subject_id,
            registered_on=today if kiosk else form.registered_on,
            trades=form.trades,
            category=form.category,
            willing_elsewhere=form.willing_elsewhere,
            graduate=form.graduate,
            groups=form.groups,
            min_day_wage=form.min_day_wage,
        )
        answer = _answer(request, command_id, command_id, form.county)
        answer["person_masked"] = masked
        return commands.Accepted(settings.topic(topics.JOBSEEKER_COMMANDS), form.county.encode(), record, answer)

    return await commands.accept(request, principal, build)


JOBSEEKERS = Operation(
    "POST",
    "/api/v1/jobseekers",
    "jobseekers",
    "Register a job seeker (county officer: confirmed at once; kiosk: awaiting staff)",
    handler=post_jobseeker,
    roles=(
        "officer",
        "kiosk",
    ),
    request=JobseekerBody,
    response=JobseekerRegistrationAccepted,
    command=True,
    tags=("jobseekers",),
)


def _on_registration(make: Any) -> Any:
    """A handler for ``POST /api/v1/jobseekers/{registration_id}/…`` (officer of its county): 404, then accept."""

    async def handler(request: web.Request) -> web.Response:
        principal = await authenticate(request, *declared_roles(request))
        settings = request.app[SETTINGS]
        now = request.app[CLOCK]()
        page = await _page_or_404(request)
        county = page["county"]
        require_county(principal, county)
        registration_id = page["registration_id"]

        async def build(command_id: str, body: Any) -> commands.Accepted:
            head = {"id": command_id, "at": now, "county": county, "registration_id": registration_id}
            record = make(head, body, principal)
            return commands.Accepted(
                settings.topic(topics.JOBSEEKER_COMMANDS),
                county.encode(),
                record,
                _answer(request, command_id, registration_id, county),
            )

        return await commands.accept(request, principal, build)

    return handler


#: The registration a path names (its registration command's id).
REGISTRATION_ID = Param("registration_id", str, where="path", description="a registration id (its command id)")


def _action(path: str, name: str, summary: str, handler: Handler, request: Any) -> Operation:
    """The declaration of an officer's command on one registration."""
    return Operation(
        "POST",
        f"/api/v1/jobseekers/{{registration_id}}/{path}",
        name,
        summary,
        handler=handler,
        roles=("officer",),
        request=request,
        response=JobseekerCommandAccepted,
        command=True,
        not_found=True,
        tags=("jobseekers",),
        params=(REGISTRATION_ID,),
    )


post_confirm = _on_registration(lambda head, body, p: js.ConfirmRegistration(**head, officer_id=p.subject_id))
JOBSEEKER_CONFIRM = _action(
    "confirm", "jobseeker_confirm", "Confirm a self-service registration (officer)", post_confirm, EmptyBody
)
post_refuse = _on_registration(
    lambda head, body, p: js.RefuseRegistration(**head, officer_id=p.subject_id, reason=forms.parse_refusal(body))
)
JOBSEEKER_REFUSE = _action(
    "refuse", "jobseeker_refuse", "Refuse a self-service registration (officer)", post_refuse, JobseekerRefuseBody
)
post_end = _on_registration(
    lambda head, body, p: js.EndRegistration(**head, officer_id=p.subject_id, reason=forms.parse_end(body))
)
JOBSEEKER_END = _action(
    "end", "jobseeker_end", "End a registration: placed, moved away, withdrawn", post_end, JobseekerEndBody
)


def _service(head: dict[str, Any], body: Any, principal: Principal) -> js.RecordService:
    service, note = forms.parse_service(body)
    return js.RecordService(**head, officer_id=principal.subject_id, service=service, note=note)


post_service = _on_registration(_service)
JOBSEEKER_SERVICES = _action(
    "services",
    "jobseeker_services",
    "Record a service delivered: briefing, guidance, training…",
    post_service,
    JobseekerServiceBody,
)


async def get_jobseeker(request: web.Request) -> web.Response:
    """``GET /api/v1/jobseekers/{registration_id}`` (officer of its county): the person's page, masked."""
    principal = await authenticate(request, *declared_roles(request))
    page = await _page_or_404(request)
    require_county(principal, page["county"])
    return web.json_response(public(page), dumps=dumps)


JOBSEEKER = Operation(
    "GET",
    "/api/v1/jobseekers/{registration_id}",
    "jobseeker",
    "A registered person's page: grade, category, obligations and their history; masked ID only",
    handler=get_jobseeker,
    roles=("officer",),
    not_found=True,
    tags=("jobseekers",),
    params=(REGISTRATION_ID,),
)


async def get_board(request: web.Request) -> web.Response:
    """``GET /api/v1/jobseekers?county=`` (officer: own county; admin: any, default all): due today, overdue, done."""
    principal = await authenticate(request, *declared_roles(request))
    unknown = sorted(set(request.query) - {"county"})
    if unknown:
        raise InvalidInput(
            FieldError(
                unknown[0],
                "parameter_unknown",
                "不认识的查询参数（只有 county）",
                "unknown query parameter (only county)",
            )
        )
    raw = request.query.get("county")
    if raw is not None:
        counties = [parse_county(raw)]
        require_county(principal, counties[0])
    else:
        counties = access.visible(principal.viewer, [c.code for c in geography.COUNTIES])
    prefix = request.app[SETTINGS].topic_prefix
    today = clock.local_date(request.app[CLOCK]())
    values = await request.app[REDIS].mget([jobseeker_views.board_key(prefix, c) for c in counties])
    boards: list[View] = []
    for county, value in zip(counties, values, strict=True):
        board = jobseeker_views.compose_board(load(value), today)
        county_info = geography.COUNTIES_BY_CODE[county]
        boards.append({**board, "county": county, "county_zh": county_info.name_zh})
    return web.json_response({"today": today.isoformat(), "boards": boards}, dumps=dumps)


JOBSEEKER_BOARD = Operation(
    "GET",
    "/api/v1/jobseekers",
    "jobseeker_board",
    "The county board of registered job seekers on today's local date: due today, overdue, done, awaiting",
    handler=get_board,
    roles=("officer",),
    tags=("jobseekers",),
    params=(Param("county", CountyCode, checked=True, description="only this county (an officer: their own)"),),
    description="Answer: ``{today, boards: [{county, county_zh, today, due_today, overdue, done, upcoming, "
    "awaiting}]}``; rows name the registration and the masked ID number only.",
)


async def get_command(request: web.Request) -> web.Response:
    """``GET /api/v1/jobseeker-commands/{command_id}``: ``applied``, or ``refused`` with the rule, once decided."""
    prefix = request.app[SETTINGS].topic_prefix
    raw = await request.app[REDIS].get(jobseeker_views.command_key(prefix, request.match_info["command_id"]))
    view = public(load(raw))
    if view is None:
        raise ApiError(
            404,
            "jobseeker_command_unknown",
            "没有找到该操作的处理结果（刚提交的操作可能需要一两秒才显示）",
            "no outcome for this command yet (one just sent may take a second to appear)",
            field="command_id",
        )
    return web.json_response(view, dumps=dumps)


JOBSEEKER_COMMAND = Operation(
    "GET",
    "/api/v1/jobseeker-commands/{command_id}",
    "jobseeker_command",
    "What became of a job-seeker command: applied, or refused with the rule",
    handler=get_command,
    response=JobseekerCommandOutcome,
    not_found=True,
    tags=("jobseekers",),
    description="404 ``jobseeker_command_unknown`` until the agent has decided (a second or two).",
)


def _answer(request: web.Request, command_id: str, registration_id: str, county: str) -> dict[str, Any]:
    router = request.app.router
    return {
        "command_id": command_id,
        "registration_id": registration_id,
        "county": county,
        "status": "accepted",
        "status_url": str(router["jobseeker_command"].url_for(command_id=command_id)),
        "registration_url": str(router["jobseeker"].url_for(registration_id=registration_id)),
    }


async def _page_or_404(request: web.Request) -> View:
    prefix = request.app[SETTINGS].topic_prefix
    raw = await request.app[REDIS].get(jobseeker_views.person_key(prefix, request.match_info["registration_id"]))
    page = load(raw)
    if page is None:
        raise ApiError(
            404,
            "registration_unknown",
            "没有找到该登记（刚提交的登记可能需要一两秒才显示）",
            "no such registration (one just made may take a second to appear)",
            field="registration_id",
        )
    return page


# ---------------------------------------------------------------- recommendations from the matcher (附件4 (十一))


async def recommendations_for(request: web.Request, page: View) -> list[recommend.Recommendation]:
    """The jobs the matcher recommends now to the person of ``page`` (:mod:`services.jobseekers.recommend`), from
    the live job supply list (gig requests of today and later, fairs not ended)."""
    prefix = request.app[SETTINGS].topic_prefix
    now = request.app[CLOCK]()
    gig_keys, fair_keys = sv.supply_sources(prefix)
    live = [load(v) for v in await request.app[REDIS].mget([*gig_keys, *fair_keys])]
    grace = timedelta(minutes=request.app[SETTINGS].late_start_grace_minutes)
    rows = sv.rows(live[: len(gig_keys)], live[len(gig_keys) :], now, grace)
    return recommend.recommend(recommend.Seeker.from_page(page), rows, clock.local_date(now))


async def record_seen(request: web.Request, page: View, job_refs: list[str], channel: js.SeenChannel) -> list[str]:
    """Publish that the person of ``page`` saw ``job_refs`` (one command per job; its id derives from the
    registration and the job, so seeing it again is the same command, and the county's writer counts a job once
    anyway). Returns the command ids. Only for a confirmed registration: an unconfirmed one has nothing to count."""
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    county = str(page["county"])
    registration_id = str(page["registration_id"])
    sent: list[str] = []
    for ref in job_refs:
        command = js.RecordRecommendationSeen(
            id=records.derived_id("jobseeker-seen", registration_id, ref, channel),
            at=now,
            county=county,
            registration_id=registration_id,
            job_ref=ref,
            channel=channel,
        )
        await request.app[PUBLISHER].publish(
            settings.topic(topics.JOBSEEKER_COMMANDS), county.encode(), js.encode(command)
        )
        sent.append(command.id)
    return sent


async def get_recommendations(request: web.Request) -> web.Response:
    """``GET /api/v1/jobseekers/{registration_id}/recommendations`` (officer of its county): what the matcher
    recommends now, each with its reason (zh, en) and how to apply; reading it records nothing."""
    principal = await authenticate(request, *declared_roles(request))
    page = await _page_or_404(request)
    require_county(principal, page["county"])
    found = await recommendations_for(request, page)
    return web.json_response(
        {"registration_id": page["registration_id"], "recommendations": [r.as_view() for r in found]}, dumps=dumps
    )


def _told(head: dict[str, Any], body: Any, principal: Principal) -> js.RecordRecommendationSeen:
    return js.RecordRecommendationSeen(**head, job_ref=forms.parse_job_ref(body), channel="staff_phone")


JOBSEEKER_RECOMMENDATIONS = Operation(
    "GET",
    "/api/v1/jobseekers/{registration_id}/recommendations",
    "jobseeker_recommendations",
    "The jobs the matcher recommends now to a registered person, each with its reason (zh, en)",
    handler=get_recommendations,
    roles=("officer",),
    not_found=True,
    tags=("jobseekers",),
    params=(REGISTRATION_ID,),
    description="Answer: ``{registration_id, recommendations: [{job_ref, kind, trade, employer, where_zh, "
    "wage, date, start, reason_zh, reason_en, how_zh, how_en, ...}]}``: same-day jobs at the person's county's "
    "markets, later postings and fair positions in their trades paying at least what they ask. Reading it "
    "records nothing; the kiosk records what the person saw.",
)

#: ``POST /api/v1/jobseekers/{registration_id}/recommendations-told`` ``{job_ref}``: staff told the person of a
#: recommended job by phone; it counts like one seen at the kiosk (once per job).
post_told = _on_registration(_told)
JOBSEEKER_TOLD = _action(
    "recommendations-told",
    "jobseeker_told",
    "Staff told the person of a recommended job by phone (counts as a recommendation seen)",
    post_told,
    JobseekerToldBody,
)


async def overdue_alerts(request: web.Request) -> list[View]:
    """The dashboard's alerts of overdue obligations, one per county with any (the caller scopes by county)."""
    prefix = request.app[SETTINGS].topic_prefix
    codes = [c.code for c in geography.COUNTIES]
    values = await request.app[REDIS].mget([jobseeker_views.board_key(prefix, c) for c in codes])
    return jobseeker_views.overdue_alerts({c: load(v) for c, v in zip(codes, values, strict=True)})


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    JOBSEEKERS,
    JOBSEEKER_BOARD,
    JOBSEEKER,
    JOBSEEKER_CONFIRM,
    JOBSEEKER_REFUSE,
    JOBSEEKER_END,
    JOBSEEKER_SERVICES,
    JOBSEEKER_COMMAND,
    JOBSEEKER_RECOMMENDATIONS,
    JOBSEEKER_TOLD,
)
