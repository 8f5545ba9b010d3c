"""Bearer credentials: a kiosk device token (bound to a market), an employer API token, or a token issued at
sign-in to an account (employer, organiser, county officer, city administrator).

Only the token's SHA-256 is known to the platform (registered through the ``registry`` topic and projected
to Redis); the gateway hashes what it receives and looks the principal up. A token is refused when it is
unknown, revoked (the gateway marks a revocation in Redis at once, the projector deletes the token later),
expired, or belongs to a revoked account. Every authenticated request counts against the per-address limit,
then the per-kiosk or per-account limit (:mod:`gateway.throttle`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from typing import Literal

from aiohttp import web

from gateway import throttle
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, RATE_LIMITER, REDIS, SETTINGS
from services import access
from services.readmodels import keys

#: ``worker``: a worker's phone, signed in through the one-time link the kiosk showed (web/worker pages).
Role = Literal["kiosk", "employer", "organiser", "officer", "admin", "worker"]


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    subject_id: str
    display_name: str
    market_id: str | None
    #: A county officer's county (or a county-bound organiser's); ``None`` for city-wide staff and others.
    county: str | None = None
    #: The account the token was issued to, if any (revoking the account revokes the token).
    account_id: str | None = None
    token_sha256: str = ""

    @property
    def key(self) -> str:
        """Namespace for idempotency keys and derived command ids."""
        return f"{self.role}:{self.subject_id}"

    @property
    def viewer(self) -> access.Viewer:
        """Who this is, for the county scoping rule of :mod:`services.access`."""
        return access.Viewer(self.role, self.county)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unknown() -> ApiError:
    return ApiError(
        401,
        "credential_unknown",
        "访问凭证无效、已过期或已停用",
        "the credential is unknown, expired or revoked",
        field="Authorization",
        headers={"WWW-Authenticate": "Bearer"},
    )


def bearer_token(request: web.Request) -> str:
    """The request's bearer token, or 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthenticated",
            "缺少访问凭证（Authorization: Bearer）",
            "missing credential (Authorization: Bearer)",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


async def principal_for_token(app: web.Application, token: str) -> Principal | None:
    """The principal of a live token (not revoked, not expired, its account not revoked), else ``None``."""
    return await principal_for_digest(app, token_sha256(token))


async def principal_for_digest(app: web.Application, digest: str) -> Principal | None:
    """:func:`principal_for_token` by the token's SHA-256 (page sessions re-check their principal with it)."""
    prefix = app[SETTINGS].topic_prefix
    raw, revoked = await app[REDIS].mget([keys.credential(prefix, digest), keys.revoked_token(prefix, digest)])
    return await _live_principal(app, digest, raw, revoked)


async def _address_then_principal(request: web.Request, token: str) -> Principal | None:
    """Count the request against the per-address limit (429 over it), then look the token up: both in one
    Redis round trip (the lookup only reads; its answer is used only when the limit allowed the request)."""
    app = request.app
    prefix = app[SETTINGS].topic_prefix
    digest = token_sha256(token)
    limit = throttle.limit_named(request, "address_requests")
    limiter = app[RATE_LIMITER]
    address = throttle.client_address(request)
    async with app[REDIS].pipeline(transaction=False) as pipe:
        limiter.queue_hit(pipe, limit, address)
        pipe.mget([keys.credential(prefix, digest), keys.revoked_token(prefix, digest)])
        hit, lookup = await pipe.execute(raise_on_error=False)
    throttle.refuse_over_limit(await limiter.verdict_of(limit, address, hit))
    if isinstance(lookup, Exception):
        raise lookup
    raw, revoked = lookup
    return await _live_principal(app, digest, raw, revoked)


