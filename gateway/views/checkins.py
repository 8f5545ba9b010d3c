"""Worker check-in at a kiosk, and the check-in's status."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import geography, identity, records, topics
from services.checkin import parse_check_in
from services.readmodels import keys
from services.readmodels.views import load, public


async def post_checkin(request: web.Request) -> web.Response:
    """``POST /api/v1/checkins`` (kiosk): 202 with the check-in id and status URL once Kafka has it."""
    principal = await authenticate(request, "kiosk")
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    market = geography.market(principal.market_id or "")

    async def build(command_id: str, body: Any) -> commands.Accepted:
        form = parse_check_in(body, now=now)
        record = records.CheckIn(
            id=command_id,
            at=now,
            market_id=market.market_id,
            county=market.county,
            worker=identity.pseudonymise(form.resident, settings.pseudonym_key),
            worker_masked=identity.mask_id_number(form.resident.number),
            kiosk_id=principal.subject_id,
            trades=form.trades,
            min_day_wage=form.min_day_wage,
            available_from=form.available_from,
            available_until=form.available_until,
        )
        status_url = str(request.app.router["checkin"].url_for(checkin_id=command_id))
        answer = {
            "checkin_id": command_id,
            "status": "accepted",
            "status_url": status_url,
            "page_url": str(request.app.router["ticket_page"].url_for(checkin_id=command_id)),
            "worker_masked": record.worker_masked,
            "market_id": market.market_id,
        }
        return commands.Accepted(
            settings.topic(topics.MARKET_COMMANDS), market.market_id.encode(), record, answer
        )

    return await commands.accept(request, principal, build)


async def get_checkin(request: web.Request) -> web.Response:
    """``GET /api/v1/checkins/{checkin_id}``: the ticket view (queued, offered, placed, refused)."""
    checkin_id = request.match_info["checkin_id"]
    view = await ticket_view(request.app, checkin_id)
    if view is None:
        raise ApiError(
            404,
            "checkin_unknown",
            "没有找到这次登记（刚提交的登记可能需要一两秒才显示）",
            "no such check-in (a check-in just sent may take a second to appear)",
            field="checkin_id",
        )
    return web.json_response(view, dumps=dumps)


async def ticket_view(app: web.Application, checkin_id: str) -> dict[str, Any] | None:
    prefix = app[SETTINGS].topic_prefix
    return public(load(await app[REDIS].get(keys.ticket(prefix, checkin_id))))
