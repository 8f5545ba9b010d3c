"""Bearer credentials: a kiosk device token (bound to a market), an employer API token, or a token issued at
sign-in to an account (employer, organiser, county officer, city administrator).

Only the token's SHA-256 is known to the platform (registered through the ``registry`` topic and projected
to Redis); the gateway hashes what it receives and looks the principal up. A token is refused when it is
unknown, revoked (the gateway marks a revocation in Redis at once, the projector deletes the token later),
expired, or belongs to a revoked account. Every authenticated request counts against the per-address limit,
then the per-kiosk or per-account limit (:mod:`gateway.throttle`); with a bearer token both are counted in the
same Redis round trip as the lookup (:mod:`gateway.admission`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import msgspec
from aiohttp import web

from gateway import admission, throttle
from gateway.problems import ApiError
from gateway.typedefs import ADMISSION, CLOCK, REDIS, SETTINGS
from services.people import access
from services.people.principal import Principal, Role, principal_of, role_allows
from services.readmodels import keys


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
    """The request's bearer token, or 401 (also for a token that is not printable ASCII: no token we issue is,
    and bytes that are not UTF-8 could not even be hashed)."""
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
    token = token.strip()
    if not (token.isascii() and token.isprintable()):  # undecodable header bytes arrive as lone surrogates
        raise _unknown()
    return token


async def principal_for_token(app: web.Application, token: str) -> Principal | None:
    """The principal of a live token (not revoked, not expired, its account not revoked), else ``None``."""
    return await principal_for_digest(app, token_sha256(token))


async def principal_for_digest(app: web.Application, digest: str) -> Principal | None:
    """:func:`principal_for_token` by the token's SHA-256 (page sessions re-check their principal with it)."""
    prefix = app[SETTINGS].topic_prefix
    raw, revoked = await app[REDIS].mget([keys.credential(prefix, digest), keys.revoked_token(prefix, digest)])
    return await _live_principal(app, digest, raw, revoked)


def _limits(request: web.Request) -> admission.Limits:
    return admission.Limits(
        throttle.limit_named(request, "address_requests"),
        throttle.limit_named(request, "kiosk_requests"),
        throttle.limit_named(request, "account_requests"),
    )


async def _bearer_principal(
    request: web.Request, roles: tuple[Role, ...], claim: admission.Claim | None
) -> tuple[Principal, admission.ClaimReply]:
    """Address limit, token lookup, kiosk/account limit and (``claim``) the Idempotency-Key claim in one Redis
    round trip (:mod:`gateway.admission`); 401 / 403 / 429 as :func:`authenticate` says. A token with an expiry
    goes on step by step (its expiry is judged by the app's clock), and its key is not claimed here."""
    app = request.app
    digest = token_sha256(bearer_token(request))
    staff = any(r in access.STAFF_ROLES for r in roles)
    claim_roles = (*roles, "admin") if staff else roles
    found = await app[ADMISSION].admit(throttle.client_address(request), digest, _limits(request), claim_roles, claim)
    throttle.refuse_over_limit(found.address)
    if found.status == "unknown" or found.credential is None:
        raise _unknown()
    if found.status == "check":
        principal = await _live_principal(app, digest, found.credential, None)
        if principal is None:
            raise _unknown()
        await _second_limit(request, principal)
        _require_role(principal, roles)
        return principal, None
    principal = principal_of(msgspec.json.decode(found.credential), digest)  # written by our projector
    assert found.second is not None  # the script counts it before "limited" / "ok"
    throttle.refuse_over_limit(found.second)
    _require_role(principal, roles)
    return principal, found.claim


async def _second_limit(request: web.Request, principal: Principal) -> None:
    if principal.role == "kiosk":
        await throttle.enforce(request, "kiosk_requests", principal.subject_id)
    else:
        await throttle.enforce(request, "account_requests", principal.account_id or principal.key)


def _require_role(principal: Principal, roles: tuple[Role, ...]) -> None:
    if not role_allows(principal.role, roles):
        wanted = " or ".join(roles)
        raise ApiError(403, "wrong_role", "此凭证无权执行该操作", f"this needs a {wanted} credential")


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
    return principal_of(stored, digest)


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
    principal, _ = await authenticate_command(request, *roles)
    return principal


async def authenticate_command(
    request: web.Request, *roles: Role, claim: admission.Claim | None = None
) -> tuple[Principal, admission.ClaimReply]:
    """:func:`authenticate`, and with a bearer token ``claim`` is claimed in the same Redis round trip (once the
    principal is known to have one of ``roles``): the reply is ``"claimed"``, the value already stored under the
    key, or ``None`` when nothing was claimed (a page session, a token with an expiry: the caller claims)."""
    if not request.headers.get("Authorization") and CSRF_HEADER in request.headers:
        return await _session_principal(request, roles), None
    return await _bearer_principal(request, roles, claim)


def require_county(principal: Principal, county: str | None) -> None:
    """403 unless ``principal`` may read data of ``county`` (:func:`services.people.access.may_read`)."""
    try:
        access.require_read(principal.viewer, county)
    except access.AccessDenied as denied:
        raise ApiError(403, denied.rule, denied.message_zh, denied.message_en) from denied


async def _session_principal(request: web.Request, roles: tuple[Role, ...]) -> Principal:
    from gateway import sessions  # sessions imports this module

    await throttle.enforce(request, "address_requests", throttle.client_address(request))
    session = await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get(CSRF_HEADER, "")})
    principal = session.principal if session is not None else None
    if principal is not None and principal.token_sha256:
        principal = principal if await principal_for_digest(request.app, principal.token_sha256) else None
    if principal is None:
        raise ApiError(401, "unauthenticated", "请先登录", "sign in first", field="Authorization")
    if not role_allows(principal.role, roles):
        raise ApiError(403, "wrong_role", "此账号无权执行该操作", f"this needs a {' or '.join(roles)} account")
    return principal
