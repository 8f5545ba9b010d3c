"""The market clock ticks only markets with something due (streams/ticker.py, services/market/due.py).

The equivalence property: a market ticked only when its agenda says so publishes exactly the facts (byte for
byte, same ids, same times) that it publishes when ticked at every beat of the clock, as before issue 29, for
every allocation policy, over a day that runs past midnight. And idle markets get no tick at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from services import geography
from services.market import records as r
from services.market.decide import MarketRules, MarketState
from services.market.due import next_due
from services.policy import AllocationPolicy
from streams.market_agent import market_step
from streams.ticker import Agenda, partition_of, tick

T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 in Liupanshui
POLICIES = (
    AllocationPolicy(within_tier="max_fill"),
    AllocationPolicy(within_tier="max_fill", window_seconds=1200, start_soon_minutes=45),
    AllocationPolicy(within_tier="fcfs"),
    AllocationPolicy(within_tier="lottery", lottery_seed="s"),
    AllocationPolicy(within_tier="rolling", lead_minutes=30),
)


@dataclass(frozen=True)
class _Sink:
    """An output topic of the step (the simulation reads the outgoing records; nothing is sent)."""

    name: str


EVENTS, ROSTER = _Sink("market-events"), _Sink("worker-commands")

#: An operation of the simulated day: given the market's state (``None``: none yet) and the time, a command.
Op = Callable[[MarketState | None, datetime], r.MarketCommand | None]


def _head(kind: str, n: int, at: datetime) -> dict[str, Any]:
    return {"id": f"{kind}{n}", "at": at, "market_id": "zs-market", "county": "zhongshan"}


def _check_in(n: int, trade: str, wage: int) -> Op:
    def op(state: MarketState | None, at: datetime) -> r.MarketCommand:
        return r.CheckIn(
            **_head("c", n, at),
            worker=f"w{n}",
            worker_masked="5202**********0001",
            kiosk_id="k",
            trades=(trade,),
            min_day_wage=wage,
            available_from=6 * 60,
            available_until=23 * 60,
        )

    return op


def _job(n: int, trade: str, headcount: int, wage: int, lead_minutes: int, hours: int) -> Op:
    def op(state: MarketState | None, at: datetime) -> r.MarketCommand | None:
        local = at + timedelta(hours=8)
        start = local.hour * 60 + local.minute + lead_minutes
        if start + hours * 60 > 24 * 60:
            return None  # the job would not end today: the gateway refuses it
        return r.PostJobRequest(
            **_head("j", n, at),
            employer_id="e1",
            employer_name="凉都建筑",
            trade=trade,
            headcount=headcount,
            day_wage=wage,
            start=start,
            hours=hours,
            place="钟山区",
        )

    return op


def _answer(n: int, accept: bool) -> Op:
    def op(state: MarketState | None, at: datetime) -> r.MarketCommand | None:
        if state is None or not state.offers:
            return None
        offer = state.offers[min(state.offers)]
        return r.AnswerOffer(
            **_head("a", n, at),
            offer_id=offer.offer_id,
            checkin_id=offer.checkin_id,
            answer="accept" if accept else "decline",
        )

    return op


def simulate(
    ops: list[tuple[int, Op]], rules: MarketRules, *, every_beat: bool, beat: int = 60, hours: int = 18
) -> tuple[list[bytes], int]:
    """Run a market through ``ops`` (seconds after T0, operation) with a clock beating every ``beat`` seconds
    for ``hours``: ticking at every beat (before issue 29) or only when its agenda says it is due. Returns the
    outputs (facts and roster commands, encoded) and the number of ticks sent."""
    agenda = Agenda()

    def decided(command: r.MarketCommand, state: MarketState) -> None:
        now = command.at if state.clock is None else max(state.clock, command.at)
        agenda.file(command.market_id, command.county, next_due(state, rules, now))

    step = market_step(rules_for=lambda _: rules, market_events=EVENTS, worker_commands=ROSTER, decided=decided)
    state: MarketState | None = None
    outputs: list[bytes] = []
    ticks = 0

    def apply(command: r.MarketCommand) -> None:
        nonlocal state
        result = step(state, command)
        outputs.extend(o.topic.name.encode() + b" " + o.value for o in result.outgoing)
        if result.state is not None:
            state = result.state

    pending = sorted(ops, key=lambda x: x[0])
    for beat_number in range(1, hours * 3600 // beat + 1):
        now = T0 + timedelta(seconds=beat_number * beat)
        while pending and T0 + timedelta(seconds=pending[0][0]) <= now:
            offset, op = pending.pop(0)
            command = op(state, T0 + timedelta(seconds=offset))
            if command is not None:
                apply(command)
        due = [tick("zs-market", "zhongshan", now)] if every_beat else agenda.due(now)
        for t in due:
            ticks += 1
            apply(t)
    return outputs, ticks


def _ops() -> st.SearchStrategy[list[tuple[int, Op]]]:
    trades = st.sampled_from(["mason", "cleaner"])
    one = st.one_of(
        st.builds(lambda t, w: (t, w), trades, st.sampled_from([150, 200, 250])).map(
            lambda a: ("c", a)  # type: ignore[arg-type,return-value]
        ),
        st.tuples(trades, st.integers(1, 2), st.sampled_from([150, 220]), st.integers(0, 240), st.integers(1, 8)).map(
            lambda a: ("j", a)
        ),
        st.booleans().map(lambda a: ("a", a)),
    )
    timed = st.tuples(st.integers(0, 16 * 3600), one)

    def build(items: list[tuple[int, tuple[str, Any]]]) -> list[tuple[int, Op]]:
        ops: list[tuple[int, Op]] = []
        for n, (offset, (kind, args)) in enumerate(items):
            if kind == "c":
                ops.append((offset, _check_in(n, *args)))
            elif kind == "j":
                ops.append((offset, _job(n, *args)))
            else:
                ops.append((offset, _answer(n, args)))
        return ops

    return st.lists(timed, min_size=1, max_size=25).map(build)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_ops(), policy=st.sampled_from(POLICIES), beat=st.sampled_from([1, 60, 137]))
def test_ticking_only_when_due_publishes_what_ticking_every_beat_does(
    ops: list[tuple[int, Op]], policy: AllocationPolicy, beat: int
) -> None:
    rules = MarketRules(offer_ttl=timedelta(minutes=10), policy=policy)
    hours = 1 if beat == 1 else 18  # every second for a whole day would be slow: one hour of it
    ops = [(offset % (hours * 3600), op) for offset, op in ops]
    always, ticks_always = simulate(ops, rules, every_beat=True, beat=beat, hours=hours)
    when_due, ticks_when_due = simulate(ops, rules, every_beat=False, beat=beat, hours=hours)
    assert when_due == always
    assert ticks_when_due <= ticks_always


def test_a_day_past_midnight_fires_every_timed_rule_at_its_beat() -> None:
    """Expiry, a late start's close, and the end of the day, each at its instant (a beat every second)."""
    rules = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="fcfs"))
    ops: list[tuple[int, Op]] = [
        (10, _check_in(1, "mason", 150)),
        (20, _job(2, "mason", 1, 200, 60, 4)),  # offered at once; the offer expires unanswered at 00:10:20
        (30, _job(3, "cleaner", 1, 200, 15, 2)),  # nobody for it: closes at its start plus the grace
        (40, _check_in(4, "mason", 150)),
    ]
    outputs, ticks = simulate(ops, rules, every_beat=False, beat=1, hours=18)
    facts = [o.split(b" ", 1)[1] for o in outputs if o.startswith(b"market-events")]
    decoded = [r.decode_event(f) for f in facts]
    expired = [f for f in decoded if isinstance(f, r.OfferExpired)]
    closed = [f for f in decoded if isinstance(f, r.JobRequestClosed)]
    assert expired and expired[0].at == T0 + timedelta(minutes=10, seconds=20)
    late = [f for f in closed if f.reason == "start_passed"]
    assert late and late[0].at == T0 + timedelta(minutes=15 + 30, seconds=0)  # 08:15 + 30 min grace, to the beat
    left = [f for f in decoded if isinstance(f, r.WorkerLeft)]
    assert {f.checkin_id for f in left} == {"c1", "c4"}
    assert all(f.reason == "end_of_day" and f.at == T0 + timedelta(hours=16) for f in left)  # local midnight
    assert ticks < 40, f"{ticks} ticks in a day with a handful of due instants"


