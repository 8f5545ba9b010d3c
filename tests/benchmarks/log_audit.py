"""Replaying a market-events log to audit the platform's decisions: fills, tier inversions, within-tier
reorderings, and eligibility of every offer.

The audit rebuilds each market's queue from the facts alone (``WorkerQueued``, ``JobRequestOpened``, offers
and their outcomes), in log order, and looks at every ``OfferMade`` at the moment it was made:

* a worker is *free* when they hold no open offer and no accepted job (one job per worker per day); if the log
  shows a worker offered again after accepting (several short jobs a day), free means no accepted job whose
  hours overlap the offered one;
* *eligible* is the engine's rule: the job's trade is one of theirs, wage >= their minimum, the job's hours
  inside theirs, and they have not already declined or let expire this request;
* workers offered something by the same command (one decision batch) were not passed over and are left out;
* **tier inversion**: a free, eligible worker of a better tier (a lower tier number) was waiting;
* **within-tier reordering**: a free, eligible worker of the same tier with an earlier ticket was waiting.

Tiers come from the facts (``WorkerQueued.tier``) when the engine records them, else from the policy groups
with :func:`default_tier` (the order DESIGN.md names: veterans' green channel first, then the other policy
groups, then everyone else).

Events are deduplicated by id (the agents are at-least-once). Records of a type this version does not know
are counted and skipped.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from services.market import records as r

#: tier 0 is served first (the numbering of ``services/policy.py``: 0 green channel, 1 priority, 2 general)
TIER_OF_GROUP: Mapping[str, int] = {
    "veteran": 0,
    "poverty_alleviated": 1,
    "relocated": 1,
    "disabled": 1,
    "long_term_unemployed": 1,
    "zero_employment_family": 1,
    "minimum_living_allowance": 1,
}
DEFAULT_TIER = 2

_PlacementCancelled = getattr(r, "PlacementCancelled", None)  # newer engines only


def default_tier(groups: Iterable[str]) -> int:
    return min((TIER_OF_GROUP.get(g, DEFAULT_TIER) for g in groups), default=DEFAULT_TIER)


@dataclasses.dataclass(slots=True)
class _Worker:
    checkin_id: str
    ticket: int
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int
    available_until: int
    tier: int
    offer: str | None = None
    jobs: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    passed: set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass(slots=True)
class _Request:
    request_id: str
    trade: str
    day_wage: int
    start: int
    end: int


@dataclasses.dataclass(slots=True)
class Audit:
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    refused: int = 0
    cancelled_placements: int = 0
    #: offers the engine itself marked ``reordered`` (when its facts carry the field)
    engine_marked_reordered: int = 0
    duplicates: int = 0
    tier_inversions: int = 0
    within_tier_reorderings: int = 0
    ineligible_offers: int = 0
    offers_by_tier: dict[int, int] = dataclasses.field(default_factory=dict)
    placements_by_tier: dict[int, int] = dataclasses.field(default_factory=dict)
    tier_source: str = "groups"
    multi_job: bool = False
    examples: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: (simulated time, market, checkin_id, request_id) of every acceptance, in log order
    acceptances: list[tuple[datetime, str, str, str]] = dataclasses.field(default_factory=list)
    #: checkin_id → simulated seconds from queued to first offer
    first_offer_wait: dict[str, float] = dataclasses.field(default_factory=dict)
    #: per OfferMade, simulated seconds from max(WorkerQueued.at, JobRequestOpened.at) to OfferMade.at: how
    #: long the pair had both been at the market before the offer (a window holds offers on purpose)
    offer_waits: list[float] = dataclasses.field(default_factory=list)
    #: checkin_ids of the workers some within-tier reordering passed over (an earlier ticket left waiting)
    passed_over: set[str] = dataclasses.field(default_factory=set)

    @property
    def passed_over_never_placed(self) -> int:
        """Workers passed over by a within-tier reordering who accepted no job all day."""
        placed = {checkin_id for _, _, checkin_id, _ in self.acceptances}
        return len(self.passed_over - placed)

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        del out["acceptances"], out["first_offer_wait"], out["offer_waits"], out["passed_over"]
        out["offers_by_tier"] = {str(k): v for k, v in sorted(self.offers_by_tier.items())}
        out["placements_by_tier"] = {str(k): v for k, v in sorted(self.placements_by_tier.items())}
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class Decoded:
    events: list[r.MarketEvent]
    undecodable: int
    #: checkin_id → the tier the engine wrote on ``WorkerQueued``, when the wire record has one
    fact_tiers: dict[str, int]


def decode_all(raw: Iterable[bytes]) -> Decoded:
    """Decoded events in the given order; records this version cannot decode are counted."""
    out: list[r.MarketEvent] = []
    bad = 0
    tiers: dict[str, int] = {}
    for value in raw:
        try:
            event = r.decode_event(value)
        except Exception:
            bad += 1
            continue
        out.append(event)
        if isinstance(event, r.WorkerQueued):
            tier = json.loads(value).get("tier")  # on the wire, not a default of this version's struct
            if isinstance(tier, int):
                tiers[event.checkin_id] = tier
    return Decoded(out, bad, tiers)


def audit(
    events: Iterable[r.MarketEvent],
    groups_of: Callable[[str], Iterable[str]] | None = None,
    *,
    fact_tiers: Mapping[str, int] | None = None,
    examples: int = 10,
) -> Audit:
    """Audit events given in log order per market (any interleaving of markets).

    ``fact_tiers`` are the tiers written by the engine (see :func:`decode_all`); without them a worker's tier
    is :func:`default_tier` of ``groups_of(checkin_id)``.
    """
    seen: set[str] = set()
    unique: list[r.MarketEvent] = []
    result = Audit()
    for event in events:
        if event.id in seen:
            result.duplicates += 1
            continue
        seen.add(event.id)
        unique.append(event)
    placed: set[str] = set()
    for event in unique:
        if isinstance(event, r.OfferAccepted):
            placed.add(event.checkin_id)
        elif isinstance(event, r.OfferMade) and event.checkin_id in placed:
            result.multi_job = True
    fact_tiers = fact_tiers or {}
    result.tier_source = "facts" if fact_tiers else "groups"

    # one command is one decision batch: its offers are made together
    offered_by_command: dict[str, set[str]] = {}
    for event in unique:
        if isinstance(event, r.OfferMade):
            offered_by_command.setdefault(event.command_id, set()).add(event.checkin_id)
    markets: dict[str, tuple[dict[str, _Worker], dict[str, _Request]]] = {}
    queued_at: dict[str, datetime] = {}
    opened_at: dict[str, datetime] = {}
    for event in unique:
        workers, requests = markets.setdefault(event.market_id, ({}, {}))
        batch_offered = offered_by_command.get(event.command_id, set())
        if isinstance(event, r.WorkerQueued):
            if event.checkin_id in fact_tiers:
                tier = fact_tiers[event.checkin_id]
            else:
                tier = default_tier(groups_of(event.checkin_id) if groups_of else ())
            workers[event.checkin_id] = _Worker(
                event.checkin_id,
                event.ticket_no,
                tuple(event.trades),
                event.min_day_wage,
                event.available_from,
                event.available_until,
                tier,
            )
            queued_at[event.checkin_id] = event.at
        elif isinstance(event, r.JobRequestOpened):
            requests[event.request_id] = _Request(
                event.request_id, event.trade, event.day_wage, event.start, event.start + event.hours * 60
            )
            opened_at[event.request_id] = event.at
        elif isinstance(event, r.OfferMade):
            _check_offer(event, workers, requests, batch_offered, result, examples)
            worker = workers.get(event.checkin_id)
            if worker is not None:
                worker.offer = event.offer_id
                result.offers_by_tier[worker.tier] = result.offers_by_tier.get(worker.tier, 0) + 1
                if event.checkin_id in queued_at and event.checkin_id not in result.first_offer_wait:
                    wait = (event.at - queued_at[event.checkin_id]).total_seconds()
                    result.first_offer_wait[event.checkin_id] = wait
            if event.checkin_id in queued_at and event.request_id in opened_at:
                both_at = max(queued_at[event.checkin_id], opened_at[event.request_id])
                result.offer_waits.append((event.at - both_at).total_seconds())
            result.offers += 1
            if getattr(event, "reordered", False):
                result.engine_marked_reordered += 1
        elif isinstance(event, r.OfferAccepted):
            result.accepted += 1
            worker = workers.get(event.checkin_id)
            request = requests.get(event.request_id)
            if worker is not None:
                worker.offer = None
                if request is not None:
                    worker.jobs.append((request.start, request.end))
                result.placements_by_tier[worker.tier] = result.placements_by_tier.get(worker.tier, 0) + 1
            result.acceptances.append((event.at, event.market_id, event.checkin_id, event.request_id))
        elif isinstance(event, r.OfferDeclined | r.OfferExpired):
            if isinstance(event, r.OfferDeclined):
                result.declined += 1
            else:
                result.expired += 1
            worker = workers.get(event.checkin_id)
            if worker is not None:
                worker.offer = None
                worker.passed.add(event.request_id)
        elif isinstance(event, r.CommandRefused):
            result.refused += 1
        elif _PlacementCancelled is not None and isinstance(event, _PlacementCancelled):
            result.cancelled_placements += 1
    return result


def _free(worker: _Worker, request: _Request, multi_job: bool) -> bool:
    if worker.offer is not None:
        return False
    if not multi_job:
        return not worker.jobs
    return all(end <= request.start or start >= request.end for start, end in worker.jobs)


def _eligible(worker: _Worker, request: _Request) -> bool:
    return (
        request.trade in worker.trades
        and request.day_wage >= worker.min_day_wage
        and request.start >= worker.available_from
        and request.end <= worker.available_until
        and request.request_id not in worker.passed
    )


def _check_offer(
    event: r.OfferMade,
    workers: Mapping[str, _Worker],
    requests: Mapping[str, _Request],
    batch_offered: set[str],
    result: Audit,
    examples: int,
) -> None:
    chosen = workers.get(event.checkin_id)
    request = requests.get(event.request_id)
    if chosen is None or request is None:
        result.ineligible_offers += 1
        return
    if not (_free(chosen, request, result.multi_job) and _eligible(chosen, request)):
        result.ineligible_offers += 1
    better: list[_Worker] = []
    earlier: list[_Worker] = []
    for other in workers.values():
        if other is chosen or other.checkin_id in batch_offered:
            continue
        if other.tier > chosen.tier or (other.tier == chosen.tier and other.ticket > chosen.ticket):
            continue
        if not (_free(other, request, result.multi_job) and _eligible(other, request)):
            continue
        if other.tier < chosen.tier:
            better.append(other)
        else:
            earlier.append(other)
    if better:
        result.tier_inversions += 1
    elif earlier:
        result.within_tier_reorderings += 1
        result.passed_over.update(w.checkin_id for w in earlier)
    if (better or earlier) and len(result.examples) < examples:
        passed = min(better or earlier, key=lambda w: (w.tier, w.ticket))
        result.examples.append(
            {
                "kind": "tier_inversion" if better else "within_tier_reordering",
                "market_id": event.market_id,
                "offer_id": event.offer_id,
                "request_id": event.request_id,
                "chosen": {"ticket": chosen.ticket, "tier": chosen.tier},
                "passed_over": {"ticket": passed.ticket, "tier": passed.tier},
                "rule": event.rule,
            }
        )
