"""Builders of market commands for the unit tests of the pure market core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.market import records as r
from services.market.decide import Decision, MarketRules, decide, new_state
from services.market.state import MarketState
from services.policy import AllocationPolicy

T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 in Liupanshui
FCFS = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="fcfs"))
MAX_FILL = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="max_fill"))


def check_in(
    n: int,
    *,
    trades: tuple[str, ...] = ("mason",),
    wage: int = 150,
    at: datetime = T0,
    worker: str | None = None,
    groups: tuple[str, ...] = (),
    certificates: tuple[str, ...] = (),
    hours: tuple[int, int] = (7 * 60, 18 * 60),
    commitments: tuple[r.Commitment, ...] = (),
    market: str = "zs-market",
) -> r.CheckIn:
    return r.CheckIn(
        id=f"c{n}",
        at=at,
        market_id=market,
        county="zhongshan",
        worker=worker or f"w_{n}",
        worker_masked="5202**********0001",
        kiosk_id="k1",
        trades=trades,
        min_day_wage=wage,
        available_from=hours[0],
        available_until=hours[1],
        groups=groups,
        certificates=certificates,
        commitments=commitments,
    )


def job(
    n: int,
    *,
    trade: str = "mason",
    headcount: int = 1,
    wage: int = 200,
    start: int = 9 * 60,
    hours: int = 8,
    at: datetime = T0,
    certificate_required: bool = False,
) -> r.PostJobRequest:
    return r.PostJobRequest(
        id=f"j{n}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        employer_id="e1",
        employer_name="凉都建筑",
        trade=trade,
        headcount=headcount,
        day_wage=wage,
        start=start,
        hours=hours,
        place="钟山区",
        certificate_required=certificate_required,
    )


def answer(offer_id: str, checkin_id: str, what: str, n: int | str, at: datetime = T0) -> r.AnswerOffer:
    return r.AnswerOffer(
        id=f"a{n}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        offer_id=offer_id,
        checkin_id=checkin_id,
        answer=what,  # type: ignore[arg-type]
    )


def head(n: int | str, at: datetime = T0) -> dict[str, object]:
    return {"id": f"x{n}", "at": at, "market_id": "zs-market", "county": "zhongshan"}


def run(*commands: r.MarketCommand, rules: MarketRules = FCFS) -> tuple[MarketState, list[r.MarketEvent]]:
    state = new_state("zs-market", "zhongshan")
    out: list[r.MarketEvent] = []
    for c in commands:
        decision = decide(state, c, rules)
        state = decision.state
        out.extend(decision.facts)
    return state, out


def step(state: MarketState, command: r.MarketCommand, rules: MarketRules = FCFS) -> Decision:
    return decide(state, command, rules)


def of(events: list[r.MarketEvent], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]
