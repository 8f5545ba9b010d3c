"""A hypothesis state machine over the life of placements (issue 23), through the pure market core and the pure
reporting code.

Two workers accept places on one job (start 08:30-12:00 local, 1-8 hours); then any order of commands: steps by
either party (or by a stranger), "arrived and completed" at once, corrections, no-shows, "没拿到工资", with any
clock moves, including commands stamped earlier than the market's clock (the market judges them at its later
time). A model written here, independently of services/market/placement_life.py, says what each command must do; after
each command the machine checks:

- the market accepted exactly what the model allows (so no step out of order is ever accepted, and none that the
  rules allow is refused);
- the standing steps agree, and every standing step was recorded when the rules allowed it;
- the report figures computed by services/reports/figures.py from the day ledger the market's facts project into
  (services/readmodels/report_views.py) equal the model's: ``completed`` and ``wages_paid`` count the corrected
  state exactly, and no wage is counted for a placement before it was completed (or its scheduled end passed);
- the dashboard's unpaid placements and open wage disputes equal the model's.

``test_the_machine_catches_injected_bugs`` runs the same machine against broken variants of the rules and of
the counting and asserts that it fails on each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from services.market import placement_life
from services.market import records as r
from services.market.decide import MarketRules, decide, new_state
from services.policy import AllocationPolicy
from services.readmodels.dashboard_views import DashboardViews
from services.readmodels.report_views import MarketLedgers, assemble_market, market_ledger_key
from services.readmodels.views import View, field_key, split_key
from services.reports import figures
from tests.unit.market_fixtures import T0  # 08:00 in Liupanshui

LOCAL_MIDNIGHT = T0 - timedelta(hours=8)
LAST = T0 + timedelta(hours=15, minutes=30)  # 23:30: the day never ends inside the machine
WINDOW = timedelta(minutes=30)
RULES = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="fcfs"))
STEPS = ("arrived", "completed", "wage_paid", "wage_received")
WAGES = ("wage_paid", "wage_received")
DEPENDS = {"completed": "arrived", "wage_paid": "completed", "wage_received": "completed"}


@dataclasses.dataclass
class ModelPlacement:
    placement_id: str
    checkin_id: str
    status: str = "started"
    steps: dict[str, datetime] = dataclasses.field(default_factory=dict)  # standing step -> recorded at
    disputed: bool = False


class PlacementLifeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = new_state("zs-market", "zhongshan")
        self.clock = T0
        self.n = 0
        self.start = T0
        self.end = T0
        self.placements: list[ModelPlacement] = []
        self.store: dict[str, View | None] = {}  # the projected views (ledger and dashboard fields)
        self.ledgers = MarketLedgers("")
        self.dashboard = DashboardViews("")

    # ------------------------------------------------------------ driving the market

    def _at(self, minutes: int) -> datetime:
        return min(self.clock + timedelta(minutes=minutes), LAST)

    def _decide(self, command: r.MarketCommand) -> list[r.MarketEvent]:
        decision = decide(self.state, command, RULES)
        self.state = decision.state
        self.clock = max(self.clock, command.at)
        for fact in decision.facts:
            for projection in (self.ledgers, self.dashboard):
                for key in projection.keys_for(fact):
                    self.store.setdefault(key, None)
                self.store.update(projection.apply(fact, self.store))
        return decision.facts

    def _head(self, at: datetime) -> dict[str, Any]:
        self.n += 1
        return {"id": f"m{self.n}", "at": at, "market_id": "zs-market", "county": "zhongshan"}

    @initialize(start=st.integers(30, 240), hours=st.integers(1, 8))
    def two_workers_placed(self, start: int, hours: int) -> None:
        self.start = T0 + timedelta(minutes=start)
        self.end = self.start + timedelta(hours=hours)
        for n in (1, 2):
            self._decide(
                r.CheckIn(
                    **self._head(T0),
                    worker=f"w{n}",
                    worker_masked="5202**********0001",
                    kiosk_id="k",
                    trades=("mason",),
                    min_day_wage=100,
                    available_from=6 * 60,
                    available_until=23 * 60 + 59,
                )
            )
        job = r.PostJobRequest(
            **self._head(T0),
            employer_id="e1",
            employer_name="凉都建筑",
            trade="mason",
            headcount=2,
            day_wage=200,
            start=int((self.start - LOCAL_MIDNIGHT).total_seconds() // 60),
            hours=hours,
            place="钟山区",
        )
        offers = [f for f in self._decide(job) if isinstance(f, r.OfferMade)]
        for offer in offers:
            answer = r.AnswerOffer(
                **self._head(T0), offer_id=offer.offer_id, checkin_id=offer.checkin_id, answer="accept"
            )
            started = [f for f in self._decide(answer) if isinstance(f, r.PlacementStarted)]
            self.placements.append(ModelPlacement(started[0].placement_id, offer.checkin_id))
        assert len(self.placements) == 2

    def _who(self, p: ModelPlacement, step: str, stranger: bool) -> dict[str, str]:
        if placement_life.party_of(step) == "worker":
            return {"checkin_id": "someone-else" if stranger else p.checkin_id}
        return {"employer_id": "e2" if stranger else "e1"}

    @staticmethod
    def _refused(facts: list[r.MarketEvent]) -> bool:
        return any(isinstance(f, r.CommandRefused) for f in facts)

    # ------------------------------------------------------------ the model's rules (independent of the code)

    def _may_record(self, p: ModelPlacement, step: str, now: datetime, both: bool) -> bool:
        if p.status != "started":
            return False
        if step in p.steps:
            return True
        if step in ("arrived", "completed") and any(w in p.steps for w in WAGES):
            return False
        if step == "arrived":
            return now >= self.start - timedelta(minutes=60)
        if step == "completed":
            return "arrived" in p.steps or (both and now >= self.start)
        return "completed" in p.steps or now >= self.end

    # ------------------------------------------------------------ rules

    @rule(
        pick=st.integers(0, 1),
        step=st.sampled_from(STEPS),
        both=st.booleans(),
        minutes=st.integers(-90, 150),
        stranger=st.sampled_from([False, False, False, True]),
    )
    def record(self, pick: int, step: str, both: bool, minutes: int, stranger: bool) -> None:
        p = self.placements[pick]
        at = self._at(minutes)
        now = max(self.clock, at)  # the market's clock never runs backwards
        both = both and step == "completed"
        command = r.RecordPlacementStep(
            **self._head(at),
            placement_id=p.placement_id,
            step=step,  # type: ignore[arg-type]
            with_arrival=both,
            **self._who(p, step, stranger),
        )
        allowed = not stranger and self._may_record(p, step, now, both)
        facts = self._decide(command)
        assert self._refused(facts) != allowed, f"{step} at {now} (start {self.start}, end {self.end}): {facts}"
        if not allowed or step in p.steps:
            return
        new = ["arrived"] if both and "arrived" not in p.steps else []
        for s in [*new, step]:
            p.steps[s] = now
        if step == "wage_received":
            p.disputed = False

    @rule(
        pick=st.integers(0, 1),
        step=st.sampled_from(STEPS),
        minutes=st.integers(-30, 45),
        stranger=st.sampled_from([False, False, True]),
    )
    def correct(self, pick: int, step: str, minutes: int, stranger: bool) -> None:
        p = self.placements[pick]
        at = self._at(minutes)
        now = max(self.clock, at)
        command = r.CorrectPlacementStep(
            **self._head(at),
            placement_id=p.placement_id,
            step=step,  # type: ignore[arg-type]
            **self._who(p, step, stranger),
        )
        allowed = (
            not stranger
            and p.status == "started"
            and step in p.steps
            and now <= p.steps[step] + WINDOW
            and not any(DEPENDS.get(s) == step for s in p.steps)
        )
        facts = self._decide(command)
        assert self._refused(facts) != allowed, f"correct {step} at {now}: {p.steps} -> {facts}"
        if allowed:
            del p.steps[step]

    @rule(pick=st.integers(0, 1), minutes=st.integers(-60, 120))
    def no_show(self, pick: int, minutes: int) -> None:
        p = self.placements[pick]
        at = self._at(minutes)
        now = max(self.clock, at)
        command = r.MarkNoShow(**self._head(at), placement_id=p.placement_id, employer_id="e1")
        allowed = p.status == "started" and not p.steps and not p.disputed and now >= self.start
        facts = self._decide(command)
        assert self._refused(facts) != allowed, f"no-show at {now} (start {self.start}): {p.steps} -> {facts}"
        if allowed:
            p.status = "no_show"

    @rule(pick=st.integers(0, 1), minutes=st.integers(-60, 240))
    def report_unpaid(self, pick: int, minutes: int) -> None:
        p = self.placements[pick]
        at = self._at(minutes)
        now = max(self.clock, at)
        command = r.ReportWageUnpaid(**self._head(at), placement_id=p.placement_id, checkin_id=p.checkin_id)
        allowed = p.status == "started" and "wage_received" not in p.steps and now >= self.end
        facts = self._decide(command)
        assert self._refused(facts) != allowed, f"not paid at {now} (end {self.end}): {p.steps} -> {facts}"
        opened = [f for f in facts if isinstance(f, r.WageDisputeOpened)]
        assert bool(opened) == (allowed and not p.disputed)
        if allowed:
            p.disputed = True

    @rule(minutes=st.integers(1, 180))
    def time_passes(self, minutes: int) -> None:
        self._decide(r.Tick(**self._head(self._at(minutes))))

    # ------------------------------------------------------------ invariants

    @invariant()
    def the_market_holds_the_models_steps(self) -> None:
        for p in self.placements:
            held = self.state.placements[p.placement_id]
            assert set(held.steps) == set(p.steps)
            assert held.status == ("started" if p.status == "started" else "cancelled")
            assert held.disputed == p.disputed

    @invariant()
    def no_standing_step_out_of_order(self) -> None:
        for p in self.placements:
            if "completed" in p.steps:
                assert "arrived" in p.steps
            if "arrived" in p.steps:
                assert p.steps["arrived"] >= self.start - timedelta(minutes=60)
            for wage in WAGES:
                if wage in p.steps:
                    done = p.steps.get("completed")
                    assert (done is not None and done <= p.steps[wage]) or p.steps[wage] >= self.end

    @invariant()
    def the_reports_count_the_corrected_state(self) -> None:
        if not self.placements:
            return
        key = market_ledger_key("", "zs-market", "2026-11-26")
        fields = {f: v for k, v in self.store.items() if v is not None for h, f in [split_key(k)] if h == key and f}
        ledger = assemble_market(fields)
        assert ledger is not None
        (total,) = [row for row in figures.compute("county", [ledger], []) if row["key"] == "total"]
        completed = [p for p in self.placements if {"completed", *WAGES} & set(p.steps)]
        paid = [p for p in completed if set(WAGES) & set(p.steps)]
        assert (total["completed"], total["wages_paid"]) == (len(completed), len(paid))
        for p in paid:  # a wage counted only once the placement was completed (or its scheduled end passed)
            first_wage = min(p.steps[w] for w in WAGES if w in p.steps)
            assert "completed" in p.steps or first_wage >= self.end

    @invariant()
    def the_dashboard_shows_the_unpaid_and_the_disputes(self) -> None:
        if not self.placements:
            return
        head = self.store.get(field_key("dash:market:zs-market", "head"))
        assert head is not None
        unpaid = {p.placement_id for p in self.placements if "completed" in p.steps and not set(WAGES) & set(p.steps)}
        assert set(head["unpaid"]) == unpaid
        assert set(head.get("disputes", {})) == {p.placement_id for p in self.placements if p.disputed}


MACHINE_SETTINGS = settings(
    max_examples=150,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TestPlacementLife = PlacementLifeMachine.TestCase
TestPlacementLife.settings = MACHINE_SETTINGS


# ---------------------------------------------------------------- injected bugs


def _arrival_any_time(real: Callable[..., Any]) -> Callable[..., Any]:
    def broken(step: str, steps: Any, when: Any, now: datetime, **kw: Any) -> Any:
        return None if step == "arrived" else real(step, steps, when, now, **kw)

    return broken


def _completion_without_arrival(real: Callable[..., Any]) -> Callable[..., Any]:
    def broken(step: str, steps: Any, when: Any, now: datetime, **kw: Any) -> Any:
        return None if step == "completed" else real(step, steps, when, now, **kw)

    return broken


def _wage_any_time(real: Callable[..., Any]) -> Callable[..., Any]:
    def broken(step: str, steps: Any, when: Any, now: datetime, **kw: Any) -> Any:
        return None if step in WAGES else real(step, steps, when, now, **kw)

    return broken


def _corrections_ignored(ledger: View) -> dict[str, set[str]]:
    """Every step ever recorded counts, as if no correction had happened."""
    out: dict[str, set[str]] = {}
    for entry_id, entry in ledger.get("life", {}).items():
        out.setdefault(entry_id.rpartition(":")[0], set()).update(entry["s"])
    return out


def _dependent_ignored(step: str, steps: Any, recorded_at: Any, now: datetime, window: timedelta = WINDOW) -> Any:
    if step not in steps or now > recorded_at[step] + window:
        return placement_life.Refusal("correction_window_passed", "", "")
    return None


@contextmanager
def _patched(target: Any, name: str, value: Any) -> Iterator[None]:
    real = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, real)


BUGS: dict[str, tuple[Any, str, Any]] = {
    "arrival allowed any time": (placement_life, "may_record", _arrival_any_time(placement_life.may_record)),
    "completion without arrival": (
        placement_life,
        "may_record",
        _completion_without_arrival(placement_life.may_record),
    ),
    "wage before completion": (placement_life, "may_record", _wage_any_time(placement_life.may_record)),
    "correction ignored in counting": (figures, "standing_steps", _corrections_ignored),
    "correction of a step others rest on": (placement_life, "may_correct", _dependent_ignored),
}


@pytest.mark.parametrize("bug", list(BUGS))
def test_the_machine_catches_injected_bugs(bug: str) -> None:
    target, name, value = BUGS[bug]
    hunt = settings(
        MACHINE_SETTINGS,
        max_examples=1000,
        stateful_step_count=50,
        phases=[Phase.generate],
        database=None,
        derandomize=True,
    )
    with _patched(target, name, value), pytest.raises(AssertionError):
        run_state_machine_as_test(PlacementLifeMachine, settings=hunt)
