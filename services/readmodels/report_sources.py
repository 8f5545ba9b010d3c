"""The reporting, dashboard and supply projections, joined to the projector's per-topic projections.

:class:`Together` runs several projections over one topic: their keys are disjoint, so each applies to its own
keys; the projector writes them all in the batch's one transaction.
"""

from __future__ import annotations

from typing import Any, Protocol

from services.readmodels.dashboard_views import DashboardViews
from services.readmodels.kiosk_views import KioskViews
from services.readmodels.report_views import FairLedgers, MarketLedgers
from services.readmodels.supply_views import FairSupply, GigSupply
from services.readmodels.views import View


class _Projection(Protocol):
    def keys_for(self, event: Any) -> list[str]: ...

    def apply(self, event: Any, current: dict[str, View | None]) -> dict[str, View | None]: ...


class Together:
    """Several projections of one topic, applied in order."""

    def __init__(self, *parts: _Projection) -> None:
        self.parts = parts

    def keys_for(self, event: Any) -> list[str]:
        return [k for part in self.parts for k in part.keys_for(event)]

    def apply(self, event: Any, current: dict[str, View | None]) -> dict[str, View | None]:
        changed: dict[str, View | None] = {}
        for part in self.parts:
            changed.update(part.apply(event, current))
        return changed


def with_market_reporting(prefix: str, base: _Projection, *more: _Projection) -> Together:
    """``base`` (the market views) plus the day ledgers, the dashboard, the gig supply list, the kiosk's
    lookup, queue-place and hall views, and ``more`` (the reliability records, issue 28)."""
    return Together(base, MarketLedgers(prefix), DashboardViews(prefix), GigSupply(prefix), KioskViews(prefix), *more)


def with_fair_reporting(prefix: str, base: _Projection) -> Together:
    """``base`` (the fair views) plus the fair day ledgers and the fair supply list."""
    return Together(base, FairLedgers(prefix), FairSupply(prefix))
