"""The pause rule (issue 28), end to end in the pure core: a worker paused for no-shows is never offered a place
that day.

A market day is driven by random commands (the worker checking in through the gateway's gate, employers posting,
the worker accepting, employers marking them absent, other workers, ticks); every fact goes through the
reliability projection, and the gate reads the worker's list from it, as the gateway does at check-in. Whenever
the market offers the worker a place, the rule must not hold against them at that moment; and once it holds, the
worker gets no offer for the rest of the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.market import records as r
from services.market.decide import decide, new_state
from services.readmodels import trust_views as tv
from services.readmodels.views import View
from services.trust import rules
from tests.unit.market_fixtures import FCFS

DAY = date(2026, 11, 26)
START = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 local
LIMIT = 2
W = "w-paused"

Action = st.sampled_from(("check_in", "check_in", "post", "post", "accept", "no_show", "no_show", "other", "tick"))


@settings(max_examples=200, deadline=None)
@given(prior=st.integers(0, 4), actions=st.lists(Action, min_size=5, max_size=40))
def test_a_paused_worker_is_never_offered_a_place_that_day(prior: int, actions: list[str]) -> None:
    projection = tv.ReliabilityViews("")
    store: dict[str, View | None] = {}
    # earlier no-shows in the window (other days): the worker's list as the projection left it
    store[tv.worker_key("", W)] = {
        "placements": {},
        "no_shows": {f"old{i}": (DAY - timedelta(days=1 + i)).isoformat() for i in range(prior)},
    }
    state = new_state("zs-market", "zhongshan")
    checkins: set[str] = set()
    placements: list[str] = []
    paused_since: datetime | None = None
    at = START
    n = 0

    def gate() -> bool:
        """The gateway's check: may the worker check in now?"""
        return rules.pause(tv.no_show_days(store.get(tv.worker_key("", W))), DAY, LIMIT) is None

    for action in actions:
        n += 1
        at += timedelta(minutes=7)
        head = {"id": f"cmd{n}", "at": at, "market_id": "zs-market", "county": "zhongshan"}
        command: r.MarketCommand | None = None
        if action == "check_in":
            if gate():
                command = _check_in(head, W)
            elif paused_since is None:
                paused_since = at
        elif action == "other":
            command = _check_in(head, f"other{n}")
        elif action == "post":
            command = r.PostJobRequest(
                **head,  # type: ignore[arg-type]
                employer_id="e1",
                employer_name="凉都建筑",
                trade="mason",
                headcount=1,
                day_wage=300,
                start=(at + timedelta(hours=8, minutes=5)).hour * 60 + (at + timedelta(hours=8, minutes=5)).minute,
                hours=1,
                place="钟山区",
            )
        elif action == "accept":
            open_offers = [o for o in state.offers.values() if o.checkin_id in checkins]
            if open_offers:
                o = open_offers[0]
                command = r.AnswerOffer(**head, offer_id=o.offer_id, checkin_id=o.checkin_id, answer="accept")  # type: ignore[arg-type]
        elif action == "no_show" and placements:
            command = r.MarkNoShow(**head, placement_id=placements[-1], employer_id="e1")  # type: ignore[arg-type]
        else:
            command = r.Tick(**head)  # type: ignore[arg-type]
        if command is None:
            continue
        decision = decide(state, command, FCFS)
        state = decision.state
        for fact in decision.facts:
            if isinstance(fact, r.WorkerQueued) and fact.worker == W:
                checkins.add(fact.checkin_id)
            if isinstance(fact, r.PlacementStarted) and fact.worker == W:
                placements.append(fact.placement_id)
            if isinstance(fact, r.OfferMade) and fact.worker == W:
                assert gate(), "offered a place while the pause rule holds"
                assert paused_since is None, "offered a place after being paused today"
            keys = projection.keys_for(fact)
            store.update(projection.apply(fact, {k: store.get(k) for k in keys}))
        if not gate() and paused_since is None:
            paused_since = at


def _check_in(head: dict[str, object], worker: str) -> r.CheckIn:
    return r.CheckIn(
        **head,  # type: ignore[arg-type]
        worker=worker,
        worker_masked="5202**********0001",
        kiosk_id="k1",
        trades=("mason",),
        min_day_wage=100,
        available_from=0,
        available_until=24 * 60 - 1,
    )
