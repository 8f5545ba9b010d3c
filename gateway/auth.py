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

Role = Literal["kiosk", "employer", "organiser", "officer"]


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


async def authenticate(request: web.Request, role: Role) -> Principal:
    """The principal behind the request's bearer token, which must have ``role``; else 401 / 403."""
    header = request.headers.get("Authorization", "")
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
    if principal.role != role:
        raise ApiError(403, "wrong_role", "此凭证无权执行该操作", f"this needs a {role} credential")
    return principal
