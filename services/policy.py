"""The allocation policy of a market: who is offered a job first, and why.

Order of consideration for a place, the same in every market:
1. **Tier.** Workers of a higher priority tier come first, always: an offer never goes to a worker while a
   free worker of a better tier is eligible for that place. Default tiers: 0 退役军人 green channel;
   1 脱贫 / 易地搬迁 / 残疾 / 长期失业 / 零就业 / 低保; 2 everyone else.
2. **Within a tier**, one of four rules, chosen per market (setting ``LINGONG_MARKET_POLICIES_SPEC``):
   - ``fcfs``: first come, first served by ticket number, place by place. Nobody can buy or argue a place;
     simplest to explain; no offer is ever a within-tier reordering.
   - ``lottery``: place by place, the tier's eligible workers in the order of SHA-256 of a published seed,
     the day and the check-in id (:meth:`AllocationPolicy.draw`). For markets where sign-in order rewards
     those who can arrive earliest (e.g. relocation sites far from the market). Anyone can recompute the draw
     from the seed; the draw is the queue order, so no offer is a reordering.
   - ``max_fill`` (the default): a maximum matching of every open place and every free worker, built in
     priority order (tier, then the worker who fits the fewest of today's jobs, then ticket) with augmenting
     paths (:mod:`services.market.allocation`). It fills at least as many of the places offered at once as place by
     place would, never at the cost of a better tier. Its cost: an offer may go to a later ticket of the tier
     while an earlier ticket eligible for that place is left without an offer in that decision; such an offer
     is marked ``reordered`` and counted.
   With ``max_fill:<seconds>`` (``window_seconds``), a new request's places are not offered until the request
   has been open that long, or until the local time is within ``start_soon_minutes`` of the job's start,
   whichever comes first; meanwhile the matching still counts those places, so the workers it would give them
   are not offered other places. Offers then come later: a worker hears of a job up to the window after they
   could have. Nothing here bounds how close to the start an offer is made: a request that is still open is
   offered, at its start or after it, to whoever fits.
   - ``rolling`` (``rolling[:<lead minutes>]``, default lead 30): the ``max_fill`` plan, re-solved on every
     command over every open place known today and every free worker, but a place is offered only once its
     job starts within ``lead_minutes``. Until then nobody is committed to it, so a worker who arrives or a
     request posted meanwhile can still change the plan. The places that are due are covered first (of the
     maximum matchings, one that fills the places that cannot wait); a due place goes to an earlier ticket
     the plan keeps for a later place when the planned worker can take that place instead. A free worker of
     a better tier is never passed over: before a due place goes to anyone, every free, eligible worker of a
     better tier is offered the place the plan keeps for them, at once and earlier in the same decision,
     even if it is not due yet (pulled forward). What it trades: the highest fill (0.97 of the offline
     optimum on the benchmark with a 30-minute lead, 0.98 with 15, against 0.95 for ``max_fill:3600`` and
     0.91 for ``fcfs`` or ``max_fill``) for time and queue order: a worker hears of a job about the lead
     time before it starts, not when both are at the market (median about 50 minutes later, p90 about
     2 hours), and about 45 % of its offers pass over an earlier ticket of the tier the plan keeps for
     another place (``reordered``). A shorter lead fills more and tells later; a longer one the reverse
     (60 minutes: 0.95). Per command it costs one matching of the market's free workers and open places
     (augmenting paths), as ``max_fill`` does: no solver over the whole day. The places the plan keeps for
     workers are told to them at once as tentative offers (``PlaceHeld``, issue 26; docs/offers.md), which the
     re-solved plan may move; ``rolling:<lead>:keep`` has each worker try the place they hold first (after the
     due places), so tentative offers move less often, for slightly fewer places filled.
3. **Which place first** (``fcfs`` and ``lottery``): soonest start, then the trade with the fewest check-ins
   in the market today, then posting order. Within ``max_fill``, a worker is tried on the request the fewest
   of today's workers fit first; within ``rolling``, on the due requests first, then likewise.

What each rule fills on the matching benchmark, and what it costs in waiting and reorderings:
``docs/matching-benchmark.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Literal

WithinTier = Literal["fcfs", "lottery", "max_fill", "rolling"]

DEFAULT_TIERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("green_channel", frozenset({"veteran"})),
    (
        "priority",
        frozenset(
            {
                "poverty_alleviated",
                "relocated",
                "disabled",
                "long_term_unemployed",
                "zero_employment_family",
                "minimum_living_allowance",
            }
        ),
    ),
)


@dataclasses.dataclass(frozen=True, slots=True)
class AllocationPolicy:
    within_tier: WithinTier = "max_fill"
    lottery_seed: str = ""
    tiers: tuple[tuple[str, frozenset[str]], ...] = DEFAULT_TIERS
    #: ``max_fill`` only: how long a new request's places wait before they are offered, so that they are
    #: matched together with the places and workers that arrive meanwhile (0: at once).
    window_seconds: int = 0
    #: ...unless the local time is within this many minutes of the job's start: then they are offered at once.
    start_soon_minutes: int = 45
    #: ``rolling`` only: a place is offered once its job starts within this many minutes (not earlier, unless
    #: a better-tier worker the plan keeps for it must be offered first).
    lead_minutes: int = 30
    #: ``rolling`` only (``rolling:<lead>:keep``): when the plan is solved again, each worker tries the place it
    #: holds (its tentative offer) right after the due places, so that tentative offers move less often.
    keep_held: bool = False

    @property
    def general_tier(self) -> int:
        return len(self.tiers)

    def tier_of(self, groups: tuple[str, ...]) -> int:
        """The best (lowest) tier any of ``groups`` belongs to; the general tier if none."""
        for index, (_, members) in enumerate(self.tiers):
            if members.intersection(groups):
                return index
        return self.general_tier

    def tier_name(self, tier: int) -> str:
        """The name of ``tier`` (``"general"`` for the tier of those in no group)."""
        return self.tiers[tier][0] if tier < len(self.tiers) else "general"

    def draw(self, day: str, checkin_id: str) -> str:
        """The lottery key of a check-in: reproducible from the published seed and the day."""
        return hashlib.sha256(f"{self.lottery_seed}/{day}/{checkin_id}".encode()).hexdigest()


def parse_policies(spec: str) -> Mapping[str, AllocationPolicy]:
    """Per-market policies from a setting like ``"zs-market=lottery:2026;pz-market=fcfs"``.

    Markets not named use the default policy. Raises ``ValueError`` naming the bad part.
    """
    out: dict[str, AllocationPolicy] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        market, sep, rule = part.partition("=")
        name, _, seed = rule.partition(":")
        if not sep or name not in ("fcfs", "lottery", "max_fill", "rolling"):
            raise ValueError(
                f"bad market policy {part!r}: expected "
                "<market>=fcfs|lottery:<seed>|max_fill[:<window seconds>]|rolling[:<lead minutes>[:keep]]"
            )
        if name == "rolling":
            lead, _, keep = seed.partition(":")
            if (lead and not lead.isdigit()) or keep not in ("", "keep"):
                raise ValueError(
                    f"bad market policy {part!r}: the rolling lead time is whole minutes, then :keep or not"
                )
            policy = AllocationPolicy(within_tier="rolling", lead_minutes=int(lead or 30), keep_held=keep == "keep")
            out[market.strip()] = policy
            continue
        if name == "max_fill":
            if seed and not seed.isdigit():
                raise ValueError(f"bad market policy {part!r}: the max_fill window is whole seconds")
            out[market.strip()] = AllocationPolicy(within_tier="max_fill", window_seconds=int(seed or 0))
        else:
            out[market.strip()] = AllocationPolicy(within_tier=name, lottery_seed=seed)  # type: ignore[arg-type]
    return out