def test_an_idle_market_gets_no_tick() -> None:
    """Known markets of a partition just given get one tick each; once they answered with nothing due, none."""
    agenda = Agenda(geography.MARKETS)
    now = T0
    agenda.hold(range(3), 3, now)
    first = agenda.due(now)
    assert sorted(t.market_id for t in first) == sorted(m.market_id for m in geography.MARKETS)
    for t in first:
        agenda.file(t.market_id, t.county, None)  # the market's answer: nothing due
    for second in range(1, 3600):
        assert agenda.due(now + timedelta(seconds=second)) == []
    assert len(agenda) == 0


def test_a_lost_tick_is_sent_again_and_a_due_market_is_ticked_once_per_answer() -> None:
    agenda = Agenda()
    agenda.file("zs-market", "zhongshan", T0 + timedelta(seconds=30))
    assert agenda.due(T0 + timedelta(seconds=29)) == []
    (sent,) = agenda.due(T0 + timedelta(seconds=30))
    assert sent.market_id == "zs-market" and sent.at == T0 + timedelta(seconds=30)
    assert agenda.due(T0 + timedelta(seconds=31)) == []  # in flight: not sent again at once
    (again,) = agenda.due(T0 + timedelta(seconds=35))  # no answer within RESEND_AFTER: sent again
    assert again.id != sent.id
    agenda.file("zs-market", "zhongshan", T0 + timedelta(hours=1))  # the answer
    assert agenda.due(T0 + timedelta(minutes=59)) == []


