"""Steps of a started placement (issues 6 and 23): the employer records arrival, completion and the wage paid;
the worker (their phone page, signed in for the check-in) confirms the wage received or reports it unpaid; the
party who recorded a step may correct it within the window.

- ``POST /api/v1/placements/{placement_id}/steps`` with ``{"step": ..., "with_arrival": false}``;
- ``POST /api/v1/placements/{placement_id}/corrections`` with ``{"step": ...}``;
- ``POST /api/v1/placements/{placement_id}/unpaid`` with ``{}`` (the worker's "没拿到工资").

Each is the accept-a-command flow of :mod:`gateway.commands`, published to ``market-commands`` keyed by the
placement's market. A refusal known from the clock alone (:func:`services.market.placement_life.known_refusal`: a step
before an hour ahead of the start, a no-show before the start, "没拿到工资" before the end) is answered 409 with the
rule as ``error`` and the message in Chinese and English, and nothing is published. Every other rule depends on
the steps standing, which the read model may not show yet (a step sent a moment ago): the market decides it with
its own state and clock, and a refusal is a ``command_refused`` fact naming the placement's check-in and request,
projected onto the ticket's job and the request view with the ``command_id`` the 202 answer carries, where the
pages show it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.operation import Operation, declared_roles
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.wire.common import EmptyBody
from gateway.wire.market import PlacementCommandAccepted, PlacementCorrectionBody, PlacementStepBody
from services import clock, topics
from services.errors import FieldError, InvalidInput
from services.market import placement_life, records
from services.people.principal import Principal
from services.readmodels import keys
from services.readmodels.views import View, load
from services.records import Record

WORKER_STEPS = placement_life.WORKER_STEPS


async def _placement(request: web.Request, principal: Principal) -> tuple[str, View]:
    """The placement of the URL when it is the principal's (its employer, or the worker's check-in), else 404."""
    settings = request.app[SETTINGS]
    placement_id = request.match_info["placement_id"]
    placement = load(await request.app[REDIS].get(keys.placement(settings.topic_prefix, placement_id)))
    mine = placement is not None and (
        placement.get("employer_id") == principal.subject_id
        if principal.role == "employer"
        else placement.get("checkin_id") == principal.subject_id
    )
    if placement is None or not mine:
        raise ApiError(404, "placement_unknown", "没有找到该用工记录", "no such placement", field="placement_id")
    return placement_id, placement


def life_of(placement: View, now: datetime) -> tuple[list[str], placement_life.Schedule]:
    """The standing steps and the schedule of a placement's read model (views written before issue 23 carry
    the start as ``HH:MM`` and no day: today's, at ``now``)."""
    start = placement.get("start_minutes")
    if start is None:
        start = clock.parse_hhmm(placement.get("start", "00:00"), "start")
    day = date.fromisoformat(placement["day"]) if placement.get("day") else clock.local_date(now)
    return list(placement.get("steps", [])), placement_life.schedule(day, start, int(placement.get("hours", 0)))


def refuse(refusal: placement_life.Refusal | None) -> None:
    """409 naming the rule, when the rules of :mod:`services.market.placement_life` refuse."""
    if refusal is not None:
        raise ApiError(409, refusal.rule, refusal.message_zh, refusal.message_en)


def _step_of(body: Any, allowed: tuple[str, ...]) -> str:
    step = body.get("step") if isinstance(body, dict) else None
    if step not in allowed:
        raise InvalidInput(
            FieldError(
                "step",
                "step_choice",
                "步骤应为：" + "、".join(allowed),
                "step must be one of: " + ", ".join(allowed),
            )
        )
    return str(step)


def _not_started(placement: View) -> None:
    if placement.get("status") != "started":
        raise ApiError(409, "placement_unknown", "该用工已取消或不存在", "this placement is not active")


class _Who(TypedDict):
    """Who recorded a step: the employer or the worker's check-in (the other one empty)."""

    employer_id: str
    checkin_id: str


def _who(principal: Principal) -> _Who:
    return {
        "employer_id": principal.subject_id if principal.role == "employer" else "",
        "checkin_id": principal.subject_id if principal.role == "worker" else "",
    }


def _accepted(request: web.Request, placement_id: str, placement: View, record: Record) -> commands.Accepted:
    answer = {"placement_id": placement_id, "status": "accepted", "command_id": record.id}
    topic = request.app[SETTINGS].topic(topics.MARKET_COMMANDS)
    return commands.Accepted(topic, placement["market_id"].encode(), record, answer)


