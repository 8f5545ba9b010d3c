"""Phone links: the kiosk hands a worker a link (and QR code, on screen or on the printed ticket) that signs their
phone in to their own check-in, with the role ``worker`` (subject = the check-in id, never the ID number).

WeChat opens a scanned link twice (and its servers may fetch it first), so a link is not one-time: it keeps
working for the rest of the local day on the device that opened it, and only there.

Contract:

- :func:`issue` stores ``{prefix}phone-link:{sha256(token)}`` → the check-in until the end of the local day
  (:func:`services.clock.end_of_local_day_utc`, at least :data:`MIN_TTL_SECONDS`); the token travels only in
  the URL ``/w/{token}``.
- ``GET /w/{token}`` changes nothing: an unknown or expired token gets the "expired" page (404); a link already
  bound to this device (its :data:`DEVICE_COOKIE`) signs it in again and goes to ``/worker`` (303); a link bound
  to another device gets the "other device" page (403), which says what to do; a link not yet bound gets a page
  whose form (sent by the page's script at once, or by a tap) asks to open it.
- ``POST /w/{token}`` (the page's form, with the session's CSRF token) binds the link to this device, atomically
  (``SET NX`` of ``{prefix}phone-link-device:{sha256(token)}`` → sha256 of the device cookie, same lifetime as
  the link): the first device to ask wins; it, and only it, is signed in (a fresh page session, the cookie
  rotated as at every sign-in). So a prefetch by a server, which never runs the script, binds nothing.
- The device cookie is 32 random bytes, ``HttpOnly``, ``SameSite=Lax``, path ``/w/``, kept until the end of the
  local day; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

import aiohttp_jinja2
import segno
from aiohttp import web

from gateway import sessions
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import clock
from services.people.principal import Principal
from services.readmodels import keys
from services.readmodels.views import load

MIN_TTL_SECONDS = 15 * 60
DEVICE_COOKIE = "lingong_device"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(request: web.Request, token: str) -> str:
    return f"{request.app[SETTINGS].topic_prefix}phone-link:{_digest(token)}"


def _device_key(request: web.Request, token: str) -> str:
    return f"{request.app[SETTINGS].topic_prefix}phone-link-device:{_digest(token)}"


def _seconds_left_today(request: web.Request) -> int:
    now = request.app[CLOCK]()
    return max(MIN_TTL_SECONDS, int((clock.end_of_local_day_utc(now) - now).total_seconds()))


async def issue(request: web.Request, kiosk: Principal, checkin_id: str) -> dict[str, str]:
    """A link for ``checkin_id``, which must be a check-in of the kiosk's market (else 404)."""
    redis = request.app[REDIS]
    ticket = load(await redis.get(keys.ticket(request.app[SETTINGS].topic_prefix, checkin_id))) if checkin_id else None
    if ticket is None or ticket.get("market_id") != kiosk.market_id:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    token = secrets.token_urlsafe(24)
    value = {"checkin_id": checkin_id, "market_id": ticket["market_id"], "masked": ticket.get("worker_masked", "")}
    await redis.set(_key(request, token), json.dumps(value), ex=_seconds_left_today(request))
    url = f"{request.scheme}://{request.host}/w/{token}"
    return {"url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2)}


async def redeem(request: web.Request) -> web.StreamResponse:
    """``GET /w/{token}``: sign the device that owns the link in again, or show the page that fits."""
    token = request.match_info["token"]
    link = await _link(request, token)
    if link is None:
        return await _page(request, "expired", 404)
    bound = await request.app[REDIS].get(_device_key(request, token))
    if bound is None:
        return await _page(request, "open", 200)
    if _same_device(request, bound):
        return await _sign_in(request, link, request.cookies[DEVICE_COOKIE])
    return await _page(request, "other_device", 403)


async def bind(request: web.Request) -> web.StreamResponse:
    """``POST /w/{token}``: bind the link to this device if no device has it yet, and sign it in."""
    token = request.match_info["token"]
    await sessions.check_csrf(request, await request.post())
    link = await _link(request, token)
    if link is None:
        return await _page(request, "expired", 404)
    device = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(32)
    redis = request.app[REDIS]
    ttl = await redis.ttl(_key(request, token))
    claimed = await redis.set(_device_key(request, token), _digest(device), nx=True, ex=max(ttl, 1))
    if not claimed and not _same_device(request, await redis.get(_device_key(request, token))):
        return await _page(request, "other_device", 403)
    return await _sign_in(request, link, device)


async def _link(request: web.Request, token: str) -> dict[str, Any] | None:
    raw = await request.app[REDIS].get(_key(request, token))
    return None if raw is None else dict(json.loads(raw))


def _same_device(request: web.Request, bound: bytes | str | None) -> bool:
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not device or bound is None:
        return False
    stored = bound.decode() if isinstance(bound, bytes) else bound
    return hmac.compare_digest(stored.encode(), _digest(device).encode())


async def _sign_in(request: web.Request, link: dict[str, Any], device: str) -> web.StreamResponse:
    principal = Principal("worker", link["checkin_id"], link["masked"], link["market_id"])
    response = web.Response(status=303, headers={"Location": "/worker", "Cache-Control": "no-store"})
    await sessions.sign_in(request, response, principal)
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=_seconds_left_today(request),
        path="/w/",
        httponly=True,
        samesite="Lax",
        secure=request.secure,
    )
    return response


async def _page(request: web.Request, state: str, status: int) -> web.Response:
    """The link's page in ``state`` (``open``, ``other_device``, ``expired``), Chinese first."""
    response = web.Response(status=status, content_type="text/html")
    token = await sessions.csrf_token(request, response) if state == "open" else ""
    response.text = aiohttp_jinja2.render_string(
        "phone_link.html", request, {"state": state, "csrf_token": token, "action": request.path}
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
