"""The sign-in and sign-out pages. Staff, employers and kiosk devices sign in with the access key they were
issued (the same credential the JSON API takes as a bearer token); the session is then kept server-side
(see :mod:`gateway.sessions`). Password accounts plug in at :func:`_principal_for`.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.auth import Principal, principal_for_token

#: Where each role lands after signing in, unless the sign-in link named a page.
HOME_BY_ROLE = {"kiosk": "/", "employer": "/", "organiser": "/", "officer": "/"}


def _safe_next(raw: str, principal: Principal) -> str:
    """Only a local path is followed after sign-in (no open redirect to another site)."""
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return HOME_BY_ROLE.get(principal.role, "/")


async def _principal_for(request: web.Request, form: dict[str, str]) -> Principal | None:
    access_key = form.get("access_key", "").strip()
    if not access_key or len(access_key) > 200:
        return None
    return await principal_for_token(request.app, access_key)


async def get_sign_in(request: web.Request) -> web.Response:
    """The sign-in form, with a CSRF token bound to an anonymous session."""
    response = web.Response(content_type="text/html")
    token = await sessions.csrf_token(request, response)
    context: dict[str, Any] = {"csrf_token": token, "next": request.query.get("next", ""), "error": None}
    rendered = aiohttp_jinja2.render_string("sign_in.html", request, context)
    response.text = rendered
    return response


async def post_sign_in(request: web.Request) -> web.StreamResponse:
    """Check the CSRF token and the access key; on success rotate the session and go to ``next``."""
    form = {k: str(v) for k, v in (await request.post()).items()}
    await sessions.check_csrf(request, form)
    principal = await _principal_for(request, form)
    if principal is None:
        response = web.Response(content_type="text/html", status=401)
        token = await sessions.csrf_token(request, response)
        context = {
            "csrf_token": token,
            "next": form.get("next", ""),
            "error": ("访问密钥无效或已停用", "the access key is unknown or revoked"),
        }
        response.text = aiohttp_jinja2.render_string("sign_in.html", request, context)
        return response
    response = web.Response(status=303, headers={"Location": _safe_next(form.get("next", ""), principal)})
    await sessions.sign_in(request, response, principal)
    return response


async def post_sign_out(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    await sessions.check_csrf(request, form)
    response = web.Response(status=303, headers={"Location": sessions.SIGN_IN_PATH})
    await sessions.sign_out(request, response)
    return response