async def post_placement_step(request: web.Request) -> web.Response:
    principal = await authenticate(request, *declared_roles(request))
    now = request.app[CLOCK]()
    placement_id, placement = await _placement(request, principal)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        allowed = WORKER_STEPS if principal.role == "worker" else placement_life.EMPLOYER_STEPS
        step = _step_of(body, allowed)
        with_arrival = step == "completed" and isinstance(body, dict) and body.get("with_arrival") is True
        _not_started(placement)
        _, when = life_of(placement, now)
        refuse(placement_life.known_refusal("step", step, when, now, with_arrival=with_arrival))
        record = records.RecordPlacementStep(
            id=command_id,
            at=now,
            market_id=placement["market_id"],
            county=placement["county"],
            placement_id=placement_id,
            step=step,  # type: ignore[arg-type]
            with_arrival=with_arrival,
            **_who(principal),
        )
        return _accepted(request, placement_id, placement, record)

    return await commands.accept(request, principal, build)


PLACEMENT_STEP = Operation(
    "POST",
    "/api/v1/placements/{placement_id}/steps",
    "placement_step",
    "Record a step of a placement: arrival, completion, wage paid (the employer) or wage received (the worker)",
    handler=post_placement_step,
    roles=("employer",),
    description="The worker's step is sent by the worker's phone page (page session + X-CSRF-Token).",
    request=PlacementStepBody,
    response=PlacementCommandAccepted,
    command=True,
    not_found=True,
    tags=("market",),
    extra_statuses=(409,),
    page_roles=("worker",),
)


async def post_correction(request: web.Request) -> web.Response:
    """The party who recorded a step withdraws it within ``step_correction_minutes`` (later steps first): the
    market judges it (the window runs from the step's latest recording, which the read model may not show yet)."""
    principal = await authenticate(request, *declared_roles(request))
    now = request.app[CLOCK]()
    placement_id, placement = await _placement(request, principal)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        allowed = WORKER_STEPS if principal.role == "worker" else placement_life.EMPLOYER_STEPS
        step = _step_of(body, allowed)
        _not_started(placement)
        record = records.CorrectPlacementStep(
            id=command_id,
            at=now,
            market_id=placement["market_id"],
            county=placement["county"],
            placement_id=placement_id,
            step=step,  # type: ignore[arg-type]
            **_who(principal),
        )
        return _accepted(request, placement_id, placement, record)

    return await commands.accept(request, principal, build)


PLACEMENT_CORRECTION = Operation(
    "POST",
    "/api/v1/placements/{placement_id}/corrections",
    "placement_correction",
    "Correct (withdraw) a recorded step within the correction window, by the party who recorded it",
    handler=post_correction,
    roles=("employer",),
    description="A new fact withdraws the step; nothing is deleted. The worker's correction of "
    "``wage_received`` is sent by the phone page (page session + X-CSRF-Token).",
    request=PlacementCorrectionBody,
    response=PlacementCommandAccepted,
    command=True,
    not_found=True,
    tags=("market",),
    extra_statuses=(409,),
    page_roles=("worker",),
)


async def post_unpaid(request: web.Request) -> web.Response:
    """The worker's "没拿到工资" after the scheduled end: a wage dispute for the county's staff."""
    principal = await authenticate(request, *declared_roles(request))
    now = request.app[CLOCK]()
    placement_id, placement = await _placement(request, principal)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        _not_started(placement)
        _, when = life_of(placement, now)
        refuse(placement_life.known_refusal("unpaid", "", when, now))
        record = records.ReportWageUnpaid(
            id=command_id,
            at=now,
            market_id=placement["market_id"],
            county=placement["county"],
            placement_id=placement_id,
            checkin_id=principal.subject_id,
        )
        return _accepted(request, placement_id, placement, record)

    return await commands.accept(request, principal, build)


PLACEMENT_UNPAID = Operation(
    "POST",
    "/api/v1/placements/{placement_id}/unpaid",
    "placement_unpaid",
    'The worker reports "没拿到工资" after the scheduled end: a wage dispute for the county\'s staff',
    handler=post_unpaid,
    description="Sent by the worker's phone page (page session + X-CSRF-Token); 409 before the end or once "
    "the worker confirmed the wage received.",
    request=EmptyBody,
    response=PlacementCommandAccepted,
    command=True,
    not_found=True,
    tags=("market",),
    extra_statuses=(401, 403, 409, 429),
    page_roles=("worker",),
)


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    PLACEMENT_STEP,
    PLACEMENT_CORRECTION,
    PLACEMENT_UNPAID,
)
