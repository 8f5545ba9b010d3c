"""Projection of the roster's ``worker-events``: a refused check-in shows on its ticket, with the reason."""

from __future__ import annotations

from services.market import records as r
from services.readmodels import keys
from services.readmodels.views import View, already_applied, mark_applied


class WorkerViews:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.WorkerEvent) -> list[str]:
        if isinstance(event, r.CheckInRefused):
            return [keys.ticket(self.prefix, event.checkin_id)]
        return []

    def apply(self, event: r.WorkerEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        if not isinstance(event, r.CheckInRefused):
            return {}
        key = keys.ticket(self.prefix, event.checkin_id)
        view = current.get(key)
        if already_applied(view, event.id):
            return {}
        refused: View = {
            **(view or {}),
            "checkin_id": event.checkin_id,
            "market_id": event.market_id,
            "county": event.county,
            "status": "refused",
            "updated_at": event.at.isoformat(),
            "refusal": {
                "rule": event.rule,
                "message_zh": event.message_zh,
                "message_en": event.message_en,
                "active_market_id": event.active_market_id,
            },
        }
        return {key: mark_applied(refused, event.id)}
