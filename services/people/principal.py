"""Who is acting: the principal of a request, whichever way it authenticated (a bearer token, a page session).

The gateway's authentication produces it (gateway/auth.py), the pages (web/) and the views read it, and the
domain's access rule (:mod:`services.people.access`) judges it as a viewer. Plain data: no framework, no I/O; its JSON
form is what a page session and a credential view of the registry projection store.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from services.people import access

#: ``worker``: a worker's phone, signed in through the one-time link the kiosk showed (web/worker pages).
Role = access.Role


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated kiosk device, employer, worker's phone or staff account."""

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
        """Who this is, for the county scoping rule of :mod:`services.people.access`."""
        return access.Viewer(self.role, self.county)


def role_allows(role: str, roles: tuple[str, ...]) -> bool:
    """Whether a principal of ``role`` may act in one of ``roles``: its own, or any staff role for the city
    administrator."""
    return role in roles or (role == "admin" and any(r in access.STAFF_ROLES for r in roles))


def principal_to_json(principal: Principal) -> str:
    """The stored form of ``principal`` (every field, Chinese names unescaped)."""
    return json.dumps(dataclasses.asdict(principal), ensure_ascii=False)


def principal_from_json(raw: str | bytes) -> Principal:
    """Inverse of :func:`principal_to_json` (also reads a credential view of the registry projection)."""
    stored = json.loads(raw)
    return principal_of(stored, stored.get("token_sha256", ""))


def principal_of(stored: dict[str, Any], digest: str) -> Principal:
    """The principal of a stored credential view ``stored`` whose token has the SHA-256 ``digest``."""
    return Principal(
        stored["role"],
        stored["subject_id"],
        stored["display_name"],
        stored.get("market_id"),
        county=stored.get("county"),
        account_id=stored.get("account_id"),
        token_sha256=digest,
    )
