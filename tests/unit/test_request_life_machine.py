"""A hypothesis state machine over a job request's life in the market core (services/market/decide.py with
services/market/request_life.py): any order of post / reopen / cancel / check-in / answer / tick commands, on a
clock that only moves forward, under every allocation policy.

After every command, the facts it caused are replayed through an independent model of the request's life (its
start, open or closed, placements), which checks:

- no offer is made at or after the request's start plus the grace, the start being the latest one its facts
  gave (a reopened request has a new start), and no offer's expiry is after that moment;
- no offer is accepted at or after its expiry;
- a closed request gets no offer; only a request closed for ``start_passed`` is reopened;
- a request is closed for ``start_passed`` not before its start plus the grace, and no open request is left
  open past it (the close is a fact at that moment, at the first command at or after it);
- no request has more placements (or placements plus offers out) than its headcount.

A second test runs the machine against injected bugs and asserts that it finds each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from services import clock
from services.market import decide as market
from services.market import index as market_index
from services.market import records as r
from services.market import request_life
from services.market.decide import MarketRules, decide, new_state
from services.market.state import MarketState, open_slots
from services.policy import AllocationPolicy
from tests.unit.market_fixtures import T0

GRACE_MINUTES = 30
POLICIES = (
    AllocationPolicy(within_tier="fcfs"),
    AllocationPolicy(within_tier="max_fill"),
    AllocationPolicy(within_tier="max_fill", window_seconds=900, start_soon_minutes=20),
    AllocationPolicy(within_tier="rolling", lead_minutes=30),
)
END = T0 + timedelta(hours=12)  # 20:00 local: the jobs (up to 3 hours) still end today


def closes(day: str, start: int) -> datetime:
    """The model's own clock (not services.market.request_life, which the bug tests replace)."""
    return clock.local_midnight_utc(datetime.fromisoformat(day).date()) + timedelta(minutes=start + GRACE_MINUTES)


class RequestLifeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.rules = MarketRules(offer_ttl=timedelta(minutes=10), late_start_grace=timedelta(minutes=GRACE_MINUTES))
        self.state: MarketState = new_state("zs-market", "zhongshan")
        self.now = T0
        self.n = 0
        # the model, from the facts alone
        self.start: dict[str, int] = {}
        self.headcount: dict[str, int] = {}
        self.closed: dict[str, str] = {}  # request id -> reason, while closed
        self.placed: dict[str, set[str]] = {}
        self.expires: dict[str, datetime] = {}
        self.wanted = 0  # the headcount of the last ChangeHeadcount

    @initialize(policy=st.sampled_from(POLICIES), ttl=st.sampled_from([5, 10, 45]))
    def choose(self, policy: AllocationPolicy, ttl: int) -> None:
        self.rules = MarketRules(
            offer_ttl=timedelta(minutes=ttl), policy=policy, late_start_grace=timedelta(minutes=GRACE_MINUTES)
        )

    def _head(self, kind: str) -> dict[str, object]:
        self.n += 1
        return {"id": f"{kind}{self.n}", "at": self.now, "market_id": "zs-market", "county": "zhongshan"}

    def _apply(self, command: r.MarketCommand) -> None:
        decision = decide(self.state, command, self.rules)
        self.state = decision.state
        for fact in decision.facts:
            self._check(fact)

    def _check(self, f: r.MarketEvent) -> None:
        day = self.state.day
        match f:
            case r.JobRequestOpened():
                self.start[f.request_id], self.headcount[f.request_id] = f.start, f.headcount
                self.placed[f.request_id] = set()
            case r.JobRequestReopened():
                assert self.closed.get(f.request_id) == "start_passed", "reopened a request not closed for its start"
                since_midnight = f.at - clock.local_midnight_utc(datetime.fromisoformat(day).date())
                assert f.start == -(-since_midnight // timedelta(minutes=1)), "reopened, but not to start now"
                self.start[f.request_id] = f.start
                del self.closed[f.request_id]
            case r.JobRequestClosed():
                if f.reason == "start_passed":
                    assert f.at >= closes(day, self.start[f.request_id]), "closed before its start plus the grace"
                self.closed[f.request_id] = f.reason
            case r.OfferMade():
                assert f.request_id not in self.closed, "an offer on a closed request"
                deadline = closes(day, self.start[f.request_id])
                assert f.at < deadline, "an offer at or after the start plus the grace"
                assert f.expires_at <= deadline, "an offer that outlives its request"
                assert f.start == self.start[f.request_id]
                self.expires[f.offer_id] = f.expires_at
            case r.OfferAccepted():
                assert f.at < self.expires[f.offer_id], "an offer accepted after its expiry"
            case r.PlacementStarted():
                self.placed[f.request_id].add(f.placement_id)
                assert len(self.placed[f.request_id]) <= self.headcount[f.request_id], "over the headcount"
            case r.PlacementCancelled():
                self.placed[f.request_id].discard(f.placement_id)
            case r.HeadcountChanged():  # issue 24: never below the workers accepted
                assert f.previous == self.headcount[f.request_id]
                assert f.headcount >= len(self.placed[f.request_id]), "headcount lowered below the accepted"
                assert f.accepted == len(self.placed[f.request_id])
                self.headcount[f.request_id] = f.headcount
            case r.CommandRefused() if f.rule == "headcount_below_accepted":
                assert self.wanted < len(self.placed[f.subject_id]), "refused a headcount the accepted allow"

    # ------------------------------------------------------------ commands

    @precondition(lambda self: self.now < END)
    @rule(
        headcount=st.integers(1, 3),
        offset=st.integers(-50, 90),
        hours=st.integers(1, 3),
        start_now=st.booleans(),
    )
    def post(self, headcount: int, offset: int, hours: int, start_now: bool) -> None:
        minute = request_life.minute_of_day(self.now)
        start = request_life.start_now(self.now) if start_now else max(0, minute + offset)
        self._apply(
            r.PostJobRequest(
                **self._head("j"),  # type: ignore[arg-type]
                employer_id="e1",
                employer_name="E",
                trade="mason",
                headcount=headcount,
                day_wage=200,
                start=start,
                hours=hours,
                place="p",
            )
        )

    @rule(groups=st.sampled_from([(), (), ("veteran",)]))
    def check_in(self, groups: tuple[str, ...]) -> None:
        self._apply(
            r.CheckIn(
                **self._head("c"),  # type: ignore[arg-type]
                worker=f"w{self.n}",
                worker_masked="5202**********0001",
                kiosk_id="k",
                trades=("mason",),
                min_day_wage=100,
                available_from=0,
                available_until=24 * 60,
                groups=groups,
            )
        )

    @precondition(lambda self: bool(self.state.requests))
    @rule(pick=st.integers(0, 100), employer=st.sampled_from(["e1", "e1", "e2"]))
    def reopen(self, pick: int, employer: str) -> None:
        ids = sorted(self.state.requests)
        self._apply(r.ReopenJobRequest(**self._head("re"), request_id=ids[pick % len(ids)], employer_id=employer))  # type: ignore[arg-type]

    @precondition(lambda self: bool(self.state.requests))
    @rule(pick=st.integers(0, 100))
    def cancel(self, pick: int) -> None:
        ids = sorted(self.state.requests)
        self._apply(r.CancelJobRequest(**self._head("x"), request_id=ids[pick % len(ids)], employer_id="e1"))  # type: ignore[arg-type]

    @precondition(lambda self: bool(self.state.requests))
    @rule(pick=st.integers(0, 100), headcount=st.integers(1, 4))
    def change_headcount(self, pick: int, headcount: int) -> None:
        ids = sorted(self.state.requests)
        self.wanted = headcount
        self._apply(
            r.ChangeHeadcount(**self._head("h"), request_id=ids[pick % len(ids)], employer_id="e1", headcount=headcount)  # type: ignore[arg-type]
        )

    @precondition(lambda self: bool(self.state.offers))
    @rule(pick=st.integers(0, 100), accept=st.booleans())
    def answer(self, pick: int, accept: bool) -> None:
        offer = self.state.offers[sorted(self.state.offers)[pick % len(self.state.offers)]]
        self._apply(
            r.AnswerOffer(
                **self._head("a"),  # type: ignore[arg-type]
                offer_id=offer.offer_id,
                checkin_id=offer.checkin_id,
                answer="accept" if accept else "decline",
            )
        )

    @precondition(lambda self: self.now < END)
    @rule(minutes=st.sampled_from([1, 5, 10, 20, 29, 30, 31, 45]), seconds=st.integers(0, 59))
    def tick(self, minutes: int, seconds: int) -> None:
        self.now += timedelta(minutes=minutes, seconds=seconds)
        self._apply(r.Tick(**self._head("t")))  # type: ignore[arg-type]

    # ------------------------------------------------------------ invariants

    @invariant()
    def no_request_open_past_its_close(self) -> None:
        if self.state.clock is None:
            return
        for request in self.state.requests.values():
            if request.status == "open":
                assert self.state.clock < closes(self.state.day, request.start), "open past its start plus the grace"

    @invariant()
    def no_request_over_its_headcount(self) -> None:
        for request in self.state.requests.values():
            assert len(request.placements) <= request.headcount
            assert market_index.open_slots(self.state, request) == open_slots(self.state, request) >= 0


TestRequestLife = RequestLifeMachine.TestCase
TestRequestLife.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# ---------------------------------------------------------------- the machine finds injected bugs


def _grace_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_life, "cutoff", lambda day, now, grace: float("-inf"))


