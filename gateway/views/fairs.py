"""Job fairs: the organiser's JSON API, the fair views, and the quota board for county and city staff.

Writes follow the accept-a-command flow of :mod:`gateway.commands`: validated here, published to
``fair-commands`` keyed by the fair's quota scope, answered ``202`` with the command's status URL once Kafka
has it. What depends on the fair's state (attendance before a hire, a person counted once, no change to a fair
already held) is decided by the scope's single writer; its verdict appears at the status URL as ``applied``
or ``refused`` with the rule, in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate, require_county
from gateway.operation import Operation, Param, declared_roles, links_to
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.wire.common import EmptyBody, IsoWeek, Month, QuotaRule, Scope
from gateway.wire.fairs import (
    CreditCodeBody,
    FairAttendanceBody,
    FairCancelBody,
    FairCommandAccepted,
    FairCommandOutcome,
    FairEmployerBody,
    FairHireBody,
    FairIntentBody,
    FairList,
    FairPersonAccepted,
    FairRescheduleBody,
    FairScheduleBody,
    FairView,
    QuotaBoard,
    QuotaPolicyAccepted,
    QuotaPolicyBody,
)
from services import topics
from services.errors import FieldError, InvalidInput
from services.fairs import forms as fair_forms
from services.fairs import quotas
from services.fairs import records as fair_records
from services.people import access
from services.people.principal import Principal
from services.readmodels import fair_views
from services.readmodels.views import View, load, public
from services.reports import periods

MakeRecord = Callable[[str, Any, View, datetime, Principal], fair_records.FairRecord]


async def post_fair(request: web.Request) -> web.Response:
    """``POST /api/v1/fairs`` (organiser): schedule a fair; 202 with ``fair_id`` and the status URL."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()

    async def build(command_id: str, body: Any) -> commands.Accepted:
        form = fair_forms.parse_schedule(body, now=now)
        require_county(principal, form.scope)
        record = fair_records.ScheduleFair(
            id=command_id,
            at=now,
            county=form.scope,
            fair_id=command_id,
            organiser_id=principal.subject_id,
            level=form.level,
            kind=form.kind,
            title=form.title,
            venue=form.venue,
            venue_county=form.county,
            starts_at=form.times.starts_at,
            ends_at=form.times.ends_at,
            capacity=form.capacity,
        )
        return commands.Accepted(
            settings.topic(topics.FAIR_COMMANDS),
            form.scope.encode(),
            record,
            _answer(request, command_id, command_id, scope=form.scope),
        )

    return await commands.accept(request, principal, build)


#: The commands a new fair's id leads to (links of its 202: a command's answer leads to the commands on what it
#: names, not to reads of it, which find it only once its agent applied it).
FAIR_ACTIONS = (
    "fair_publish",
    "fair_employers",
    "fair_reschedule",
    "fair_cancel",
    "fair_attendance",
    "fair_employer_attendance",
    "fair_intents",
    "fair_hires",
)
FAIRS = Operation(
    "POST",
    "/api/v1/fairs",
    "fairs",
    "Schedule a job fair (organiser)",
    handler=post_fair,
    roles=("organiser",),
    request=FairScheduleBody,
    response=FairCommandAccepted,
    command=True,
    tags=("fairs",),
    links=links_to("fair_id", *FAIR_ACTIONS),
)


def _employer(command_id: str, body: Any, fair: View, now: datetime, _: Principal) -> fair_records.FairRecord:
    form = fair_forms.parse_employer(body)
    return fair_records.RegisterFairEmployer(
        **_head(command_id, fair, now),
        employer_id=form.credit_code,
        employer_name=form.name,
        booth=form.booth,
        positions=form.positions,
    )


def _publish(command_id: str, body: Any, fair: View, now: datetime, _: Principal) -> fair_records.FairRecord:
    return fair_records.PublishFair(**_head(command_id, fair, now))


def _reschedule(command_id: str, body: Any, fair: View, now: datetime, _: Principal) -> fair_records.FairRecord:
    times, venue = fair_forms.parse_reschedule(body, now=now)
    return fair_records.RescheduleFair(
        **_head(command_id, fair, now), starts_at=times.starts_at, ends_at=times.ends_at, venue=venue
    )


def _cancel(command_id: str, body: Any, fair: View, now: datetime, _: Principal) -> fair_records.FairRecord:
    return fair_records.CancelFair(**_head(command_id, fair, now), reason=fair_forms.parse_cancel(body))


def _employer_attendance(
    command_id: str, body: Any, fair: View, now: datetime, _: Principal
) -> fair_records.FairRecord:
    return fair_records.RecordEmployerAttendance(
        **_head(command_id, fair, now), employer_id=fair_forms.parse_credit_code_body(body)
    )