async def _live_principal(
    app: web.Application, digest: str, raw: bytes | str | None, revoked: bytes | str | None
) -> Principal | None:
    """The principal of a credential record unless revoked, expired, or its account is revoked."""
    prefix = app[SETTINGS].topic_prefix
    redis = app[REDIS]
    if raw is None or revoked is not None:
        return None
    stored = json.loads(raw)
    expires_at = stored.get("expires_at")
    if expires_at and datetime.fromisoformat(expires_at) <= app[CLOCK]():
        return None
    account_id = stored.get("account_id")
    if account_id:
        account, account_revoked = await redis.mget(
            [keys.account(prefix, account_id), keys.revoked_account(prefix, account_id)]
        )
        if account is None or account_revoked is not None or json.loads(account).get("revoked"):
            return None
    return principal_from_json(json.dumps({**stored, "token_sha256": digest}))


def principal_from_json(raw: str | bytes) -> Principal:
    """Inverse of :func:`principal_to_json` (also reads a credential view of the registry projection)."""
    stored = json.loads(raw)
    return Principal(
        stored["role"],
        stored["subject_id"],
        stored["display_name"],
        stored.get("market_id"),
        county=stored.get("county"),
        account_id=stored.get("account_id"),
        token_sha256=stored.get("token_sha256", ""),
    )


def principal_to_json(principal: Principal) -> str:
    return json.dumps(dataclasses.asdict(principal), ensure_ascii=False)


#: Header with which same-origin page scripts prove their page session (see :func:`authenticate`).
CSRF_HEADER = "X-CSRF-Token"


async def authenticate(request: web.Request, *roles: Role) -> Principal:
    """The principal behind the request, which must have one of ``roles`` (a city administrator may act in
    every staff role); else 401 / 403, or 429 over a rate limit.

    Two ways in: a bearer token (devices, integrations), or — for the pages' own scripts (kiosk, employer,
    worker phone, organiser pages) — the page session cookie together with the session's CSRF token in the
    :data:`CSRF_HEADER` header. The cookie alone is never enough: a foreign site can make the browser send
    the cookie but cannot read the token, and a custom header forces a CORS preflight the gateway never
    grants. Both ways end in the same command code, idempotency included.
    """
    if not request.headers.get("Authorization") and CSRF_HEADER in request.headers:
        return await _session_principal(request, roles)
    token = bearer_token(request)
    principal = await _address_then_principal(request, token)
    if principal is None:
        raise _unknown()
    if principal.role == "kiosk":
        await throttle.enforce(request, "kiosk_requests", principal.subject_id)
    else:
        await throttle.enforce(request, "account_requests", principal.account_id or principal.key)
    if not role_allows(principal.role, roles):
        wanted = " or ".join(roles)
        raise ApiError(403, "wrong_role", "此凭证无权执行该操作", f"this needs a {wanted} credential")
    return principal


def role_allows(role: str, roles: tuple[str, ...]) -> bool:
    """Whether a principal of ``role`` may act in one of ``roles``: its own, or any staff role for the city
    administrator."""
    return role in roles or (role == "admin" and any(r in access.STAFF_ROLES for r in roles))


def require_county(principal: Principal, county: str | None) -> None:
    """403 unless ``principal`` may read data of ``county`` (:func:`services.access.may_read`)."""
    try:
        access.require_read(principal.viewer, county)
    except access.AccessDenied as denied:
        raise ApiError(403, denied.rule, denied.message_zh, denied.message_en) from denied


async def _session_principal(request: web.Request, roles: tuple[Role, ...]) -> Principal:
    from gateway import sessions  # sessions imports this module

    await throttle.enforce(request, "address_requests", throttle.client_address(request))
    session = await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get(CSRF_HEADER, "")})
    principal = session.principal
    if principal is not None and principal.token_sha256:
        principal = principal if await principal_for_digest(request.app, principal.token_sha256) else None
    if principal is None:
        raise ApiError(401, "unauthenticated", "请先登录", "sign in first", field="Authorization")
    if not role_allows(principal.role, roles):
        raise ApiError(403, "wrong_role", "此账号无权执行该操作", f"this needs a {' or '.join(roles)} account")
    return principal
