"""One placement stream for reporting: gig-market matches and job-fair hires, each counted once.

A placement starts either at a gig market (``placement_started`` on ``market-events``, from an accepted
offer) or at a job fair (``fair_placement_started`` on ``fair-events``, from a recorded hire). Reporting
reads both topics through :func:`placement_of`, which gives the same :class:`Placement` for either, and counts
distinct ``placement_id`` values. The ids cannot collide: the market derives them from
``("placement", offer_id)``, the fair agent from ``("fair-placement", fair_id, employer_id, worker)``,
both uuid5 in the same namespace over different names.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Literal

from services.fairs import records as fair_records
from services.market import records


@dataclasses.dataclass(frozen=True, slots=True)
class Placement:
    """What reporting counts. ``market_id`` is set for gig placements, ``fair_id`` for fair hires;
    ``county`` is where the work was found (for a city-level fair, the county of its hall)."""

    placement_id: str
    source: Literal["gig_market", "job_fair"]
    at: datetime
    county: str
    market_id: str | None
    fair_id: str | None
    worker: str
    employer_id: str
    trade: str
    wage: int
    wage_unit: Literal["day", "month"]


def placement_of(event: object) -> Placement | None:
    """The placement an event starts, or ``None`` for every other event of either stream."""
    if isinstance(event, records.PlacementStarted):
        return Placement(
            placement_id=event.placement_id,
            source="gig_market",
            at=event.at,
            county=event.county,
            market_id=event.market_id,
            fair_id=None,
            worker=event.worker,
            employer_id=event.employer_id,
            trade=event.trade,
            wage=event.day_wage,
            wage_unit="day",
        )
    if isinstance(event, fair_records.FairPlacementStarted):
        return Placement(
            placement_id=event.placement_id,
            source="job_fair",
            at=event.at,
            county=event.venue_county,
            market_id=None,
            fair_id=event.fair_id,
            worker=event.worker,
            employer_id=event.employer_id,
            trade=event.trade,
            wage=event.wage,
            wage_unit=event.wage_unit,
        )
    return None
