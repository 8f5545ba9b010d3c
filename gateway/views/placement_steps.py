"""Steps of a started placement (issue 6): the employer records arrival, completion and the wage paid; the
worker (their phone page, signed in for the check-in) confirms the wage received.

``POST /api/v1/placements/{placement_id}/steps`` with ``{"step": ...}``: the accept-a-command flow of
:mod:`gateway.commands`, published to ``market-commands`` keyed by the placement's market. The market agent
checks ownership and order and emits ``placement_step_recorded`` (or a refusal); the ticket, placement and
job-request views then carry the steps.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import records, topics
from services.errors import FieldError, InvalidInput
from services.readmodels import keys
from services.readmodels.views import load

WORKER_STEPS = ("wage_received",)


async def post_placement_step(request: web.Request) -> web.Response:
    principal = await authenticate(request, "employer", "worker")
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    placement_id = request.match_info["placement_id"]
    placement = load(await request.app[REDIS].get(keys.placement(settings.topic_prefix, placement_id)))
    mine = placement is not None and (
        placement.get("employer_id") == principal.subject_id
        if principal.role == "employer"
        else placement.get("checkin_id") == principal.subject_id
    )
    if placement is None or not mine:
        raise ApiError(404, "placement_unknown", "没有找到该用工记录", "no such placement", field="placement_id")

    async def build(command_id: str, body: Any) -> commands.Accepted:
        step = body.get("step") if isinstance(body, dict) else None
        allowed = WORKER_STEPS if principal.role == "worker" else records.EMPLOYER_STEPS
        if step not in allowed:
            raise InvalidInput(
                FieldError(
                    "step",
                    "step_choice",
                    "步骤应为：" + "、".join(allowed),
                    "step must be one of: " + ", ".join(allowed),
                )
            )
        record = records.RecordPlacementStep(
            id=command_id,
            at=now,
            market_id=placement["market_id"],
            county=placement["county"],
            placement_id=placement_id,
            step=step,
            employer_id=principal.subject_id if principal.role == "employer" else "",
            checkin_id=principal.subject_id if principal.role == "worker" else "",
        )
        answer = {"placement_id": placement_id, "status": "accepted"}
        return commands.Accepted(
            settings.topic(topics.MARKET_COMMANDS), placement["market_id"].encode(), record, answer
        )

    return await commands.accept(request, principal, build)