def _person_maker(kind: str, key: bytes) -> MakeRecord:
    def make(command_id: str, body: Any, fair: View, now: datetime, _: Principal) -> fair_records.FairRecord:
        form = fair_forms.parse_person(
            body, now=now, with_employer=kind != "attendance", with_wage=kind == "hire", pseudonym_key=key
        )
        worker, masked = form.worker(key)
        head = _head(command_id, fair, now)
        if kind == "attendance":
            return fair_records.RecordAttendance(**head, worker=worker, worker_masked=masked)
        if kind == "intent":
            return fair_records.RecordIntent(
                **head, worker=worker, worker_masked=masked, employer_id=form.credit_code, trade=form.trade
            )
        return fair_records.RecordHire(
            **head,
            worker=worker,
            worker_masked=masked,
            employer_id=form.credit_code,
            trade=form.trade,
            wage=form.wage,
            wage_unit=form.wage_unit,
        )

    return make


def _on_fair(make: Callable[[web.Request], MakeRecord]) -> Callable[[web.Request], Any]:
    """A handler for ``POST /api/v1/fairs/{fair_id}/…`` (organiser): 404 for an unknown fair, then accept."""

    async def handler(request: web.Request) -> web.Response:
        principal = await authenticate(request, *declared_roles(request))
        settings = request.app[SETTINGS]
        now = request.app[CLOCK]()
        fair = await _fair_or_404(request)
        require_county(principal, fair["scope"])
        maker = make(request)

        async def build(command_id: str, body: Any) -> commands.Accepted:
            record = maker(command_id, body, fair, now, principal)
            answer = _answer(request, command_id, fair["fair_id"], scope=fair["scope"])
            if isinstance(record, fair_records.RecordAttendance | fair_records.RecordIntent | fair_records.RecordHire):
                answer["worker_masked"] = record.worker_masked
            return commands.Accepted(settings.topic(topics.FAIR_COMMANDS), fair["scope"].encode(), record, answer)

        return await commands.accept(request, principal, build)

    return handler


post_fair_employer = _on_fair(lambda _: _employer)


FAIR_EMPLOYERS = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/employers",
    "fair_employers",
    "Register an employer's booth and positions at a fair (organiser)",
    handler=post_fair_employer,
    roles=("organiser",),
    request=FairEmployerBody,
    response=FairCommandAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_publish = _on_fair(lambda _: _publish)


FAIR_PUBLISH = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/publish",
    "fair_publish",
    "Publish a fair (organiser)",
    handler=post_fair_publish,
    roles=("organiser",),
    request=EmptyBody,
    response=FairCommandAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_reschedule = _on_fair(lambda _: _reschedule)


FAIR_RESCHEDULE = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/reschedule",
    "fair_reschedule",
    "Move a fair that has not been held to new dates, times or venue (organiser)",
    handler=post_fair_reschedule,
    roles=("organiser",),
    request=FairRescheduleBody,
    response=FairCommandAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_cancel = _on_fair(lambda _: _cancel)


FAIR_CANCEL = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/cancel",
    "fair_cancel",
    "Cancel a fair that has not been held (organiser)",
    handler=post_fair_cancel,
    roles=("organiser",),
    request=FairCancelBody,
    response=FairCommandAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_employer_attendance = _on_fair(lambda _: _employer_attendance)


FAIR_EMPLOYER_ATTENDANCE = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/employer-attendance",
    "fair_employer_attendance",
    "Record that a registered employer attended a fair (organiser)",
    handler=post_fair_employer_attendance,
    roles=("organiser",),
    request=CreditCodeBody,
    response=FairCommandAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_attendance = _on_fair(lambda r: _person_maker("attendance", r.app[SETTINGS].pseudonym_key))


FAIR_ATTENDANCE = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/attendance",
    "fair_attendance",
    "Record that a job seeker attended a fair, on its local dates (organiser); counted once",
    handler=post_fair_attendance,
    roles=("organiser",),
    request=FairAttendanceBody,
    response=FairPersonAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_intent = _on_fair(lambda r: _person_maker("intent", r.app[SETTINGS].pseudonym_key))


FAIR_INTENTS = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/intents",
    "fair_intents",
    "Record a job seeker's intent with an employer at a fair (organiser); needs their attendance",
    handler=post_fair_intent,
    roles=("organiser",),
    request=FairIntentBody,
    response=FairPersonAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)
post_fair_hire = _on_fair(lambda r: _person_maker("hire", r.app[SETTINGS].pseudonym_key))


