"""Worker check-in at a kiosk, and the check-in's status."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.operation import Operation, declared_roles, links_to
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import trust
from gateway.wire.common import EmptyBody
from gateway.wire.market import CheckInAccepted, CheckInBody, CheckInCommandAccepted, Ticket
from services import clock, geography, topics
from services.market import records
from services.market.checkin import parse_check_in
from services.people import identity
from services.readmodels import keys
from services.readmodels.views import load, public


async def post_checkin(request: web.Request) -> web.Response:
    """``POST /api/v1/checkins`` (kiosk): 202 with the check-in id and status URL once Kafka has it."""
    principal, claimed = await commands.authenticate_command(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()

    async def build(command_id: str, body: Any) -> commands.Accepted:
        market = geography.market(principal.market_id or "")
        _same_market(body, market.market_id)
        form = parse_check_in(body, now=now)
        worker = identity.pseudonymise(form.resident, settings.pseudonym_key)
        # issue 28: more than N no-shows in 30 days: paused for the rest of the day (409 naming the rule)
        await trust.check_in_pause(
            request.app[REDIS], settings.topic_prefix, worker, clock.local_date(now), settings.no_shows_before_pause
        )
        record = records.CheckIn(
            id=command_id,
            at=now,
            market_id=market.market_id,
            county=market.county,
            worker=worker,
            worker_masked=identity.mask_id_number(form.resident.number),
            kiosk_id=principal.subject_id,
            trades=form.trades,
            min_day_wage=form.min_day_wage,
            available_from=form.available_from,
            available_until=form.available_until,
            groups=form.groups,
            certificates=form.certificates,
            willing_to_travel=form.willing_to_travel,
        )
        status_url, page_url = command_paths(command_id)
        answer = {
            "checkin_id": command_id,
            "status": "accepted",
            "status_url": status_url,
            "page_url": page_url,
            "worker_masked": record.worker_masked,
            "market_id": market.market_id,
        }
        # To the roster first (keyed by worker): one active check-in per worker across all markets.
        return commands.Accepted(settings.topic(topics.WORKER_COMMANDS), record.worker.encode(), record, answer)

    return await commands.accept(request, principal, build, claimed)


CHECKINS = Operation(
    "POST",
    "/api/v1/checkins",
    "checkins",
    "Check a worker in for today (kiosk)",
    handler=post_checkin,
    roles=("kiosk",),
    request=CheckInBody,
    response=CheckInAccepted,
    command=True,
    tags=("market",),
    links=links_to("checkin_id", "check_out", "still_waiting"),
)


async def post_check_out(request: web.Request) -> web.Response:
    """``POST /api/v1/checkins/{checkin_id}/check-out`` (kiosk of the check-in's market)."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    checkin_id = request.match_info["checkin_id"]
    ticket = await ticket_view(request.app, checkin_id)
    if ticket is None or ticket.get("market_id") != principal.market_id:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")

    async def build(command_id: str, body: Any) -> commands.Accepted:
        record = records.CheckOut(
            id=command_id,
            at=now,
            market_id=ticket["market_id"],
            county=ticket["county"],
            checkin_id=checkin_id,
        )
        answer = {
            "checkin_id": checkin_id,
            "status": "accepted",
            "status_url": ticket_url(request, checkin_id),
        }
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), ticket["market_id"].encode(), record, answer)

    return await commands.accept(request, principal, build)


CHECK_OUT = Operation(
    "POST",
    "/api/v1/checkins/{checkin_id}/check-out",
    "check_out",
    "Check a worker out (kiosk of the check-in's market)",
    handler=post_check_out,
    roles=("kiosk",),
    request=EmptyBody,
    response=CheckInCommandAccepted,
    command=True,
    not_found=True,
    tags=("market",),
)


def _same_market(body: Any, market_id: str) -> None:
    """A kiosk checks workers in at its own market only: a ``market_id`` in the body must be the token's."""
    claimed = body.get("market_id") if isinstance(body, dict) else None
    if claimed is not None and claimed != market_id:
        raise ApiError(
            403,
            "kiosk_market_mismatch",
            "此自助终端只能为本市场办理登记",
            "this kiosk may check workers in at its own market only",
            field="market_id",
        )


def ticket_url(request: web.Request, checkin_id: str) -> str:
    return str(request.app.router["checkin"].url_for(checkin_id=checkin_id))


def command_paths(command_id: str) -> tuple[str, str]:
    """The status path and the ticket page's path of a new check-in (routes ``checkin`` and ``ticket_page``),
    formatted directly for the id this gateway derived (a UUID: nothing to quote); through the router they
    cost more than the rest of the answer."""
    return f"/api/v1/checkins/{command_id}", f"/tickets/{command_id}"


async def get_checkin(request: web.Request) -> web.Response:
    """``GET /api/v1/checkins/{checkin_id}``: the ticket view (queued, offered, placed, refused), with the
    employer's pay record on an open offer and the worker's cases (issue 28, :func:`trust.with_trust`)."""
    checkin_id = request.match_info["checkin_id"]
    prefix = request.app[SETTINGS].topic_prefix
    full = load(await request.app[REDIS].get(keys.ticket(prefix, checkin_id)))
    if full is None:
        raise ApiError(
            404,
            "checkin_unknown",
            "没有找到这次登记（刚提交的登记可能需要一两秒才显示）",
            "no such check-in (a check-in just sent may take a second to appear)",
            field="checkin_id",
        )
    today = clock.local_date(request.app[CLOCK]())
    return web.json_response(public(await trust.with_trust(request.app[REDIS], prefix, full, today)), dumps=dumps)


CHECKIN = Operation(
    "GET",
    "/api/v1/checkins/{checkin_id}",
    "checkin",
    "A check-in's ticket: queued, offered (with the offer and why), placed, refused",
    handler=get_checkin,
    response=Ticket,
    not_found=True,
    tags=("market",),
)


async def ticket_view(app: web.Application, checkin_id: str) -> dict[str, Any] | None:
    prefix = app[SETTINGS].topic_prefix
    return public(load(await app[REDIS].get(keys.ticket(prefix, checkin_id))))


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    CHECKINS,
    CHECKIN,
    CHECK_OUT,
)