def _expiry_not_clipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_life, "offer_expiry", lambda made_at, ttl, day, start, grace: made_at + ttl)


def _reopen_keeps_the_old_start(monkeypatch: pytest.MonkeyPatch) -> None:
    original = market._reopen_request

    def keeps(state: MarketState, c: r.ReopenJobRequest, out: market._Out) -> None:
        request = state.requests.get(c.request_id)
        old = request.start if request is not None else None
        original(state, c, out)
        if request is not None and old is not None:
            request.start = old

    monkeypatch.setattr(market, "_reopen_request", keeps)


def _closed_by_the_start_not_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    real = request_life.cutoff
    monkeypatch.setattr(request_life, "cutoff", lambda day, now, grace: real(day, now, grace * 0))


def _one_place_too_many(monkeypatch: pytest.MonkeyPatch) -> None:
    real = market_index.open_slots
    monkeypatch.setattr(market_index, "open_slots", lambda state, request: real(state, request) + 1)
    import services.market.allocation

    monkeypatch.setattr(services.market.allocation, "open_slots", lambda state, request: real(state, request) + 1)


def _lowered_headcount_keeps_its_offers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lowered headcount that withdraws no offer awaiting an answer (only in the headcount change)."""
    real = market._change_headcount

    def keeps(state: MarketState, c: r.ChangeHeadcount, out: market._Out) -> None:
        with pytest.MonkeyPatch.context() as inner:
            inner.setattr(market, "pending_offers", lambda state, request_id: [])
            real(state, c, out)

    monkeypatch.setattr(market, "_change_headcount", keeps)


@pytest.mark.parametrize(
    "inject",
    [
        _grace_ignored,
        _expiry_not_clipped,
        _reopen_keeps_the_old_start,
        _closed_by_the_start_not_the_grace,
        _one_place_too_many,
        _lowered_headcount_keeps_its_offers,
    ],
)
def test_the_machine_finds_an_injected_bug(monkeypatch: pytest.MonkeyPatch, inject: Callable[..., None]) -> None:
    inject(monkeypatch)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(
            RequestLifeMachine,
            settings=settings(
                max_examples=300,
                stateful_step_count=40,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
        )