FAIR_HIRES = Operation(
    "POST",
    "/api/v1/fairs/{fair_id}/hires",
    "fair_hires",
    "Record a hire at a fair, a placement for reporting (organiser); needs the seeker's attendance",
    handler=post_fair_hire,
    roles=("organiser",),
    request=FairHireBody,
    response=FairPersonAccepted,
    command=True,
    not_found=True,
    tags=("fairs",),
)


async def get_fair(request: web.Request) -> web.Response:
    """``GET /api/v1/fairs/{fair_id}``: the fair, its booths and positions, its counts; no personal data."""
    return web.json_response(public(await _fair_or_404(request)), dumps=dumps)


FAIR = Operation(
    "GET",
    "/api/v1/fairs/{fair_id}",
    "fair",
    "A fair: its booths, positions and counts (no personal data)",
    handler=get_fair,
    response=FairView,
    not_found=True,
    tags=("fairs",),
)


async def get_fairs(request: web.Request) -> web.Response:
    """``GET /api/v1/fairs?county=&week=&month=``: the fairs of one scope or of all, by date."""
    scopes = _scopes(request.query.get("county"))
    prefix = request.app[SETTINGS].topic_prefix
    values = await request.app[REDIS].mget([fair_views.fair_index_key(prefix, s) for s in scopes])
    found: list[View] = []
    for scope, raw in zip(scopes, values, strict=True):
        index = load(raw) or {}
        found.extend({**entry, "scope": scope} for entry in index.get("fairs", {}).values())
    week, month = _period_code(request, "week"), _period_code(request, "month")
    chosen = [e for e in found if (week is None or e["week"] == week) and (month is None or e["month"] == month)]
    return web.json_response({"fairs": sorted(chosen, key=lambda e: (e["starts_at"], e["fair_id"]))}, dumps=dumps)


FAIR_LIST = Operation(
    "GET",
    "/api/v1/fairs",
    "fair_list",
    "The fairs of one quota scope, or of all, by start time; filtered by ISO week or month",
    handler=get_fairs,
    response=FairList,
    tags=("fairs",),
    params=(
        Param("county", Scope, checked=True, description="a quota scope; all scopes if left out"),
        Param("week", IsoWeek, checked=True, description="only fairs starting in this ISO week"),
        Param("month", Month, checked=True, description="only fairs starting in this month"),
    ),
)


def _period_code(request: web.Request, kind: periods.Kind) -> str | None:
    """The query's ``week`` or ``month``, checked as the document's pattern says (422 ``period_format``)."""
    raw = request.query.get(kind)
    return None if raw is None else periods.parse_period(kind, raw, kind).code


async def get_fair_command(request: web.Request) -> web.Response:
    """``GET /api/v1/fair-commands/{command_id}``: ``applied``, or ``refused`` with the rule, once decided."""
    prefix = request.app[SETTINGS].topic_prefix
    raw = await request.app[REDIS].get(fair_views.fair_command_key(prefix, request.match_info["command_id"]))
    view = public(load(raw))
    if view is None:
        raise ApiError(
            404,
            "fair_command_unknown",
            "没有找到该操作的处理结果（刚提交的操作可能需要一两秒才显示）",
            "no outcome for this command yet (one just sent may take a second to appear)",
            field="command_id",
        )
    return web.json_response(view, dumps=dumps)


FAIR_COMMAND = Operation(
    "GET",
    "/api/v1/fair-commands/{command_id}",
    "fair_command",
    "What became of a fair or quota command: applied, or refused with the rule",
    handler=get_fair_command,
    response=FairCommandOutcome,
    not_found=True,
    tags=("fairs",),
    description="404 ``fair_command_unknown`` until the agent has decided (a second or two).",
)


async def get_quotas(request: web.Request) -> web.Response:
    """``GET /api/v1/quotas?county=&rule=&period=`` (organiser or officer): the quota board with progress."""
    principal = await authenticate(request, *declared_roles(request))
    query = request.query
    scope = fair_forms.parse_scope(query["county"], "county") if "county" in query else None
    if scope is not None:
        require_county(principal, scope)
    rule = query.get("rule")
    if rule is not None and rule not in quotas.RULES_BY_CODE:
        raise InvalidInput(
            FieldError(
                "rule",
                "rule_unknown",
                f"未知的指标，应为：{'、'.join(quotas.RULES_BY_CODE)}",
                f"rule must be one of {', '.join(quotas.RULES_BY_CODE)}",
            )
        )
    prefix = request.app[SETTINGS].topic_prefix
    redis = request.app[REDIS]
    names = [
        fair_views.quota_board_key(prefix),
        *(fair_views.fair_index_key(prefix, s) for s in quotas.SCOPES),
    ]
    raw = await redis.mget(names)
    board = load(raw[0])
    indexes = {s: load(v) for s, v in zip(quotas.SCOPES, raw[1:], strict=True)}
    selection = {"scope": scope, "rule": rule, "period": query.get("period")}
    ids = fair_views.board_fair_ids(board, indexes, **selection)
    fairs: dict[str, View | None] = {}
    if ids:
        values = await redis.mget([fair_views.fair_key(prefix, i) for i in ids])
        fairs = {i: load(v) for i, v in zip(ids, values, strict=True)}
    composed = fair_views.compose_board(board, indexes, fairs, **selection)
    return web.json_response(_scoped_board(principal, composed), dumps=dumps)


