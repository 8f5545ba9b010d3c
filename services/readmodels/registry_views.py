"""Projection of the ``registry`` topic into credential lookups for the gateway.

``auth:token:<sha256>`` holds the principal a bearer token stands for; a revoked credential is deleted.
"""

from __future__ import annotations

from services import records as r
from services.readmodels import keys
from services.readmodels.views import View


class RegistryViews:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.DeviceRegistered) -> list[str]:
        return [keys.credential(self.prefix, event.token_sha256)]

    def apply(self, event: r.DeviceRegistered, current: dict[str, View | None]) -> dict[str, View | None]:
        key = keys.credential(self.prefix, event.token_sha256)
        if event.revoked:
            return {key: None}
        return {
            key: {
                "role": event.role,
                "subject_id": event.subject_id,
                "display_name": event.display_name,
                "market_id": event.market_id,
            }
        }
