"""Page sessions: kept server-side in Redis; the browser holds only an opaque id in an HttpOnly cookie.

Contract:

- A session is created at sign-in, never for an anonymous reader: a GET writes nothing to Redis. The cookie
  :data:`COOKIE` carries 32 random bytes (URL-safe base64); Redis stores ``{prefix}session:{sha256(id)}`` →
  JSON ``{"csrf": ..., "principal": {...}}`` with a sliding TTL of ``Settings.session_ttl_seconds``.
  The raw id is never stored, so a Redis dump cannot be replayed as a cookie.
- A form shown before sign-in (the sign-in form) is protected by a signed double-submit token instead: the
  cookie :data:`PRE_COOKIE` holds random bytes and the form's token is their HMAC under the server's key, so
  the check needs no stored state and a foreign site, which can neither read the cookie nor compute the HMAC,
  cannot forge the form.
- The cookie is ``HttpOnly``, ``SameSite=Lax``, ``Path=/``, and ``Secure`` when the request came over TLS
  (``request.secure``: direct TLS, or a trusted front that set the scheme).
- :func:`sign_in` always drops the session the request came with and issues a new id and a new CSRF token
  (rotation: a session id planted before sign-in is worthless after it). :func:`sign_out` deletes it.
- Every state-changing form carries the session's CSRF token in the field :data:`CSRF_FIELD`;
  :func:`check_csrf` compares it in constant time and answers 403 otherwise.
- :func:`page_principal` gives the signed-in principal of a page request, or redirects (303) to the sign-in
  page with ``next`` set to the requested path; a principal of another role gets 403.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import quote

from aiohttp import web

from gateway.auth import principal_for_digest
from gateway.problems import ApiError
from gateway.typedefs import REDIS, SETTINGS
from services.people.principal import Principal, Role, principal_from_json, principal_to_json, role_allows
from services.readmodels import keys

COOKIE = "lingong_session"
#: The cookie behind the CSRF token of a form shown before sign-in (see the module's contract).
PRE_COOKIE = "lingong_form"
CSRF_FIELD = "csrf_token"
SIGN_IN_PATH = "/sign-in"
#: The loaded session is cached on the request under this key.
_REQUEST_KEY = web.RequestKey("lingong.page_session", object)


@dataclasses.dataclass(frozen=True, slots=True)
class PageSession:
    """One browser's session: its id (only ever in the cookie and in memory), CSRF token and principal."""

    session_id: str
    csrf: str
    principal: Principal | None

    def to_json(self) -> str:
        principal = json.loads(principal_to_json(self.principal)) if self.principal else None
        return json.dumps({"csrf": self.csrf, "principal": principal}, ensure_ascii=False)


def _redis_key(request: web.Request, session_id: str) -> str:
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    return keys.page_session(request.app[SETTINGS].topic_prefix, digest)


def _new(principal: Principal | None) -> PageSession:
    return PageSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), principal)


async def _store(request: web.Request, session: PageSession) -> None:
    ttl = request.app[SETTINGS].session_ttl_seconds
    await request.app[REDIS].set(_redis_key(request, session.session_id), session.to_json(), ex=ttl)
    request[_REQUEST_KEY] = session


async def current_session(request: web.Request) -> PageSession | None:
    """The session named by the request's cookie, if it exists in Redis (its TTL is refreshed)."""
    if _REQUEST_KEY in request:
        return cast(PageSession | None, request[_REQUEST_KEY])  # this module is the key's only writer
    session_id = request.cookies.get(COOKIE, "")
    session: PageSession | None = None
    if session_id:
        key = _redis_key(request, session_id)
        raw = await request.app[REDIS].getex(key, ex=request.app[SETTINGS].session_ttl_seconds)
        if raw is not None:
            stored = json.loads(raw)
            principal = principal_from_json(json.dumps(stored["principal"])) if stored["principal"] else None
            session = PageSession(session_id, stored["csrf"], principal)
    request[_REQUEST_KEY] = session
    return session


def set_cookie(request: web.Request, response: web.StreamResponse, session: PageSession) -> None:
    """Send ``session``'s id as the HttpOnly, SameSite=Lax cookie (Secure over TLS)."""
    response.set_cookie(
        COOKIE,
        session.session_id,
        max_age=request.app[SETTINGS].session_ttl_seconds,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.secure,
    )


def _anonymous_token(request: web.Request, nonce: str) -> str:
    """The CSRF token of a form shown before sign-in: the HMAC of the :data:`PRE_COOKIE` nonce."""
    key = request.app[SETTINGS].pseudonym_key
    return hmac.digest(key, b"lingong-form-csrf\0" + nonce.encode(), "sha256").hex()


async def csrf_token(request: web.Request, response: web.StreamResponse) -> str:
    """The CSRF token to embed in a form rendered into ``response``: the session's, or before sign-in a signed
    double-submit token (its nonce cookie set on ``response`` when the request has none). Writes nothing to Redis."""
    session = await current_session(request)
    if session is not None:
        return session.csrf
    nonce = request.cookies.get(PRE_COOKIE, "")
    if not 20 <= len(nonce) <= 64:
        nonce = secrets.token_urlsafe(24)
        response.set_cookie(PRE_COOKIE, nonce, path="/", httponly=True, samesite="Lax", secure=request.secure)
    return _anonymous_token(request, nonce)


async def sign_in(request: web.Request, response: web.StreamResponse, principal: Principal) -> PageSession:
    """Rotate: delete the request's session (if any) and issue a new id and CSRF token for ``principal``."""
    old = request.cookies.get(COOKIE, "")
    if old:
        await request.app[REDIS].delete(_redis_key(request, old))
    session = _new(principal)
    await _store(request, session)
    set_cookie(request, response, session)
    return session


async def sign_out(request: web.Request, response: web.StreamResponse) -> None:
    """Delete the request's session and clear its cookie."""
    old = request.cookies.get(COOKIE, "")
    if old:
        await request.app[REDIS].delete(_redis_key(request, old))
    request[_REQUEST_KEY] = None
    response.del_cookie(COOKIE, path="/")


async def check_csrf(request: web.Request, form: Mapping[str, Any]) -> PageSession | None:
    """The request's session (``None`` before sign-in) if ``form`` carries its CSRF token — the session's, or
    before sign-in the signed token of the :data:`PRE_COOKIE` nonce; else 403 (naming the field)."""
    session = await current_session(request)
    sent = str(form.get(CSRF_FIELD, ""))
    if session is not None:
        expected = session.csrf
    else:
        nonce = request.cookies.get(PRE_COOKIE, "")
        expected = _anonymous_token(request, nonce) if nonce else ""
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ApiError(
            403,
            "csrf_failed",
            "表单已过期或来源不明，请刷新页面后重试（csrf_token）",
            "the form's csrf_token is missing, stale or foreign: reload the page and try again",
            field=CSRF_FIELD,
        )
    return session


async def page_principal(request: web.Request, *roles: Role) -> Principal:
    """The signed-in principal, which must hold one of ``roles``; else a 303 to the sign-in page or a 403."""
    session = await current_session(request)
    principal = session.principal if session is not None else None
    # the credential behind the session may have been revoked since: then the session is over at once
    if principal is not None and principal.token_sha256:
        principal = principal if await principal_for_digest(request.app, principal.token_sha256) else None
    if principal is None:
        raise web.HTTPSeeOther(f"{SIGN_IN_PATH}?next={quote(request.path_qs, safe='')}")
    if roles and not role_allows(principal.role, roles):
        raise ApiError(403, "wrong_role", "您的账号无权查看此页面", "your account may not open this page")
    return principal
