"""One-time phone links: the kiosk hands a worker a link (and QR code) that signs their phone in to their
own check-in, with the role ``worker`` (subject = the check-in id, never the ID number).

Contract: :func:`issue` stores ``{prefix}phone-link:{sha256(token)}`` → the check-in for
:data:`LINK_TTL_SECONDS`; the token travels only in the URL ``/w/{token}``. :func:`redeem` takes the link
out of Redis atomically (``GETDEL``), so a second opening finds nothing (one-time), and starts a fresh page
session for the worker (the cookie is rotated as at every sign-in).
"""

from __future__ import annotations

import hashlib
import json
import secrets

import segno
from aiohttp import web

from gateway import sessions
from gateway.auth import Principal
from gateway.problems import ApiError
from gateway.typedefs import REDIS, SETTINGS
from services.readmodels import keys
from services.readmodels.views import load

LINK_TTL_SECONDS = 15 * 60


def _key(request: web.Request, token: str) -> str:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return f"{request.app[SETTINGS].topic_prefix}phone-link:{digest}"


async def issue(request: web.Request, kiosk: Principal, checkin_id: str) -> dict[str, str]:
    """A link for ``checkin_id``, which must be a check-in of the kiosk's market (else 404)."""
    redis = request.app[REDIS]
    ticket = load(await redis.get(keys.ticket(request.app[SETTINGS].topic_prefix, checkin_id))) if checkin_id else None
    if ticket is None or ticket.get("market_id") != kiosk.market_id:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    token = secrets.token_urlsafe(24)
    value = {"checkin_id": checkin_id, "market_id": ticket["market_id"], "masked": ticket.get("worker_masked", "")}
    await redis.set(_key(request, token), json.dumps(value), ex=LINK_TTL_SECONDS)
    url = f"{request.scheme}://{request.host}/w/{token}"
    return {"url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2)}


async def redeem(request: web.Request) -> web.StreamResponse:
    """``GET /w/{token}``: sign this phone in to the link's check-in and go to ``/worker``; once only."""
    raw = await request.app[REDIS].getdel(_key(request, request.match_info["token"]))
    if raw is None:
        raise web.HTTPNotFound(text="链接已失效（只能打开一次，15 分钟内有效） · This link has expired or was used")
    link = json.loads(raw)
    principal = Principal("worker", link["checkin_id"], link["masked"], link["market_id"])
    response = web.Response(status=303, headers={"Location": "/worker", "Cache-Control": "no-store"})
    await sessions.sign_in(request, response, principal)
    return response
