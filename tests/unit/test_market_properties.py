"""Property-based tests: a hypothesis state machine drives the pure market core with random commands.

Each run draws an allocation policy (``max_fill`` with and without a window, ``fcfs``, ``lottery``, ``rolling``
with a lead time of 30 and 0 minutes). After every command it checks the invariants the platform promises
(DESIGN.md, "Invariants"): no worker double-booked, no request over its headcount, every offer eligible, no
higher-tier worker passed over, ``reordered`` set exactly on the offers that leave an earlier eligible ticket of
the tier without an offer, nobody left waiting while a due job they fit is open (unless the policy keeps them
for a place not yet due), and the effects of decline, expiry, cancel, no-show and check-out on the workers
concerned; a worker is paused exactly when they let two offers expire since checking in or confirming "still
waiting", and a paused worker is never offered. A second machine runs the same rules and checks under
``rolling`` only, with a lead time of 0 to 240 minutes.

Tentative offers (issue 26): the held places the facts tell (``PlaceHeld`` / ``PlaceReleased``, replayed into a
model) are exactly the state's; a held place is an open place not yet due, of a waiting eligible worker, each
worker once, within the request's headcount; a tentative offer never keeps a place from a better tier (every
waiting worker of a better tier eligible for it holds a place too); and every firm offer to a worker who held a
place either makes that place firm (``held_since``) or comes with the release of the held one, saying why.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from services.market import index as market_index
from services.market import records as r
from services.market.allocation import is_due
from services.market.decide import Decision, MarketRules, decide, new_state
from services.market.eligibility import fits, overlaps, why_not
from services.market.state import MarketState, decode_state, encode_state, open_slots
from services.policy import AllocationPolicy
from services.records import derived_id
from tests.unit.market_fixtures import T0

TRADES = ("mason", "porter")
GROUPS = ((), (), (), ("veteran",), ("relocated",), ("graduate",))
#: every allocation rule, and max_fill with a window (requests wait up to 20 minutes unless they start soon)
POLICIES = (
    AllocationPolicy(within_tier="max_fill"),
    AllocationPolicy(within_tier="max_fill", window_seconds=1200, start_soon_minutes=45),
    AllocationPolicy(within_tier="fcfs"),
    AllocationPolicy(within_tier="lottery", lottery_seed="s"),
    AllocationPolicy(within_tier="rolling", lead_minutes=30),
    AllocationPolicy(within_tier="rolling", lead_minutes=0),
)


class MarketMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.rules = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy(within_tier="max_fill"))
        self.state: MarketState = new_state("zs-market", "zhongshan")
        self.now = T0
        self.n = 0
        self.last: Decision | None = None
        self.before: MarketState | None = None
        self.command: r.MarketCommand | None = None
        #: the tentative offers as the facts tell them: check-in id -> (request id, firm at, since)
        self.told: dict[str, tuple[str, object, object]] = {}

    @initialize(policy=st.sampled_from(POLICIES))
    def choose_policy(self, policy: AllocationPolicy) -> None:
        self.rules = MarketRules(offer_ttl=timedelta(minutes=10), policy=policy)

    def _id(self, kind: str) -> str:
        self.n += 1
        return f"{kind}{self.n}"

    def _head(self, kind: str) -> dict[str, object]:
        return {"id": self._id(kind), "at": self.now, "market_id": "zs-market", "county": "zhongshan"}

    def _apply(self, command: r.MarketCommand) -> None:
        self.before = decode_state(encode_state(self.state))
        self.command = command
        self.last = decide(self.state, command, self.rules)
        self.state = self.last.state
        # Replaying the same command from the same stored state must give the same facts, byte for byte.
        again = decide(decode_state(encode_state(self.before)), command, self.rules)
        assert [msgspec.json.encode(f) for f in again.facts] == [msgspec.json.encode(f) for f in self.last.facts]
        for fact in self.last.facts:
            if isinstance(fact, r.PlaceReleased):
                assert self.told.pop(fact.checkin_id)[0] == fact.request_id, "a release of a place not held"
            elif isinstance(fact, r.PlaceHeld):
                previous = self.told.get(fact.checkin_id)
                since = previous[2] if previous and previous[0] == fact.request_id else fact.at
                self.told[fact.checkin_id] = (fact.request_id, fact.firm_at, since)
            elif isinstance(fact, r.OfferMade) and fact.held_since is not None:
                assert self.told.pop(fact.checkin_id)[0] == fact.request_id

    @rule(
        trades=st.lists(st.sampled_from(TRADES), min_size=1, max_size=3, unique=True),
        wage=st.sampled_from([100, 150, 200]),
        start=st.integers(6, 8),
        length=st.integers(6, 14),
        groups=st.sampled_from(GROUPS),
        repeat=st.booleans(),
    )
    def check_in(
        self, trades: list[str], wage: int, start: int, length: int, groups: tuple[str, ...], repeat: bool
    ) -> None:
        known = [w.worker for w in self.state.workers.values()]
        worker = known[0] if repeat and known else f"w_{self.n}"
        self._apply(
            r.CheckIn(
                **self._head("c"),  # type: ignore[arg-type]
                worker=worker,
                worker_masked="5202**********0001",
                kiosk_id="k",
                trades=tuple(trades),
                min_day_wage=wage,
                available_from=start * 60,
                available_until=min(23 * 60, (start + length) * 60),
                groups=groups,
            )
        )

    @rule(
        trade=st.sampled_from(TRADES),
        headcount=st.integers(1, 3),
        wage=st.sampled_from([120, 180, 250]),
        start=st.integers(8, 13),
        hours=st.integers(1, 6),
    )
    def post_job(self, trade: str, headcount: int, wage: int, start: int, hours: int) -> None:
        self._apply(
            r.PostJobRequest(
                **self._head("j"),  # type: ignore[arg-type]
                employer_id="e1",
                employer_name="E",
                trade=trade,
                headcount=headcount,
                day_wage=wage,
                start=start * 60,
                hours=hours,
                place="p",
            )
        )

    @precondition(lambda self: bool(self.state.offers))
    @rule(pick=st.integers(0, 100), accept=st.booleans())
    def answer(self, pick: int, accept: bool) -> None:
        offers = sorted(self.state.offers)
        offer = self.state.offers[offers[pick % len(offers)]]
        self._apply(
            r.AnswerOffer(
                **self._head("a"),  # type: ignore[arg-type]
                offer_id=offer.offer_id,
                checkin_id=offer.checkin_id,
                answer="accept" if accept else "decline",
            )
        )
        worker = self.state.workers[offer.checkin_id]
        if not accept:
            assert offer.request_id in worker.passed_requests
        else:
            assert any(c.placement_id == derived_id("placement", offer.offer_id) for c in worker.commitments)

    @rule(minutes=st.integers(1, 15))
    def tick(self, minutes: int) -> None:
        if self.now + timedelta(minutes=minutes) >= T0 + timedelta(hours=15):
            return  # stay within the day; the day's end has its own unit test
        self.now += timedelta(minutes=minutes)
        expiring = [o for o in self.state.offers.values() if o.expires_at <= self.now]
        missed = {o.checkin_id: self.state.workers[o.checkin_id].missed for o in expiring}
        self._apply(r.Tick(**self._head("t")))  # type: ignore[arg-type]
        for o in expiring:
            worker = self.state.workers[o.checkin_id]
            assert o.request_id in worker.passed_requests
            assert worker.missed == missed[o.checkin_id] + 1
        assert self.last is not None
        for fact in self.last.facts:
            if isinstance(fact, r.OfferExpired):
                assert fact.paused == (fact.missed >= self.rules.missed_before_pause)

    @precondition(lambda self: bool(self.state.workers))
    @rule(pick=st.integers(0, 100))
    def confirm_waiting(self, pick: int) -> None:
        ids = sorted(self.state.workers)
        checkin_id = ids[pick % len(ids)]
        status = self.state.workers[checkin_id].status
        self._apply(r.ConfirmWaiting(**self._head("w"), checkin_id=checkin_id))  # type: ignore[arg-type]
        assert self.last is not None
        resumed = [f for f in self.last.facts if isinstance(f, r.WorkerResumed)]
        assert [f.checkin_id for f in resumed] == ([checkin_id] if status == "paused" else [])
        if status == "paused":
            assert self.state.workers[checkin_id].missed == 0
            assert self.state.workers[checkin_id].status in ("waiting", "offered")

    @precondition(lambda self: bool(self.state.requests))
    @rule(pick=st.integers(0, 100))
    def cancel(self, pick: int) -> None:
        ids = sorted(self.state.requests)
        request_id = ids[pick % len(ids)]
        placed = list(self.state.requests[request_id].placements)
        was_open = self.state.requests[request_id].status != "closed"
        self._apply(r.CancelJobRequest(**self._head("x"), request_id=request_id, employer_id="e1"))  # type: ignore[arg-type]
        assert not any(o.request_id == request_id for o in self.state.offers.values())
        if not was_open:  # closed (cancelled, expired, or its start passed): refused, its placements stay
            assert list(self.state.requests[request_id].placements) == placed
            return
        for placement_id in placed:
            worker = self.state.workers[self.state.placements[placement_id].checkin_id]
            assert all(c.placement_id != placement_id for c in worker.commitments)

    @precondition(lambda self: any(w.status != "left" for w in self.state.workers.values()))
    @rule(pick=st.integers(0, 100))
    def check_out(self, pick: int) -> None:
        active = sorted(c for c, w in self.state.workers.items() if w.status != "left")
        checkin_id = active[pick % len(active)]
        self._apply(r.CheckOut(**self._head("o"), checkin_id=checkin_id))  # type: ignore[arg-type]
        assert self.state.workers[checkin_id].status == "left"
        assert not any(o.checkin_id == checkin_id for o in self.state.offers.values())
        assert self.last is not None and [c.checkin_id for c in self.last.to_roster] == [checkin_id]

    @precondition(lambda self: any(p.status == "started" for p in self.state.placements.values()))
    @rule(pick=st.integers(0, 100))
    def no_show(self, pick: int) -> None:
        started = sorted(p for p, v in self.state.placements.items() if v.status == "started")
        placement_id = started[pick % len(started)]
        request = self.state.requests[self.state.placements[placement_id].request_id]
        started = self.now >= T0 - timedelta(hours=8) + timedelta(minutes=request.start)  # T0 is 08:00 local
        self._apply(r.MarkNoShow(**self._head("n"), placement_id=placement_id, employer_id="e1"))  # type: ignore[arg-type]
        placement = self.state.placements[placement_id]
        if not started:  # services/market/placement_life.py: a no-show only after the job's start
            assert placement.status == "started"
            assert self.last is not None and any(isinstance(f, r.CommandRefused) for f in self.last.facts)
            return
        assert placement.status == "cancelled"
        assert self.state.workers[placement.checkin_id].status == "left"

    # ------------------------------------------------------------ invariants

    @invariant()
    def no_worker_double_booked(self) -> None:
        for worker in self.state.workers.values():
            pending = [o for o in self.state.offers.values() if o.checkin_id == worker.checkin_id]
            assert len(pending) <= 1
            assert (worker.status == "offered") == bool(pending)
            slots = [(c.start, c.end) for c in worker.commitments]
            for i, a in enumerate(slots):
                assert not any(overlaps(a, b) for b in slots[i + 1 :]), f"overlapping jobs for {worker.checkin_id}"

    @invariant()
    def paused_exactly_after_two_missed_offers_and_never_offered(self) -> None:
        for worker in self.state.workers.values():
            if worker.status != "left":
                assert (worker.status == "paused") == (worker.missed >= self.rules.missed_before_pause)
        if self.last is None or self.before is None:
            return
        for fact in self.last.facts:
            if isinstance(fact, r.OfferMade):
                before = self.before.workers.get(fact.checkin_id)
                resumed = any(
                    isinstance(f, r.WorkerResumed) and f.checkin_id == fact.checkin_id for f in self.last.facts
                )
                assert before is None or before.status != "paused" or resumed, "an offer to a paused worker"

    @invariant()
    def no_request_over_headcount(self) -> None:
        for request in self.state.requests.values():
            assert open_slots(self.state, request) >= 0
            assert len(request.placements) <= request.headcount

    @invariant()
    def derived_indexes_answer_like_scans(self) -> None:
        """The live state's derived look-ups (kept across commands) agree with passes over its fields."""
        state = self.state
        for request in state.requests.values():
            assert market_index.open_slots(state, request) == open_slots(state, request)
            scan = [o for o in state.offers.values() if o.request_id == request.request_id]
            assert market_index.pending_offers(state, request.request_id) == scan
            fitting = [c for c, w in state.workers.items() if fits(w, request)]
            assert list(market_index.fitting_workers(state, request)) == fitting
            eligible = [w for w in state.workers.values() if why_not(w, request) is None]
            assert market_index.eligible_workers(state, request) == eligible
        for trades in ([t] for t in TRADES):
            waiting = [
                w for w in state.workers.values() if w.status == "waiting" and not set(trades).isdisjoint(w.trades)
            ]
            assert market_index.waiting_workers(state, trades) == waiting
            assert market_index.any_waiting(state, trades) == bool(waiting)
        waiting = [w for w in state.workers.values() if w.status == "waiting"]
        assert market_index.waiting_workers(state, TRADES) == waiting
        for trade in TRADES:
            assert market_index.workers_of_trade(state, trade) == [
                w for w in state.workers.values() if trade in w.trades
            ]
            assert market_index.requests_of_trades(state, [trade]) == [
                q for q in state.requests.values() if q.trade == trade
            ]

    @invariant()
    def tentative_offers_are_told_by_the_facts(self) -> None:
        held = {c: (h.request_id, h.firm_at, h.since) for c, h in self.state.held.items()}
        assert held == self.told

    @invariant()
    def a_held_place_is_an_open_place_not_yet_due_of_a_free_eligible_worker(self) -> None:
        policy = self.rules.policy
        at_once = policy.within_tier in ("fcfs", "lottery") or (
            policy.within_tier == "max_fill" and not policy.window_seconds
        )
        if at_once:
            assert not self.state.held, "a tentative offer where every place is offered at once"
        per_request: dict[str, int] = {}
        for checkin_id, hold in self.state.held.items():
            worker = self.state.workers[checkin_id]
            request = self.state.requests[hold.request_id]
            assert worker.status == "waiting" and request.status == "open"
            assert why_not(worker, request) is None, "a place held for an ineligible worker"
            assert not is_due(request, self.now, policy) and hold.firm_at > self.now
            per_request[request.request_id] = per_request.get(request.request_id, 0) + 1
        for request_id, count in per_request.items():
            assert count <= open_slots(self.state, self.state.requests[request_id]), "held places over headcount"

    @invariant()
    def a_tentative_offer_never_keeps_a_place_from_a_better_tier(self) -> None:
        for checkin_id, hold in self.state.held.items():
            tier = self.state.workers[checkin_id].tier
            request = self.state.requests[hold.request_id]
            for other in self.state.workers.values():
                if other.status == "waiting" and other.tier < tier and why_not(other, request) is None:
                    assert other.checkin_id in self.state.held, "a better tier left without a place"

    @invariant()
    def every_firm_offer_to_a_held_worker_makes_the_hold_firm_or_releases_it(self) -> None:
        if self.last is None or self.before is None:
            return
        released = {f.checkin_id: f.reason for f in self.last.facts if isinstance(f, r.PlaceReleased)}
        for fact in self.last.facts:
            if not isinstance(fact, r.OfferMade):
                continue
            hold = self.before.held.get(fact.checkin_id)
            if hold is None:
                assert fact.held_since is None  # made at once: no tentative offer stood for this worker
            elif hold.request_id == fact.request_id:
                assert fact.held_since == hold.since
            else:
                assert fact.held_since is None and released.get(fact.checkin_id) == "firm_offer_elsewhere"

    @invariant()
    def every_offer_eligible_and_no_higher_tier_passed_over(self) -> None:
        if self.last is None or self.before is None:
            return
        for fact in self.last.facts:
            if not isinstance(fact, r.OfferMade):
                continue
            request = msgspec.structs.replace(self.state.requests[fact.request_id], status="open")
            worker = self.state.workers[fact.checkin_id]
            probe = msgspec.structs.replace(worker, status="waiting")
            if worker.offer_id == fact.offer_id:
                assert why_not(probe, request) is None, "offer to an ineligible worker"
            for other in self.state.workers.values():
                if other.status == "waiting" and other.tier < fact.tier:
                    assert why_not(other, request) is not None, "a higher-tier eligible worker was passed over"

    @invariant()
    def reordered_marks_exactly_the_offers_that_pass_over_an_earlier_ticket(self) -> None:
        """An offer is a within-tier reordering iff a worker of its tier, earlier in the queue, eligible for
        the place and free before the command, got no offer from the command; never under fcfs or lottery."""
        if self.last is None or self.before is None:
            return
        offers = [f for f in self.last.facts if isinstance(f, r.OfferMade)]
        offered = {f.checkin_id for f in offers}
        policy = self.rules.policy
        for fact in offers:
            if policy.within_tier not in ("max_fill", "rolling"):
                assert not fact.reordered, f"a {policy.within_tier} offer marked reordered"
                continue
            request = msgspec.structs.replace(self.state.requests[fact.request_id], status="open")
            ticket = self.state.workers[fact.checkin_id].ticket_no
            passed = [
                w
                for w in self.state.workers.values()
                if w.checkin_id not in offered
                and w.status == "waiting"
                and w.tier == fact.tier
                and w.ticket_no < ticket
                and why_not(w, request) is None
            ]
            assert fact.reordered == bool(passed)

    @invariant()
    def nobody_waits_while_a_job_they_fit_is_open(self) -> None:
        for request in self.state.requests.values():
            if request.status != "open" or open_slots(self.state, request) <= 0:
                continue
            if not is_due(request, self.now, self.rules.policy):
                continue  # max_fill with a window: its places are not offered yet
            held_for = [
                q
                for q in self.state.requests.values()
                if q.status == "open" and open_slots(self.state, q) > 0 and not is_due(q, self.now, self.rules.policy)
            ]
            for worker in self.state.workers.values():
                if worker.status == "waiting" and why_not(worker, request) is None:
                    # Only with a window: the plan may keep a worker for a place still inside its window.
                    assert any(why_not(worker, q) is None for q in held_for), "a free worker fits a due open place"


MarketMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_market_state_machine = MarketMachine.TestCase


class RollingMarketMachine(MarketMachine):
    """The same machine with ``rolling`` policies only (lead times around the jobs' starts), so that holding,
    due-first covering, the earlier-ticket swap and pulling better tiers forward meet every command often."""

    @initialize(lead=st.integers(0, 240), keep=st.booleans())
    def choose_policy(self, lead: int, keep: bool) -> None:  # type: ignore[override]
        policy = AllocationPolicy(within_tier="rolling", lead_minutes=lead, keep_held=keep)
        self.rules = MarketRules(offer_ttl=timedelta(minutes=10), policy=policy)


RollingMarketMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_rolling_market_state_machine = RollingMarketMachine.TestCase
