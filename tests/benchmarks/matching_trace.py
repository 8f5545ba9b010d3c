"""A seeded synthetic morning rush at the gig markets of Liupanshui: who checks in, which jobs are posted, and
how each worker would answer each offer.

Contracts:

* ``generate(seed)`` is deterministic: the same seed and parameters give the same trace, byte for byte (no
  global random state, no clock, no environment). It writes nothing.
* Times: arrivals and postings are aware UTC instants inside the morning window (local Asia/Shanghai, 06:00 to
  08:00 by default); ``available_from`` / ``available_until`` / ``start`` are minutes since local midnight, as
  on the wire.
* A worker's answer to an offer is a pure function of (seed, worker, request) — :meth:`Trace.answer` — so it
  does not depend on which engine made the offer or when; the offline optimum knows it too.
* The trace is built to look like a morning at a 零工市场, not to favour any matching engine: popular and
  scarce trades (supply and demand weights differ), workers with one to three related trades, a spread of
  minimum and offered wages, short and full-day availability, short and full-day jobs. Every knob is in
  :class:`TraceParams` and goes into the results file.
* Every request is one the gateway admits: it is a rush of valid requests (invalid input is tested
  elsewhere). In particular an offered day wage below the legal minimum for its hours in its market's county
  (``hours`` × the county's rate under the gateway's default policy,
  :meth:`services.screening.postings.Policy.county_minimum`) is raised to that minimum, rounded up to 10 yuan, as
  a lawful employer would post it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from services import clock, geography, trades
from services.market import request_life
from services.people import identity
from services.screening import postings as screening

#: Policy groups sent in the check-in's ``groups`` field (contract with the matching engine).
GROUPS: tuple[str, ...] = ("veteran", "poverty_alleviated", "relocated", "disabled", "long_term_unemployed")


@dataclasses.dataclass(frozen=True, slots=True)
class TradeProfile:
    """How common a trade is among the workers (``supply``) and in the jobs (``demand``), relative weights,
    and its typical day wage in yuan. ``family`` groups trades a worker tends to list together."""

    code: str
    supply: float
    demand: float
    base_wage: int
    family: Literal["construction", "farm", "service", "other"]


#: Relative weights: common day work is plentiful on both sides; certified and brand trades (electrician,
#: welder, miner, care worker) are asked for more often than workers list them.
TRADE_PROFILES: tuple[TradeProfile, ...] = (
    TradeProfile("porter", 18, 16, 180, "construction"),
    TradeProfile("general_labourer", 14, 12, 160, "construction"),
    TradeProfile("mason", 12, 13, 260, "construction"),
    TradeProfile("cleaner", 11, 9, 150, "service"),
    TradeProfile("rebar_worker", 5, 6, 240, "construction"),
    TradeProfile("carpenter", 4, 5, 260, "construction"),
    TradeProfile("painter", 4, 4, 230, "construction"),
    TradeProfile("picker", 5, 5, 140, "farm"),
    TradeProfile("kitchen_hand", 4, 4, 160, "service"),
    TradeProfile("housekeeper", 4, 3, 170, "service"),
    TradeProfile("security_guard", 3, 2, 150, "service"),
    TradeProfile("gardener", 3, 3, 160, "farm"),
    TradeProfile("tea_picker", 2, 2.5, 140, "farm"),
    TradeProfile("kiwi_grower", 1.5, 2, 150, "farm"),
    TradeProfile("rosa_roxburghii_picker", 1.5, 2, 140, "farm"),
    TradeProfile("driver", 2, 2.5, 250, "other"),
    TradeProfile("plumber_electrician", 2, 3, 280, "construction"),
    TradeProfile("electrician", 1.5, 3, 320, "construction"),
    TradeProfile("welder", 1.5, 3, 300, "construction"),
    TradeProfile("care_worker", 1.5, 2, 200, "service"),
    TradeProfile("mutton_soup_cook", 1, 1.5, 180, "service"),
    TradeProfile("miner", 1, 2, 350, "other"),
)
PROFILES: Mapping[str, TradeProfile] = {p.code: p for p in TRADE_PROFILES}

#: Trades more common in some markets than the city average (multiplier on both supply and demand).
LOCAL_TRADES: Mapping[str, Mapping[str, float]] = {
    "pz-market": {"miner": 3.0},
    "lz-market": {"miner": 2.0, "tea_picker": 2.0},
    "sc-market": {"kiwi_grower": 3.0, "rosa_roxburghii_picker": 3.0, "tea_picker": 2.0},
}

#: 18-digit ID numbers are drawn with these (Liupanshui) region codes.
REGION_CODES: tuple[str, ...] = ("520201", "520203", "520221", "520281")


@dataclasses.dataclass(frozen=True, slots=True)
class TraceParams:
    """Every knob of the synthetic morning. Defaults: about 1,500 workers and 1,300 positions."""

    day: str = "2026-11-26"  # a Thursday
    window_start: str = "06:00"  # local Asia/Shanghai
    window_minutes: int = 120
    workers: int = 1500
    positions: int = 1300
    #: market id → share of workers and of positions
    markets: tuple[tuple[str, float], ...] = (
        ("zs-market", 0.30),
        ("sc-market", 0.22),
        ("pz-market", 0.22),
        ("lz-market", 0.14),
        ("gx-market", 0.12),
    )
    #: P(1, 2, 3 trades) per worker
    trades_per_worker: tuple[float, float, float] = (0.5, 0.35, 0.15)
    #: P(an extra trade is from the same family as the first) (else any trade, by supply weight)
    same_family_extra: float = 0.7
    #: P(headcount = 1..5) per request
    headcount: tuple[float, ...] = (0.30, 0.25, 0.20, 0.15, 0.10)
    #: worker minimum wage = base × U(low, high); offered wage = base × N(1, sd) clipped; both rounded to 10
    min_wage_factor: tuple[float, float] = (0.80, 1.10)
    offered_wage_sd: float = 0.12
    offered_wage_clip: tuple[float, float] = (0.75, 1.40)
    #: the legal minimum hourly wage (yuan) the gateway applies by default in a county outside the county table
    #: (services/minimum_wage.py): no offered day wage is below hours × its county's rate (rounded up to 10 yuan)
    minimum_hourly_wage_yuan: str = "17.2"
    #: arrivals and postings over the window: Beta(a, b) of the window
    arrival_beta: tuple[float, float] = (2.0, 3.0)
    posting_beta: tuple[float, float] = (1.3, 1.6)
    #: P(a worker arrives in a second wave, Beta(``second_wave_beta``) of the window, instead of
    #: ``arrival_beta``): two waves of arrivals. 0 (the default) draws nothing.
    second_wave: float = 0.0
    second_wave_beta: tuple[float, float] = (8.0, 2.0)
    #: P(available from arrival) else from arrival + 30..120 min
    available_at_arrival: float = 0.75
    #: P(a worker declares hours from the window's start, "any time today", whenever they arrive): such a worker
    #: who arrives late fits jobs that have already started, the case the late-start grace is for. 0 (the
    #: default) draws nothing, so the traces of the default parameters are unchanged.
    available_all_day: float = 0.0
    #: P(full day until 17:00-20:00, half day until 12:00-14:00, short until 10:00-11:30)
    availability_kind: tuple[float, float, float] = (0.75, 0.15, 0.10)
    #: job start = posting + U(min, max) minutes, rounded up to a quarter hour
    start_after_posting: tuple[int, int] = (30, 180)
    #: P(a request is posted with 现在就要人, ``start_now``: the job starts at the posting's minute, rounded up).
    #: 0 (the default) draws nothing.
    start_now: float = 0.0
    #: P(an offered day wage is posted as drawn, not raised to the county's legal minimum: the gateway refuses
    #: the ones below it, and they are out of the optimum). 0 (the default) draws nothing.
    unlawful_wage: float = 0.0
    #: trade → multiplier of its supply and demand weights (0 leaves it out of the morning): the trade mix
    trade_weights: tuple[tuple[str, float], ...] = ()
    #: P(hours 8, 9-10, 4-6, 2-3)
    hours_kind: tuple[float, float, float, float] = (0.45, 0.20, 0.15, 0.20)
    #: share of workers with one or more policy groups, and the groups' relative weights
    group_share: float = 0.15
    group_weights: tuple[float, ...] = (0.20, 0.35, 0.20, 0.10, 0.15)
    #: P(a second group | some group)
    second_group: float = 0.15
    employers: int = 24
    #: P(accept an offer); the rest decline
    accept: float = 0.90
    #: answer delay in simulated seconds: lognormal with this median, clipped
    answer_median_seconds: float = 60.0
    answer_clip_seconds: tuple[float, float] = (15.0, 240.0)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: Named variants of the default parameters (``run_matching --trace NAME``; result files get ``-NAME``).
#: ``late-rush``: workers come late in the window (Beta(3, 1.5)), jobs are posted early (Beta(1.2, 2.5)) and start
#: 15-90 minutes after posting, and half the workers declare hours from 06:00 whenever they arrive: many late
#: arrivals fit jobs that have already started, the morning that placed workers on started jobs (issue 23).
VARIANTS: Mapping[str, Mapping[str, Any]] = {
    "late-rush": {
        "arrival_beta": (3.0, 1.5),
        "posting_beta": (1.2, 2.5),
        "start_after_posting": (15, 90),
        "available_all_day": 0.5,
    },
}


@dataclasses.dataclass(frozen=True, slots=True)
class TraceWorker:
    index: int
    market_id: str
    arrive_at: datetime  # aware, UTC
    id_number: str  # synthetic, valid check character; nobody's number
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int  # minutes since local midnight
    available_until: int
    groups: tuple[str, ...]

    @property
    def certificates(self) -> tuple[str, ...]:
        """The worker holds the certificate of every trade they list that needs one (an electrician has the
        电工证): requests for those trades require it by default, and the offline optimum assumes it."""
        return tuple(t for t in self.trades if trades.TRADES_BY_CODE[t].certificate is not None)

    def checkin_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id_number": self.id_number,
            "trades": list(self.trades),
            "min_day_wage": self.min_day_wage,
            "available_from": clock.format_hhmm(self.available_from),
            "available_until": clock.format_hhmm(self.available_until),
            "groups": list(self.groups),
        }
        if self.certificates:  # the gateway refuses an empty list
            body["certificates"] = list(self.certificates)
        return body


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequest:
    index: int
    market_id: str
    employer: int
    posted_at: datetime  # aware, UTC
    trade: str
    headcount: int
    day_wage: int
    start: int  # minutes since local midnight
    hours: int
    place: str
    #: posted with 现在就要人 (``start_now: true``): ``start`` is the posting's minute rounded up, as the gateway
    #: sets it
    start_now: bool = False

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "market_id": self.market_id,
            "trade": self.trade,
            "headcount": self.headcount,
            "day_wage": self.day_wage,
            "start": clock.format_hhmm(self.start),
            "hours": self.hours,
            "place": self.place,
        }
        if self.start_now:
            body["start_now"] = True
        return body

    @property
    def end(self) -> int:
        return self.start + self.hours * 60


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    accept: bool
    delay_seconds: float  # simulated seconds after the offer is seen


@dataclasses.dataclass(frozen=True, slots=True)
class Trace:
    seed: int
    params: TraceParams
    starts_at: datetime  # aware, UTC: the start of the morning window
    workers: tuple[TraceWorker, ...]
    requests: tuple[TraceRequest, ...]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.params.window_minutes)

    @property
    def positions(self) -> int:
        return sum(q.headcount for q in self.requests)

    def local_midnight(self) -> datetime:
        return clock.local_midnight_utc(clock.local_date(self.starts_at))

    def at_minutes(self, minutes: int) -> datetime:
        """The UTC instant of ``minutes`` since local midnight on the trace's day."""
        return self.local_midnight() + timedelta(minutes=minutes)

    def answer(self, worker_index: int, request_index: int) -> Answer:
        """How this worker answers an offer on this request: a pure function of the seed and the pair."""
        digest = hashlib.blake2b(f"{self.seed}/{worker_index}/{request_index}".encode(), digest_size=16).digest()
        u1 = int.from_bytes(digest[:8], "big") / 2**64
        u2 = int.from_bytes(digest[8:], "big") / 2**64
        p = self.params
        low, high = p.answer_clip_seconds
        delay = p.answer_median_seconds * float(_lognormal_factor(u2))
        return Answer(accept=u1 < p.accept, delay_seconds=min(max(delay, low), high))

    def timeline(self) -> list[tuple[datetime, Literal["checkin", "request"], int]]:
        """Every arrival and posting in time order (ties: postings first, then by index)."""
        items: list[tuple[datetime, Literal["checkin", "request"], int]] = [
            (w.arrive_at, "checkin", w.index) for w in self.workers
        ]
        items += [(q.posted_at, "request", q.index) for q in self.requests]
        return sorted(items, key=lambda item: (item[0], item[1] != "request", item[2]))

    def describe(self) -> dict[str, Any]:
        """Summary statistics for the results file."""
        per_market: dict[str, dict[str, int]] = {}
        for w in self.workers:
            per_market.setdefault(w.market_id, {"workers": 0, "requests": 0, "positions": 0})["workers"] += 1
        for q in self.requests:
            row = per_market.setdefault(q.market_id, {"workers": 0, "requests": 0, "positions": 0})
            row["requests"] += 1
            row["positions"] += q.headcount
        supply: dict[str, int] = {}
        demand: dict[str, int] = {}
        for w in self.workers:
            for t in w.trades:
                supply[t] = supply.get(t, 0) + 1
        for q in self.requests:
            demand[q.trade] = demand.get(q.trade, 0) + q.headcount
        return {
            "workers": len(self.workers),
            "requests": len(self.requests),
            "positions": self.positions,
            "workers_with_groups": sum(1 for w in self.workers if w.groups),
            "multi_trade_workers": sum(1 for w in self.workers if len(w.trades) > 1),
            "short_jobs_up_to_6h": sum(1 for q in self.requests if q.hours <= 6),
            "per_market": dict(sorted(per_market.items())),
            "workers_listing_trade": dict(sorted(supply.items(), key=lambda kv: -kv[1])),
            "positions_per_trade": dict(sorted(demand.items(), key=lambda kv: -kv[1])),
        }