def test_the_agenda_follows_the_partitions_the_worker_holds() -> None:
    agenda = Agenda(geography.MARKETS)
    part = {m.market_id: partition_of(m.market_id, 3) for m in geography.MARKETS}
    held = part["zs-market"]
    agenda.hold([held], 3, T0)
    ticked = {t.market_id for t in agenda.due(T0)}
    assert ticked == {m for m, p in part.items() if p == held}
    for market_id in ticked:
        agenda.file(market_id, "zhongshan", T0 + timedelta(minutes=5))
    agenda.hold([], 3, T0 + timedelta(seconds=1))  # the partition went to another worker
    assert agenda.due(T0 + timedelta(hours=1)) == []


def test_partition_of_is_kafkas_default_partitioner() -> None:
    from aiokafka.partitioner import DefaultPartitioner

    for m in geography.MARKETS:
        key = m.market_id.encode()
        assert partition_of(m.market_id, 12) == DefaultPartitioner()(key, list(range(12)), list(range(12)))


def test_next_due_is_none_for_an_empty_market_and_after_now_otherwise() -> None:
    from services.market.decide import decide, new_state

    rules = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="fcfs"))
    state = new_state("zs-market", "zhongshan")
    assert next_due(state, rules, T0) is None
    state = decide(state, _check_in(1, "mason", 150)(state, T0), rules).state  # type: ignore[arg-type]
    assert next_due(state, rules, T0) == T0 + timedelta(hours=16)  # a worker is there: midnight
    command = _job(2, "mason", 1, 200, 60, 4)(state, T0)
    assert command is not None
    state = decide(state, command, rules).state
    assert next_due(state, rules, T0) == T0 + timedelta(minutes=10)  # the offer's expiry
