"""Bearer credentials: a kiosk device token (bound to a market) or an employer API token.

Only the token's SHA-256 is known to the platform (registered through the ``registry`` topic and projected
to Redis); the gateway hashes what it receives and looks the principal up.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Literal

from aiohttp import web

from gateway.problems import ApiError
from gateway.typedefs import REDIS, SETTINGS
from services.readmodels import keys

#: ``worker``: a worker's phone, signed in through the one-time link the kiosk showed (web/worker pages).
Role = Literal["kiosk", "employer", "organiser", "officer", "worker"]


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    subject_id: str
    display_name: str
    market_id: str | None

    @property
    def key(self) -> str:
        """Namespace for idempotency keys and derived command ids."""
        return f"{self.role}:{self.subject_id}"


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def principal_for_token(app: web.Application, token: str) -> Principal | None:
    """The principal registered for ``token`` (looked up by its SHA-256), or None when unknown or revoked."""
    raw = await app[REDIS].get(keys.credential(app[SETTINGS].topic_prefix, token_sha256(token)))
    if raw is None:
        return None
    return principal_from_json(raw)


def principal_from_json(raw: str | bytes) -> Principal:
    """Inverse of :func:`principal_to_json`."""
    stored = json.loads(raw)
    return Principal(stored["role"], stored["subject_id"], stored["display_name"], stored.get("market_id"))


def principal_to_json(principal: Principal) -> str:
    return json.dumps(dataclasses.asdict(principal), ensure_ascii=False)


#: Header with which same-origin page scripts prove their page session (see :func:`authenticate`).
CSRF_HEADER = "X-CSRF-Token"


async def authenticate(request: web.Request, role: Role, *also: Role) -> Principal:
    """The principal behind the request, which must hold ``role`` (or one of ``also``); else 401 / 403.

    Two ways in: a bearer token (devices, integrations), or — for the pages' own scripts (kiosk, employer,
    worker phone, organiser pages) — the page session cookie together with the session's CSRF token in the
    :data:`CSRF_HEADER` header. The cookie alone is never enough: a foreign site can make the browser send
    the cookie but cannot read the token, and a custom header forces a CORS preflight the gateway never
    grants. Both ways end in the same command code, idempotency included.
    """
    roles = (role, *also)
    header = request.headers.get("Authorization", "")
    if not header and CSRF_HEADER in request.headers:
        return await _session_principal(request, roles)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthenticated",
            "缺少访问凭证（Authorization: Bearer）",
            "missing credential (Authorization: Bearer)",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = await principal_for_token(request.app, token.strip())
    if principal is None:
        raise ApiError(
            401,
            "credential_unknown",
            "访问凭证无效或已停用",
            "the credential is unknown or revoked",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if principal.role not in roles:
        raise ApiError(403, "wrong_role", "此凭证无权执行该操作", f"this needs a {role} credential")
    return principal


async def _session_principal(request: web.Request, roles: tuple[Role, ...]) -> Principal:
    from gateway import sessions  # sessions imports this module

    session = await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get(CSRF_HEADER, "")})
    if session.principal is None:
        raise ApiError(401, "unauthenticated", "请先登录", "sign in first", field="Authorization")
    if session.principal.role not in roles:
        raise ApiError(403, "wrong_role", "此账号无权执行该操作", f"this needs a {roles[0]} account")
    return session.principal