QUOTAS = Operation(
    "GET",
    "/api/v1/quotas",
    "quotas",
    "The quota board: status per county week and city month, early warnings, weekly targets' progress",
    handler=get_quotas,
    roles=(
        "organiser",
        "officer",
    ),
    response=QuotaBoard,
    tags=("quotas",),
    params=(
        Param("county", Scope, checked=True, description="only this quota scope"),
        Param("rule", QuotaRule, checked=True, description="only this quota rule"),
        Param("period", str, description="only this ISO week (2026-W48) or month (2026-11)"),
    ),
)


def _scoped_board(principal: Principal, board: View) -> View:
    """Only the scopes the principal may read (:func:`services.people.access.may_read`)."""
    viewer = principal.viewer
    return {
        "entries": [e for e in board["entries"] if access.may_read(viewer, e["scope"])],
        "policies": {s: p for s, p in board["policies"].items() if access.may_read(viewer, s)},
    }


async def post_quota_policy(request: web.Request) -> web.Response:
    """``POST /api/v1/quotas/{county}/policy`` (officer): the early-warning moment and weekly targets."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    scope = fair_forms.parse_scope(request.match_info["county"], "county")
    require_county(principal, scope)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        record = fair_records.SetQuotaPolicy(
            id=command_id,
            at=now,
            county=scope,
            officer_id=principal.subject_id,
            policy=fair_forms.parse_policy(body),
        )
        answer = {
            "command_id": command_id,
            "county": scope,
            "status": "accepted",
            "status_url": str(request.app.router["fair_command"].url_for(command_id=command_id)),
        }
        return commands.Accepted(settings.topic(topics.FAIR_COMMANDS), scope.encode(), record, answer)

    return await commands.accept(request, principal, build)


QUOTA_POLICY = Operation(
    "POST",
    "/api/v1/quotas/{county}/policy",
    "quota_policy",
    "Set a quota scope's early-warning moment and weekly targets (officer)",
    handler=post_quota_policy,
    roles=("officer",),
    request=QuotaPolicyBody,
    response=QuotaPolicyAccepted,
    command=True,
    tags=("quotas",),
    params=(Param("county", Scope, where="path", checked=True, description="a quota scope"),),
)


# ---------------------------------------------------------------- helpers


def _head(command_id: str, fair: View, now: datetime) -> dict[str, Any]:
    return {"id": command_id, "at": now, "county": fair["scope"], "fair_id": fair["fair_id"]}


def _answer(request: web.Request, command_id: str, fair_id: str, *, scope: str) -> dict[str, Any]:
    router = request.app.router
    return {
        "command_id": command_id,
        "fair_id": fair_id,
        "county": scope,
        "status": "accepted",
        "status_url": str(router["fair_command"].url_for(command_id=command_id)),
        "fair_url": str(router["fair"].url_for(fair_id=fair_id)),
    }


async def _fair_or_404(request: web.Request) -> View:
    prefix = request.app[SETTINGS].topic_prefix
    raw = await request.app[REDIS].get(fair_views.fair_key(prefix, request.match_info["fair_id"]))
    fair = load(raw)
    if fair is None:
        raise ApiError(
            404,
            "fair_unknown",
            "没有找到该招聘会（刚安排的招聘会可能需要一两秒才显示）",
            "no such fair (a fair just scheduled may take a second to appear)",
            field="fair_id",
        )
    return fair


def _scopes(raw: str | None) -> list[str]:
    return list(quotas.SCOPES) if raw is None else [fair_forms.parse_scope(raw, "county")]


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    FAIRS,
    FAIR_LIST,
    FAIR,
    FAIR_EMPLOYERS,
    FAIR_PUBLISH,
    FAIR_RESCHEDULE,
    FAIR_CANCEL,
    FAIR_ATTENDANCE,
    FAIR_EMPLOYER_ATTENDANCE,
    FAIR_INTENTS,
    FAIR_HIRES,
    FAIR_COMMAND,
    QUOTAS,
    QUOTA_POLICY,
)
