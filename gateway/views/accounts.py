"""Accounts and tokens: sign-in, employer self-registration, the administrator's staff accounts and kiosk
devices, and revocation of a token or a whole account (a device is an account too).

Account and token records go to the ``registry`` topic (acks=all) and are then written through to Redis with
the projector's own function (:class:`~services.readmodels.registry_views.RegistryViews`), so a new token or
account works at once; a revocation is also marked in Redis at once, so the revoked token is refused by the
very next request even while the projector lags. Tokens are returned once and stored only as SHA-256.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import uuid
from datetime import timedelta
from typing import Any

from aiohttp import web

from gateway import audit, throttle
from gateway.auth import authenticate, require_county, token_sha256
from gateway.bodies import decode_json
from gateway.operation import BODY_ERRORS, Operation, declared_roles, links_to, parsed
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, PUBLISHER, REDIS, SETTINGS
from gateway.wire.accounts import (
    AccountCreated,
    AccountRevokedAnswer,
    AccountView,
    CredentialRevokedAnswer,
    DeviceBody,
    DeviceCreated,
    EmployerRegistrationBody,
    SessionIssued,
    SignInBody,
    StaffAccountBody,
)
from gateway.wire.common import EmptyBody
from services import clock, topics
from services.errors import InvalidInput
from services.people import accounts, records
from services.people.principal import Principal
from services.readmodels import keys
from services.readmodels.registry_views import RegistryViews
from services.readmodels.views import View, dump, load
from services.records import derived_id, encode

#: How long the gateway's own mark of a revocation is kept: long enough for the projector to catch up.
REVOCATION_MARK_SECONDS = 86_400


# ---------------------------------------------------------------- sign-in and sign-out


async def post_session(request: web.Request) -> web.Response:
    """``POST /api/v1/sessions`` ``{"login", "password"}``: a bearer token for the account (200), or 401.

    The login is a staff or device username, a company's credit code, or an individual's ID number.
    Throttled per client address and per account; the same 401 for an unknown login and a wrong password.
    """
    login, password = parsed(SESSIONS, await _json(request), accounts.parse_sign_in)
    account = await _verify(request, login, password)
    return web.json_response(await issue_token(request, account), dumps=dumps)


SESSIONS = Operation(
    "POST",
    "/api/v1/sessions",
    "sessions",
    "Sign in: a bearer token for an account (throttled per client address and per account)",
    handler=post_session,
    request=SignInBody,
    response=SessionIssued,
    tags=("accounts",),
    extra_statuses=(*BODY_ERRORS, 401, 429),
    links={**links_to("account_id", "account"), **links_to("credential_id", "credential_revoke")},
)


async def sign_in(request: web.Request, login: str, password: str) -> dict[str, Any]:
    """Sign in from a page form: the same checks and throttling as :func:`post_session`; the issued token's
    answer (``token``, ``account_id``, ``role``, …). Raises :class:`ApiError` 401 / 429."""
    account = await _verify(request, login, accounts.Secret(password))
    return await issue_token(request, account)


async def _verify(request: web.Request, login: str, password: accounts.Secret) -> View:
    settings = request.app[SETTINGS]
    await throttle.enforce(request, "signin_per_address", throttle.client_address(request))
    candidates = accounts.login_candidates(login, key=settings.pseudonym_key)
    subject = accounts.account_id(candidates[0]) if candidates else token_sha256(login.lower())
    await throttle.enforce(request, "signin_per_account", subject)
    views: list[View | None] = []
    if candidates:
        raw = await request.app[REDIS].mget(
            [keys.account(settings.topic_prefix, accounts.account_id(c)) for c in candidates]
        )
        views = [load(v) for v in raw]
    account = next((v for v in views if v is not None and not v.get("revoked") and v.get("password_hash")), None)
    stored_hash = account.get("password_hash") if account else None
    matched = await asyncio.get_running_loop().run_in_executor(None, accounts.verify_password, stored_hash, password)
    if account is None or not matched:
        raise ApiError(
            401,
            "sign_in_failed",
            "登录名或密码不正确",
            "the login or the password is wrong",
            field="password",
        )
    return account


async def issue_token(request: web.Request, account: View) -> dict[str, Any]:
    """A new sign-in token for ``account`` (a view), registered and written through; the answer to send."""
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    token = secrets.token_urlsafe(32)
    digest = token_sha256(token)
    record = records.DeviceRegistered(
        id=derived_id("credential", digest),
        at=now,
        token_sha256=digest,
        role=account["role"],
        subject_id=account["account_id"],
        display_name=account["display_name"],
        market_id=account.get("market_id"),
        account_id=account["account_id"],
        county=account.get("county"),
        expires_at=now + timedelta(seconds=settings.session_token_ttl_seconds),
    )
    await _publish_through(request, digest, record)
    return {
        "token": token,
        "token_type": "Bearer",
        "credential_id": digest,
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
        "account_id": account["account_id"],
        "role": account["role"],
        "display_name": account["display_name"],
        "county": account.get("county"),
    }


async def post_session_revoke(request: web.Request) -> web.Response:
    """``POST /api/v1/sessions/revoke`` (any credential): sign out; the token is refused from now on."""
    principal = await authenticate(request, *declared_roles(request))
    await _revoke_token(request, principal.token_sha256, principal)
    return web.json_response({"credential_id": principal.token_sha256, "status": "revoked"}, dumps=dumps)


SESSION_REVOKE = Operation(
    "POST",
    "/api/v1/sessions/revoke",
    "session_revoke",
    "Sign out: the token of this request is refused from now on (any credential)",
    handler=post_session_revoke,
    roles=(
        "employer",
        "kiosk",
        "organiser",
        "officer",
        "admin",
    ),
    request=EmptyBody,
    response=CredentialRevokedAnswer,
    tags=("accounts",),
)


async def post_credential_revoke(request: web.Request) -> web.Response:
    """``POST /api/v1/credentials/{credential_id}/revoke`` (administrator): one token (its SHA-256)."""
    principal = await authenticate(request, *declared_roles(request))
    credential_id = request.match_info["credential_id"]
    await _revoke_token(request, credential_id, principal)
    return web.json_response({"credential_id": credential_id, "status": "revoked"}, dumps=dumps)


CREDENTIAL_REVOKE = Operation(
    "POST",
    "/api/v1/credentials/{credential_id}/revoke",
    "credential_revoke",
    "Revoke one token by its credential id (SHA-256), at once (administrator)",
    handler=post_credential_revoke,
    roles=("admin",),
    request=EmptyBody,
    response=CredentialRevokedAnswer,
    not_found=True,
    tags=("accounts",),
)


async def _revoke_token(request: web.Request, digest: str, by: Principal) -> None:
    settings = request.app[SETTINGS]
    prefix = settings.topic_prefix
    view = load(await request.app[REDIS].get(keys.credential(prefix, digest)))
    if view is None:
        raise ApiError(404, "credential_unknown", "没有找到该凭证", "no such credential", field="credential_id")
    record = records.DeviceRegistered(
        id=derived_id("credential-revoked", digest),
        at=request.app[CLOCK](),
        token_sha256=digest,
        role=view["role"],
        subject_id=view["subject_id"],
        display_name=view["display_name"],
        market_id=view.get("market_id"),
        account_id=view.get("account_id"),
        county=view.get("county"),
        revoked=True,
    )
    await request.app[REDIS].set(keys.revoked_token(prefix, digest), by.key, ex=REVOCATION_MARK_SECONDS)
    await _publish_through(request, digest, record)


# ---------------------------------------------------------------- accounts


async def post_employer(request: web.Request) -> web.Response:
    """``POST /api/v1/employers``: an employer registers (a company by credit code, an individual by ID
    number); then signs in with ``POST /api/v1/sessions``. 409 when the login is taken."""
    settings = request.app[SETTINGS]
    address = throttle.client_address(request)
    today = clock.local_date(request.app[CLOCK]())
    try:
        new = parsed(
            EMPLOYERS,
            await _json(request),
            functools.partial(accounts.parse_employer_registration, today=today, key=settings.pseudonym_key),
        )
    except (ApiError, InvalidInput):
        # a refused body counts against the cheaper limit of refused submissions, not the registrations'
        await throttle.enforce(request, "malformed_per_address", address)
        raise
    await throttle.enforce(request, "registration_per_address", address)
    return web.json_response(await _create(request, new), dumps=dumps)


EMPLOYERS = Operation(
    "POST",
    "/api/v1/employers",
    "employers",
    "An employer registers: a company by unified social credit code, an individual by ID number",
    handler=post_employer,
    request=EmployerRegistrationBody,
    response=AccountCreated,
    tags=("accounts",),
    extra_statuses=(*BODY_ERRORS, 409, 429),
    links={
        **links_to("account_id", "account"),
        "sessions": {
            "operationId": "sessions",
            "requestBody": {"login": "$request.body#/credit_code", "password": "$request.body#/password"},
        },
    },
)


async def post_account(request: web.Request) -> web.Response:
    """``POST /api/v1/accounts`` (administrator): a staff account — organiser, county officer or administrator."""
    await authenticate(request, *declared_roles(request))
    key = request.app[SETTINGS].pseudonym_key
    new = parsed(ACCOUNTS, await _json(request), functools.partial(accounts.parse_staff_account, key=key))
    return web.json_response(await _create(request, new), dumps=dumps)


ACCOUNTS = Operation(
    "POST",
    "/api/v1/accounts",
    "accounts",
    "Create a staff account: organiser, county officer or city administrator (administrator)",
    handler=post_account,
    roles=("admin",),
    request=StaffAccountBody,
    response=AccountCreated,
    tags=("accounts",),
    extra_statuses=(*BODY_ERRORS, 409),
    links={
        **links_to("account_id", "account", "account_revoke"),
        "sessions": {
            "operationId": "sessions",
            "requestBody": {"login": "$request.body#/login", "password": "$request.body#/password"},
        },
    },
)


async def post_device(request: web.Request) -> web.Response:
    """``POST /api/v1/devices`` (administrator): a kiosk device bound to a market, and its token (shown once)."""
    await authenticate(request, *declared_roles(request))
    market, name = parsed(DEVICES, await _json(request), accounts.parse_device)
    new = accounts.NewAccount(
        login_key=f"device:{uuid.uuid4()}",
        role="kiosk",
        display_name=name,
        password=None,
        county=market.county,
        market_id=market.market_id,
    )
    created = await _create(request, new)
    account = {**created, "display_name": name, "market_id": market.market_id, "county": market.county}
    issued = await issue_token(request, account)
    return web.json_response(
        {**created, "token": issued["token"], "credential_id": issued["credential_id"]}, dumps=dumps
    )


DEVICES = Operation(
    "POST",
    "/api/v1/devices",
    "devices",
    "Register a kiosk device bound to a market; its token is shown once (administrator)",
    handler=post_device,
    roles=("admin",),
    request=DeviceBody,
    response=DeviceCreated,
    tags=("accounts",),
    extra_statuses=(*BODY_ERRORS, 409),
    links={**links_to("account_id", "account", "account_revoke"), **links_to("credential_id", "credential_revoke")},
)


async def _create(request: web.Request, new: accounts.NewAccount) -> dict[str, Any]:
    settings = request.app[SETTINGS]
    redis = request.app[REDIS]
    account_id = accounts.account_id(new.login_key)
    claim = keys.login_claim(settings.topic_prefix, new.login_key)
    taken = await redis.get(keys.account(settings.topic_prefix, account_id)) is not None
    if taken or not await redis.set(claim, account_id, nx=True):
        raise ApiError(409, "login_taken", "该账号已经注册", "an account with this login already exists", field="login")
    try:
        hashed = None
        if new.password is not None:
            hashed = await asyncio.get_running_loop().run_in_executor(None, accounts.hash_password, new.password)
        record = accounts.registered(new, record_id=str(uuid.uuid4()), at=request.app[CLOCK](), password_hash=hashed)
        await _publish_through(request, f"account:{account_id}", record)
    except BaseException:
        await redis.delete(claim)
        raise
    return {
        "account_id": account_id,
        "role": new.role,
        "county": new.county,
        "market_id": new.market_id,
        "id_masked": new.id_masked,
        "phone_masked": new.phone.masked if new.phone else None,
        "status": "registered",
    }


async def get_account(request: web.Request) -> web.Response:
    """``GET /api/v1/accounts/{account_id}`` (administrator, or a county officer for accounts of their county):
    the account with its masked ID number and phone. Writes an audit record."""
    principal = await authenticate(request, *declared_roles(request))
    view = await _account_or_404(request)
    require_county(principal, view.get("county"))
    shown = {k: v for k, v in view.items() if k not in {"password_hash", "phone_pseudonym", "login_key"}}
    revealed = [f for f in ("id_masked", "phone_masked") if view.get(f)]
    if revealed:
        await audit.record_reveal(
            request,
            principal,
            action="view_account",
            subject=view["account_id"],
            fields=revealed,
            county=view.get("county"),
        )
    return web.json_response(shown, dumps=dumps)


ACCOUNT = Operation(
    "GET",
    "/api/v1/accounts/{account_id}",
    "account",
    "An account with its masked ID number and phone (administrator, or the county's officer); audited",
    handler=get_account,
    roles=(
        "admin",
        "officer",
    ),
    response=AccountView,
    not_found=True,
    tags=("accounts",),
)


async def post_account_revoke(request: web.Request) -> web.Response:
    """``POST /api/v1/accounts/{account_id}/revoke`` (administrator): the account (or device) and every token
    issued to it are refused from now on."""
    principal = await authenticate(request, *declared_roles(request))
    view = await _account_or_404(request)
    prefix = request.app[SETTINGS].topic_prefix
    record = records.AccountRevoked(
        id=str(uuid.uuid4()), at=request.app[CLOCK](), account_id=view["account_id"], revoked_by=principal.key
    )
    await request.app[REDIS].set(
        keys.revoked_account(prefix, view["account_id"]), principal.key, ex=REVOCATION_MARK_SECONDS
    )
    await _publish_through(request, f"account:{view['account_id']}", record)
    return web.json_response({"account_id": view["account_id"], "status": "revoked"}, dumps=dumps)


ACCOUNT_REVOKE = Operation(
    "POST",
    "/api/v1/accounts/{account_id}/revoke",
    "account_revoke",
    "Revoke an account or a kiosk device and every token issued to it, at once (administrator)",
    handler=post_account_revoke,
    roles=("admin",),
    request=EmptyBody,
    response=AccountRevokedAnswer,
    not_found=True,
    tags=("accounts",),
)


# ---------------------------------------------------------------- helpers


async def _account_or_404(request: web.Request) -> View:
    prefix = request.app[SETTINGS].topic_prefix
    view = load(await request.app[REDIS].get(keys.account(prefix, request.match_info["account_id"])))
    if view is None:
        raise ApiError(404, "account_unknown", "没有找到该账号", "no such account", field="account_id")
    return view


async def _publish_through(request: web.Request, key: str, record: records.RegistryRecord) -> None:
    """Publish to the registry topic (acknowledged), then write the projector's views of it to Redis."""
    settings = request.app[SETTINGS]
    await request.app[PUBLISHER].publish(settings.topic(topics.REGISTRY), key.encode(), encode(record))
    redis = request.app[REDIS]
    views = RegistryViews(settings.topic_prefix)
    current: dict[str, View | None] = {}
    wanted = views.keys_for(record)
    for name, raw in zip(wanted, await redis.mget(wanted), strict=True):
        current[name] = load(raw)
    for name, view in views.apply(record, current).items():
        data = dump(view)
        if data is None:
            await redis.delete(name)
        else:
            await redis.set(name, data)


async def _json(request: web.Request) -> Any:
    return decode_json(await request.read())


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    SESSIONS,
    EMPLOYERS,
    ACCOUNTS,
    ACCOUNT,
    ACCOUNT_REVOKE,
    DEVICES,
    CREDENTIAL_REVOKE,
    SESSION_REVOKE,
)
