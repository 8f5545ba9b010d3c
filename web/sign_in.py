"""The sign-in and sign-out pages. Accounts sign in with their login and password (throttled like
``POST /api/v1/sessions``, see :mod:`gateway.views.accounts`); staff, employers and kiosk devices may also sign in
with the access key they were issued (the same credential the JSON API takes as a bearer token). Either way the
session is then rotated and kept server-side (see :mod:`gateway.sessions`).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.auth import principal_for_token
from gateway.problems import ApiError
from gateway.views import accounts
from services.people.principal import Principal

_FAILED_PASSWORD = ("登录名或密码不正确", "the login or the password is wrong")
_FAILED_KEY = ("访问密钥无效或已停用", "the access key is unknown or revoked")
#: Where each role lands after signing in, unless the sign-in link named a page.
HOME_BY_ROLE = {"kiosk": "/", "employer": "/", "organiser": "/", "officer": "/", "admin": "/"}
#: The employer registration page, linked from the sign-in page once the gateway serves it.
EMPLOYER_REGISTRATION = "/employer/register"


def registration_path(app: web.Application) -> str | None:
    """:data:`EMPLOYER_REGISTRATION` if a GET route serves it, else ``None`` (no link to a missing page)."""
    for resource in app.router.resources():
        info = resource.get_info()
        if info.get("path") == EMPLOYER_REGISTRATION and any(r.method == "GET" for r in resource):
            return EMPLOYER_REGISTRATION
    return None


def _safe_next(raw: str, principal: Principal) -> str:
    """Only a local path is followed after sign-in (no open redirect to another site)."""
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return HOME_BY_ROLE.get(principal.role, "/")


async def _principal_for(request: web.Request, form: dict[str, str]) -> Principal | None:
    login = form.get("login", "").strip()
    if login:
        try:
            issued = await accounts.sign_in(request, login, form.get("password", ""))
        except ApiError as error:
            if error.status == 401:
                return None
            raise
        # the session's principal is a revocable sign-in token's, so revoking the account ends it too
        return await principal_for_token(request.app, issued["token"])
    access_key = form.get("access_key", "").strip()
    if not access_key or len(access_key) > 200:
        return None
    return await principal_for_token(request.app, access_key)


async def get_sign_in(request: web.Request) -> web.Response:
    """The sign-in form, with a CSRF token bound to an anonymous session."""
    response = web.Response(content_type="text/html")
    token = await sessions.csrf_token(request, response)
    context: dict[str, Any] = {
        "csrf_token": token,
        "next": request.query.get("next", ""),
        "error": None,
        "registration_path": registration_path(request.app),
    }
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
            "error": _FAILED_PASSWORD if form.get("login", "").strip() else _FAILED_KEY,
            "registration_path": registration_path(request.app),
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
