"""Projection of the ``registry`` topic into credential and account lookups for the gateway.

``auth:token:<sha256>`` holds the principal a bearer token stands for; a revoked credential is deleted.
``auth:account:<account_id>`` holds an account: role, county, market, the password's argon2 hash and the masked
personal data; a revoked account stays, marked ``revoked``, so that its tokens and sign-ins are refused.
The gateway applies the same function to records it has just published (write-through), so a new token works
at once; the projector's later write is identical.
"""

from __future__ import annotations

from services.people import records as r
from services.readmodels import keys
from services.readmodels.views import View


class RegistryViews:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.RegistryRecord) -> list[str]:
        if isinstance(event, r.DeviceRegistered):
            return [keys.credential(self.prefix, event.token_sha256)]
        return [keys.account(self.prefix, event.account_id)]

    def apply(self, event: r.RegistryRecord, current: dict[str, View | None]) -> dict[str, View | None]:
        if isinstance(event, r.DeviceRegistered):
            return _credential(self.prefix, event)
        key = keys.account(self.prefix, event.account_id)
        if isinstance(event, r.AccountRevoked):
            view = dict(current.get(key) or {"account_id": event.account_id})
            view.update(revoked=True, revoked_at=event.at.isoformat(), revoked_by=event.revoked_by)
            view.pop("password_hash", None)
            return {key: view}
        return {
            key: {
                "account_id": event.account_id,
                "login_key": event.login_key,
                "role": event.role,
                "display_name": event.display_name,
                "password_hash": event.password_hash,
                "county": event.county,
                "market_id": event.market_id,
                "credit_code": event.credit_code,
                "id_masked": event.id_masked,
                "phone_pseudonym": event.phone_pseudonym,
                "phone_masked": event.phone_masked,
                "created_at": event.at.isoformat(),
                "revoked": False,
            }
        }


def _credential(prefix: str, event: r.DeviceRegistered) -> dict[str, View | None]:
    key = keys.credential(prefix, event.token_sha256)
    if event.revoked:
        return {key: None}
    return {
        key: {
            "role": event.role,
            "subject_id": event.subject_id,
            "display_name": event.display_name,
            "market_id": event.market_id,
            "account_id": event.account_id,
            "county": event.county,
            "expires_at": event.expires_at.isoformat() if event.expires_at else None,
        }
    }