def _lognormal_factor(u: float) -> float:
    """exp(0.6 · Φ⁻¹(u)): a lognormal factor with median 1, from one uniform (no numpy needed)."""
    from statistics import NormalDist

    u = min(max(u, 1e-9), 1 - 1e-9)
    return float(2.718281828459045 ** (0.6 * NormalDist().inv_cdf(u)))


def generate(seed: int, params: TraceParams | None = None) -> Trace:
    """The morning rush for ``seed``."""
    p = params or TraceParams()
    rng = random.Random(f"lingong-matching-trace/{seed}")
    day = date.fromisoformat(p.day)
    start_minutes = clock.parse_hhmm(p.window_start, "window_start")
    starts_at = datetime.combine(day, time(0), tzinfo=clock.ZONE).astimezone(UTC) + timedelta(minutes=start_minutes)
    for market_id, _ in p.markets:
        geography.market(market_id)  # KeyError for an unknown market
    for code in PROFILES:
        trades.trade(code)
    market_ids = [m for m, _ in p.markets]
    market_weights = [w for _, w in p.markets]

    def instant(beta: tuple[float, float]) -> datetime:
        seconds = rng.betavariate(*beta) * p.window_minutes * 60
        return starts_at + timedelta(seconds=round(seconds, 3))

    def local_minutes(at: datetime) -> float:
        local = at.astimezone(clock.ZONE)
        return local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6

    mix = dict(p.trade_weights)
    for code in mix:
        trades.trade(code)
    if mix and not any(w > 0 for w in (mix.get(t.code, 1.0) for t in TRADE_PROFILES)):
        raise ValueError("trade_weights leave no trade in the morning")

    def weights(market_id: str, side: Literal["supply", "demand"]) -> list[float]:
        local = LOCAL_TRADES.get(market_id, {})
        return [getattr(t, side) * local.get(t.code, 1.0) * mix.get(t.code, 1.0) for t in TRADE_PROFILES]

    numbers: set[str] = set()

    def id_number() -> str:
        while True:
            born = date(1966, 1, 1) + timedelta(days=rng.randrange(0, 38 * 365))
            first17 = f"{rng.choice(REGION_CODES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + identity.check_character(first17)
            if number not in numbers:
                numbers.add(number)
                return number

    workers: list[TraceWorker] = []
    for index in range(p.workers):
        market_id = rng.choices(market_ids, market_weights)[0]
        arrive_at = instant(p.arrival_beta)
        if p.second_wave and rng.random() < p.second_wave:
            arrive_at = instant(p.second_wave_beta)
        supply = weights(market_id, "supply")
        first = rng.choices(TRADE_PROFILES, supply)[0]
        chosen = [first]
        count = rng.choices((1, 2, 3), p.trades_per_worker)[0]
        while len(chosen) < count:
            pool = [
                (t, w)
                for t, w in zip(TRADE_PROFILES, supply, strict=True)
                if t not in chosen and (rng.random() >= p.same_family_extra or t.family == first.family) and w > 0
            ]
            if not pool:
                break
            chosen.append(rng.choices([t for t, _ in pool], [w for _, w in pool])[0])
        codes = tuple(t.code for t in chosen)
        low, high = p.min_wage_factor
        # the lowest day wage they would take at all: set by the lowest-paid trade they list
        min_wage = _round10(min(t.base_wage for t in chosen) * rng.uniform(low, high))
        arrived = local_minutes(arrive_at)
        from_minutes = _ceil_to(arrived, 5)
        if rng.random() >= p.available_at_arrival:
            from_minutes = _ceil_to(arrived + rng.uniform(30, 120), 15)
        if p.available_all_day and rng.random() < p.available_all_day:
            from_minutes = start_minutes
        kind = rng.choices(("full", "half", "short"), p.availability_kind)[0]
        until = {
            "full": lambda: rng.choice(range(17 * 60, 20 * 60 + 1, 30)),
            "half": lambda: rng.choice(range(12 * 60, 14 * 60 + 1, 30)),
            "short": lambda: rng.choice(range(10 * 60, 11 * 60 + 31, 30)),
        }[kind]()
        until = max(until, from_minutes + 120)
        groups: tuple[str, ...] = ()
        if rng.random() < p.group_share:
            first_group = rng.choices(GROUPS, p.group_weights)[0]
            groups = (first_group,)
            if rng.random() < p.second_group:
                other = rng.choices([g for g in GROUPS if g != first_group])[0]
                groups = (first_group, other)
        workers.append(
            TraceWorker(
                index=index,
                market_id=market_id,
                arrive_at=arrive_at,
                id_number=id_number(),
                trades=codes,
                min_day_wage=min_wage,
                available_from=from_minutes,
                available_until=until,
                groups=groups,
            )
        )

    requests: list[TraceRequest] = []
    remaining = p.positions
    while remaining > 0:
        index = len(requests)
        market_id = rng.choices(market_ids, market_weights)[0]
        profile = rng.choices(TRADE_PROFILES, weights(market_id, "demand"))[0]
        headcount = min(remaining, rng.choices(range(1, len(p.headcount) + 1), p.headcount)[0])
        remaining -= headcount
        posted_at = instant(p.posting_beta)
        low_after, high_after = p.start_after_posting
        start = _ceil_to(local_minutes(posted_at) + rng.uniform(low_after, high_after), 15)
        now = bool(p.start_now) and rng.random() < p.start_now
        if now:
            start = request_life.start_now(posted_at)
        kind = rng.choices(("day", "long", "half", "short"), p.hours_kind)[0]
        hours = {
            "day": 8,
            "long": rng.choice((9, 10)),
            "half": rng.choice((4, 5, 6)),
            "short": rng.choice((2, 3)),
        }[kind]
        low_clip, high_clip = p.offered_wage_clip
        factor = min(max(rng.gauss(1.0, p.offered_wage_sd), low_clip), high_clip)
        market = geography.market(market_id)
        drawn_wage = _round10(profile.base_wage * factor)
        lawful = not (p.unlawful_wage and rng.random() < p.unlawful_wage)
        requests.append(
            TraceRequest(
                index=index,
                market_id=market_id,
                employer=rng.randrange(p.employers),
                posted_at=posted_at,
                trade=profile.code,
                headcount=headcount,
                day_wage=lawful_day_wage(drawn_wage, hours, market.county, p) if lawful else drawn_wage,
                start=start,
                hours=hours,
                place=f"{market.name_zh}附近 {rng.randrange(1, 60)} 号工点",
                start_now=now,
            )
        )
    return Trace(seed=seed, params=p, starts_at=starts_at, workers=tuple(workers), requests=tuple(requests))


def lawful_day_wage(day_wage: int, hours: int, county: str, params: TraceParams) -> int:
    """``day_wage``, raised to the legal minimum for ``hours`` in ``county`` (rounded up to 10 yuan) when below it."""
    policy = screening.Policy(minimum_hourly_wage_yuan=Decimal(params.minimum_hourly_wage_yuan))
    floor = policy.county_minimum(county).day_minimum(hours)
    return max(day_wage, math.ceil(floor / 10) * 10)


def _round10(value: float) -> int:
    return max(10, round(value / 10) * 10)


def _ceil_to(minutes: float, step: int) -> int:
    whole = int(-(-minutes // step) * step)
    return whole
