"""A worker answers an offer (accept or decline) at the kiosk of the offer's market."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import commands
from gateway.auth import authenticate
from gateway.operation import Operation, declared_roles
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.wire.market import OfferAnswerAccepted, OfferAnswerBody
from services import topics
from services.errors import FieldError, InvalidInput
from services.market import records
from services.people.principal import Principal
from services.readmodels import keys
from services.readmodels.views import load


async def post_offer_answer(request: web.Request) -> web.Response:
    """``POST /api/v1/offers/{offer_id}/answer`` with ``{"answer": "accept" | "decline"}`` (the kiosk of the
    offer's market, or the worker's phone signed in for the offer's check-in — see web/worker.py)."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    offer_id = request.match_info["offer_id"]
    offer = load(await request.app[REDIS].get(keys.offer(settings.topic_prefix, offer_id)))
    if offer is None or offer.get("market_id") != principal.market_id or not _may_answer(principal, offer):
        raise ApiError(404, "offer_unknown", "没有找到该工作邀请", "no such offer", field="offer_id")

    async def build(command_id: str, body: Any) -> commands.Accepted:
        answer = body.get("answer") if isinstance(body, dict) else None
        if answer not in ("accept", "decline"):
            raise InvalidInput(
                FieldError("answer", "answer_choice", "请选择接受或拒绝", "answer must be accept or decline")
            )
        record = records.AnswerOffer(
            id=command_id,
            at=now,
            market_id=offer["market_id"],
            county=offer["county"],
            offer_id=offer_id,
            checkin_id=offer["checkin_id"],
            answer=answer,
        )
        reply = {
            "offer_id": offer_id,
            "answer": answer,
            "status": "accepted",
            "status_url": str(request.app.router["checkin"].url_for(checkin_id=offer["checkin_id"])),
        }
        return commands.Accepted(settings.topic(topics.MARKET_COMMANDS), offer["market_id"].encode(), record, reply)

    return await commands.accept(request, principal, build)


OFFER_ANSWER = Operation(
    "POST",
    "/api/v1/offers/{offer_id}/answer",
    "offer_answer",
    "Accept or decline an offer (kiosk of the offer's market)",
    handler=post_offer_answer,
    roles=("kiosk",),
    request=OfferAnswerBody,
    response=OfferAnswerAccepted,
    command=True,
    not_found=True,
    tags=("market",),
    page_roles=("worker",),
)


def _may_answer(principal: Principal, offer: dict[str, Any]) -> bool:
    """A kiosk answers any offer of its market; a worker's phone only the offers of its own check-in."""
    return principal.role != "worker" or offer.get("checkin_id") == principal.subject_id


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (OFFER_ANSWER,)
