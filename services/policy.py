"""The allocation policy of a market: who is offered a job first, and why.

Order of consideration for a place, the same in every market:
1. **Tier.** Workers of a higher priority tier come first, always: no eligible worker of a higher tier is ever
   passed over. Default tiers: 0 退役军人 green channel; 1 脱贫 / 易地搬迁 / 残疾 / 长期失业 / 零就业 / 低保;
   2 everyone else.
2. **Within a tier**, one of three rules, chosen per market (setting ``LINGONG_MARKET_POLICIES_SPEC``):
   - ``fcfs`` first come, first served by ticket number, place by place. Nobody can buy or argue a place;
     simplest to explain; fills the fewest places (about 0.91 of the day's offline optimum on the benchmark).
   - ``lottery`` place by place, a draw among the tier's eligible workers ordered by SHA-256 of a published
     seed, the day and the check-in id. For markets where sign-in order rewards those who can arrive earliest
     (e.g. relocation sites far from the market). Anyone can recompute the draw from the seed.
   - ``max_fill`` (default): a matching over every open place and every free worker, built in priority order
     (tier, then the worker who fits the fewest of today's jobs, then ticket) with augmenting paths, so it is
     a maximum matching that never leaves out a higher tier where a lower one could give way. Optionally a
     request waits ``window_seconds`` (or until its job starts within ``start_soon_minutes``) before its places
     are offered; meanwhile the plan keeps the workers it needs. Costs: a later ticket of the same tier may be
     offered first (marked ``reordered``, counted), and with a window, offers come later. Measured on the
     benchmark: window 0 about 0.92 of the optimum with offers at once; window 3600 s about 0.98, with
     offers a median of ~40 minutes after both sides arrived (always at least 30 minutes before the start).
3. **Which place first.** Soonest start, then the trade with the fewest workers in the market today, then
   posting order; within ``max_fill``, a worker is tried on the hardest-to-fill request first.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Literal

WithinTier = Literal["fcfs", "lottery", "max_fill"]

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
    #: ``max_fill`` only: how long a new request waits so that its places are matched in a batch.
    window_seconds: int = 0
    #: ...unless the job starts within this many minutes: then it is offered at once.
    start_soon_minutes: int = 45

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
        if not sep or name not in ("fcfs", "lottery", "max_fill"):
            raise ValueError(
                f"bad market policy {part!r}: expected <market>=fcfs|lottery:<seed>|max_fill[:<window seconds>]"
            )
        if name == "max_fill":
            if seed and not seed.isdigit():
                raise ValueError(f"bad market policy {part!r}: the max_fill window is whole seconds")
            out[market.strip()] = AllocationPolicy(within_tier="max_fill", window_seconds=int(seed or 0))
        else:
            out[market.strip()] = AllocationPolicy(within_tier=name, lottery_seed=seed)  # type: ignore[arg-type]
    return out
