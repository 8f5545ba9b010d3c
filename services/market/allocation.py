"""Choosing who is offered which open place, under an :class:`~services.policy.AllocationPolicy`.

Two procedures; neither makes an offer while a free worker of a better tier is eligible for that place:

- ``fcfs`` and ``lottery``: place by place. Due requests are taken in place order (soonest start, the trade with
  the fewest check-ins, posting order); each place goes to the first eligible free worker by (tier, ticket) or
  (tier, draw).
- ``max_fill``: a plan over *every* open place (due or still inside its window) and every free worker: workers
  are taken in priority order (tier, then the fewest of today's requests they fit, then ticket) and each is added
  to the matching if an augmenting path exists, re-routing workers already in the plan to other places they fit.
  This greedy over a transversal matroid yields a *maximum* matching that is lexicographically best for the
  priority order: no higher-priority worker is left out where a lower-priority one could give way. Only the
  plan's places of due requests are offered; :func:`_tier_safe` then gives such a place to a better-tier
  worker the plan kept for a request still inside its window, if one is free and eligible.
- ``rolling``: the same plan, with the places whose job starts within the lead time (due) tried first by
  every worker, so that the plan covers them whenever some maximum matching does (an augmenting path never
  uncovers a place). Only due places are offered, in priority order of their workers. :func:`_earlier_swap`
  gives a due place to an earlier ticket of the tier whom the plan keeps for a place not yet due, when the
  planned worker can take that place instead (same workers, same places, fewer reorderings);
  :func:`_pull_forward` first offers every free eligible worker of a better tier the place the plan keeps
  for them, due or not, so that none is passed over.

Late starts (:mod:`services.market.request_life`): a request is offered only while ``now`` is before its start plus the
late-start grace, and every procedure prefers the requests that have not started yet: place by place they come
first; in the ``max_fill`` / ``rolling`` plan a worker tries them before started ones of the same scarcity
(after ``rolling``'s due places, and after the jobs that fewer of today's workers fit, which stay first: put
before scarcity, the preference cost 3-5 % of the places filled in time on the late-rush benchmark trace, see
docs/request-life.md). The tier rule is untouched: it is applied per place, whatever the order of the places.

A :class:`Choice` lists the earlier workers of its tier (queue order: ticket, or the draw) who were eligible for
its place and got no offer in its round; the market marks the offer ``reordered`` when one of them gets no offer
in the whole decision (:func:`passed_over`). Place by place this list is always empty.

:func:`choose_offers` offers what one round allows; the market calls it until it returns nothing, after which no
free worker is eligible for an open place of a due request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from services import clock
from services.clock import ZONE
from services.market import request_life
from services.market.eligibility import why_not
from services.market.index import eligible_workers, open_slots
from services.market.state import MarketState, OpenRequest, WaitingWorker
from services.policy import AllocationPolicy


@dataclasses.dataclass(frozen=True, slots=True)
class Choice:
    """One offer to make, with the facts that explain it."""

    worker: WaitingWorker
    request: OpenRequest
    #: position among the request's eligible free workers in the market's queue order (tier, then ticket, or
    #: the lottery draw under ``lottery``); 1 = first
    rank: int
    candidates: int  # eligible free workers of the chosen worker's tier
    #: check-in ids of free workers of the same tier, earlier in the queue order and eligible for this place,
    #: who get no offer in this round: the offer passes over them (a within-tier reordering) unless they get an
    #: offer later in the same decision (see :func:`passed_over`)
    earlier: tuple[str, ...]


def passed_over(choice: Choice, offered: set[str]) -> bool:
    """Whether ``choice`` is a within-tier reordering: an earlier worker of the same tier, eligible for the
    place, got no offer in the decision that made it (``offered``: check-in ids offered in that decision).

    Never true under ``fcfs`` or ``lottery`` (the queue order itself decides); under ``max_fill`` only when a
    later ticket was preferred and the earlier one was left waiting.
    """
    return any(checkin_id not in offered for checkin_id in choice.earlier)


def market_day(state: MarketState, now: datetime) -> str:
    """The local day the state is about (ISO date); the day of ``now`` for a state that has seen no command."""
    return state.day or clock.local_date(now).isoformat()


def request_order(state: MarketState, now: datetime | None = None) -> list[OpenRequest]:
    """Open requests in the order their places are handed out: with ``now``, those not yet started first; then
    soonest start, the trade with the fewest check-ins, posting order."""
    open_requests = [r for r in state.requests.values() if r.status == "open"]
    started = -1.0 if now is None else request_life.cutoff(market_day(state, now), now, timedelta(0))
    return sorted(
        open_requests,
        key=lambda r: (r.start * 60 <= started, r.start, state.supply.get(r.trade, 0), r.opened_at, r.request_id),
    )


def is_due(request: OpenRequest, now: datetime, policy: AllocationPolicy) -> bool:
    """Whether a request's places may be offered now.

    ``rolling``: once the job starts within ``lead_minutes``. Otherwise at once without a window; else after
    the window, or as soon as the job starts within ``start_soon_minutes``.
    """
    local = now.astimezone(ZONE)
    to_start = request.start - (local.hour * 60 + local.minute)
    if policy.within_tier == "rolling":
        return to_start <= policy.lead_minutes
    if policy.window_seconds <= 0:
        return True
    if (now - request.opened_at).total_seconds() >= policy.window_seconds:
        return True
    return to_start <= policy.start_soon_minutes


def choose_offers(
    state: MarketState,
    policy: AllocationPolicy,
    now: datetime,
    grace: timedelta = request_life.DEFAULT_GRACE,
) -> list[Choice]:
    """The offers to make now (:func:`plan_round`'s choices). Does not change ``state``."""
    return plan_round(state, policy, now, grace).choices


@dataclasses.dataclass(frozen=True, slots=True)
class Round:
    """What one round of allocation decides: the offers to make now, and the plan's other pairs.

    ``held``: the places the plan keeps for free workers without offering them (requests not yet due under
    ``rolling`` or inside their window under ``max_fill``), each worker once, in the plan's order. In the round
    that offers nothing (the last of a decision) these are the tentative offers (issue 26): every free worker of
    a better tier eligible for a held place is in the plan too (the plan is built in priority order), so a
    tentative offer never keeps a place from a better tier. Empty under ``fcfs`` and ``lottery``.
    """

    choices: list[Choice]
    held: list[tuple[WaitingWorker, OpenRequest]]


def plan_round(
    state: MarketState,
    policy: AllocationPolicy,
    now: datetime,
    grace: timedelta = request_life.DEFAULT_GRACE,
) -> Round:
    """The offers to make now and the places the plan holds. Does not change ``state``; the caller applies the
    choices in order.

    Only requests that still take offers at ``now`` (before their start plus ``grace``) are planned or offered.

    ``max_fill`` plans a matching over *every* open place, so that workers the plan keeps for a request still
    inside its window are not handed to another; it offers only the places that are due.

    Costs passes over the open requests and the waiting workers of their trades (derived indexes of
    :mod:`services.market.index`), not over every worker and offer of the market.
    """
    day = market_day(state, now)
    closed_by = request_life.cutoff(day, now, grace)
    open_requests = [r for r in request_order(state, now) if open_slots(state, r) > 0 and r.start * 60 > closed_by]
    if not open_requests:
        return Round([], [])
    eligible = _Eligible(state)
    held: list[tuple[WaitingWorker, OpenRequest]] = []
    if policy.within_tier in ("rolling", "max_fill"):
        started_by = request_life.cutoff(day, now, timedelta(0))
        started = {r.request_id for r in open_requests if r.start * 60 <= started_by}
        if policy.within_tier == "rolling":
            due_ids = {r.request_id for r in open_requests if is_due(r, now, policy)}
            plan = _max_fill(state, policy, open_requests, eligible, due_ids, started)
            pairs = _pull_forward(plan, due_ids, eligible, policy, state.day)
            held = [(w, r) for w, r in plan if r.request_id not in due_ids]
        else:
            plan = _max_fill(state, policy, open_requests, eligible, started=started)
            due_pairs = [(w, r) for w, r in plan if is_due(r, now, policy)]
            pairs = _tier_safe(due_pairs, plan, eligible, policy, state.day)
            if len(due_pairs) < len(plan):
                held = [(w, r) for w, r in plan if not is_due(r, now, policy)]
    else:
        due = [r for r in open_requests if is_due(r, now, policy)]
        pairs = _place_by_place(state, policy, due, eligible)
    offered = {worker.checkin_id for worker, _ in pairs}
    order = _queue_order(policy, state.day)
    return Round([_explain(worker, request, eligible(request), offered, order) for worker, request in pairs], held)


class _Eligible:
    """The workers eligible for each open request at the start of a round
    (:func:`services.market.index.eligible_workers`, in queue order), asked once per request.

    Every free worker eligible for an open place is of its trade and waiting, so this is what filtering the
    round's free workers by :func:`~services.market.eligibility.why_not` gives, in the same order, without a pass over
    every waiting worker for every place (issue 26: ``decide()`` at 3,000 workers)."""

    __slots__ = ("_found", "_state")

    def __init__(self, state: MarketState) -> None:
        self._state = state
        self._found: dict[str, list[WaitingWorker]] = {}

    def __call__(self, request: OpenRequest) -> list[WaitingWorker]:
        found = self._found.get(request.request_id)
        if found is None:
            found = self._found[request.request_id] = eligible_workers(self._state, request)
        return found


def firm_at(request: OpenRequest, policy: AllocationPolicy, day: str) -> datetime:
    """The moment a held place of ``request`` becomes due, so is offered firmly at the latest (:func:`is_due`):
    ``rolling``, its start minus the lead; ``max_fill`` with a window, the end of the window or
    ``start_soon_minutes`` before its start, whichever comes first."""
    if policy.within_tier == "rolling":
        return request_life.start_at(day, request.start - policy.lead_minutes)
    soon = request_life.start_at(day, request.start - policy.start_soon_minutes)
    return min(request.opened_at + timedelta(seconds=policy.window_seconds), soon)


def _queue_order(policy: AllocationPolicy, day: str) -> Callable[[WaitingWorker], tuple[object, ...]]:
    """The published queue order: tier, then ticket (``fcfs``, ``max_fill``) or the draw (``lottery``)."""
    if policy.within_tier == "lottery":
        return lambda w: (w.tier, policy.draw(day, w.checkin_id))
    return lambda w: (w.tier, w.ticket_no)


def _priority(policy: AllocationPolicy, day: str) -> Callable[[WaitingWorker], tuple[object, ...]]:
    if policy.within_tier == "lottery":
        return lambda w: (w.tier, policy.draw(day, w.checkin_id))
    if policy.within_tier in ("max_fill", "rolling"):
        # Within a tier, the worker who could do the fewest of today's jobs goes first: the versatile stay free
        # for work only they can do. Ties keep the queue order.
        return lambda w: (w.tier, w.fit_count, w.ticket_no)
    return lambda w: (w.tier, w.ticket_no)


def _place_by_place(
    state: MarketState, policy: AllocationPolicy, due: list[OpenRequest], eligible: _Eligible
) -> list[tuple[WaitingWorker, OpenRequest]]:
    """Each due request's places, in order, to its first eligible free workers by ``_priority``.

    One pass per request over its eligible workers (:class:`_Eligible`), in priority order, stopping at its open
    places: the same choices as taking the minimum of all eligible workers place by place (the sort is stable
    and the list is in queue order, so ties keep the queue order, as ``min`` did), without re-checking every
    worker for every place.
    """
    priority = _priority(policy, state.day)
    ranks: dict[str, tuple[object, ...]] = {}

    def key(worker: WaitingWorker) -> tuple[object, ...]:
        rank = ranks.get(worker.checkin_id)
        if rank is None:
            rank = ranks[worker.checkin_id] = priority(worker)
        return rank

    taken: set[str] = set()
    pairs: list[tuple[WaitingWorker, OpenRequest]] = []
    for request in due:
        places = open_slots(state, request)
        if places <= 0:
            continue
        for worker in sorted(eligible(request), key=key):
            if worker.checkin_id in taken:
                continue
            pairs.append((worker, request))
            taken.add(worker.checkin_id)
            places -= 1
            if places == 0:
                break
    return pairs


def _max_fill(
    state: MarketState,
    policy: AllocationPolicy,
    due: list[OpenRequest],
    eligible: _Eligible,
    urgent: set[str] | frozenset[str] = frozenset(),
    started: set[str] | frozenset[str] = frozenset(),
) -> list[tuple[WaitingWorker, OpenRequest]]:
    capacity = {r.request_id: open_slots(state, r) for r in due}
    by_id = {r.request_id: r for r in due}
    hardest_first = sorted(
        due,
        key=lambda r: (
            r.request_id not in urgent,
            r.fit_count,
            r.request_id in started,
            r.start,
            r.opened_at,
            r.request_id,
        ),
    )
    # Only the workers eligible for some open place can be placed; each one's list of requests in the order
    # of hardest_first. (Every priority key ends with the ticket, so the order the workers are met in is moot.)
    workers: dict[str, WaitingWorker] = {}
    fits: dict[str, list[str]] = {}
    for request in hardest_first:
        for worker in eligible(request):
            found = fits.get(worker.checkin_id)
            if found is None:
                found = fits[worker.checkin_id] = []
                workers[worker.checkin_id] = worker
            found.append(request.request_id)
    if policy.keep_held and state.held:
        _held_first(fits, state, urgent)
    holders: dict[str, list[str]] = {r.request_id: [] for r in due}
    placed: dict[str, str] = {}

    matching = _Matching(fits, capacity, holders, placed)
    # A search that fails leaves the matching as it was, and no request it visited can lead to a free place
    # while the matching stays so: the next searches skip them (the same paths are found, fewer are walked),
    # until a search succeeds and changes the matching. Many workers and few places: most searches fail.
    dead: set[str] = set()
    for worker in sorted(workers.values(), key=_priority(policy, state.day)):
        if _augment(worker.checkin_id, dead, matching):
            dead = set()
    order = {r.request_id: i for i, r in enumerate(due)}
    chosen = sorted(placed.items(), key=lambda item: (order[item[1]], workers[item[0]].ticket_no))
    return [(workers[w], by_id[r]) for w, r in chosen]


def _held_first(fits: dict[str, list[str]], state: MarketState, urgent: set[str] | frozenset[str]) -> None:
    """``keep_held``: each worker's held place (tentative offer) moved to just after the due places in their list."""
    for checkin_id, hold in state.held.items():
        found = fits.get(checkin_id)
        if found is None or hold.request_id in urgent or hold.request_id not in found:
            continue
        found.remove(hold.request_id)
        at = next((i for i, request_id in enumerate(found) if request_id not in urgent), len(found))
        found.insert(at, hold.request_id)


@dataclasses.dataclass(frozen=True, slots=True)
class _Matching:
    """The bipartite matching :func:`_max_fill` builds: each worker's fitting requests (hardest first), each
    request's places, the workers holding them, and the request each placed worker holds."""

    fits: dict[str, list[str]]
    capacity: dict[str, int]
    holders: dict[str, list[str]]
    placed: dict[str, str]


def _augment(worker_id: str, seen: set[str], m: _Matching) -> bool:
    """Place ``worker_id`` by an augmenting path (Kuhn): a request with a free place, else one whose holder can
    move to another request not yet ``seen``. A module function, not a closure in :func:`_max_fill`: a closure
    that calls itself is a reference cycle, which only the cycle collector frees (one per allocation, found by
    the stream worker's collection census)."""
    for request_id in m.fits[worker_id]:
        if request_id in seen:
            continue
        seen.add(request_id)
        holders = m.holders[request_id]
        if len(holders) < m.capacity[request_id]:
            holders.append(worker_id)
            m.placed[worker_id] = request_id
            return True
        for other in list(holders):
            if _augment(other, seen, m):
                holders.remove(other)
                holders.append(worker_id)
                m.placed[worker_id] = request_id
                return True
    return False


def _tier_safe(
    due: list[tuple[WaitingWorker, OpenRequest]],
    plan: list[tuple[WaitingWorker, OpenRequest]],
    eligible: _Eligible,
    policy: AllocationPolicy,
    day: str,
) -> list[tuple[WaitingWorker, OpenRequest]]:
    """The due part of a plan, corrected so that no offer passes over a free eligible worker of a higher tier.

    The plan may keep a higher-tier worker for a request still inside its window; at the moment of an offer
    that worker is free and eligible, so the offer goes to them instead (the plan is rebuilt next time).
    """
    key = _priority(policy, day)
    planned = {w.checkin_id for w, _ in plan}
    taken: set[str] = set()
    out: list[tuple[WaitingWorker, OpenRequest]] = []
    for worker, request in due:
        candidates = [w for w in eligible(request) if w.checkin_id not in taken]
        if not candidates:
            continue  # its planned worker went to a higher-priority place in this round
        best = min(w.tier for w in candidates)
        if worker.tier > best or worker.checkin_id in taken:
            # Prefer a worker the plan does not need elsewhere; among those, the usual order.
            worker = min((w for w in candidates if w.tier == best), key=lambda w: (w.checkin_id in planned, key(w)))
        taken.add(worker.checkin_id)
        out.append((worker, request))
    return out


def _pull_forward(
    plan: list[tuple[WaitingWorker, OpenRequest]],
    due_ids: set[str],
    eligible: _Eligible,
    policy: AllocationPolicy,
    day: str,
) -> list[tuple[WaitingWorker, OpenRequest]]:
    """``rolling``: the plan's pairs of due places, in an order and with additions that pass over no better tier.

    Before a due place is offered to a worker, every free worker of a better tier eligible for it gets their
    own offer first: their planned place, offered now even if not yet due (pulled forward), so the plan
    keeps them for the place it needs them in. A better-tier worker the plan left out (none, in a plan built in
    priority order, unless an earlier pull took their place) takes the due place instead.
    """
    key = _priority(policy, day)
    planned = {w.checkin_id: (w, r) for w, r in plan}
    taken: set[str] = set()
    tried: set[str] = set()
    out: list[tuple[WaitingWorker, OpenRequest]] = []

    def offer(worker: WaitingWorker, request: OpenRequest) -> None:
        tried.add(worker.checkin_id)
        while True:
            better = [w for w in eligible(request) if w.tier < worker.tier and w.checkin_id not in taken]
            if not better:
                break
            first = min(better, key=key)
            if first.checkin_id in planned and first.checkin_id not in tried:
                offer(first, planned[first.checkin_id][1])  # their own place first (it may need a better tier)
                continue
            worker = first  # left out of the plan, or their place went to a better tier: this place is theirs
            tried.add(worker.checkin_id)
        taken.add(worker.checkin_id)
        out.append((worker, request))

    # Only a worker the plan keeps for a place may swap (_earlier_swap): the others need not be queued.
    queue = sorted((w for w, _ in plan), key=lambda w: (w.tier, w.ticket_no))
    for worker, request in sorted(
        (pair for pair in plan if pair[1].request_id in due_ids), key=lambda pair: key(pair[0])
    ):
        if worker.checkin_id not in tried:
            offer(_earlier_swap(worker, request, queue, planned, due_ids, tried), request)
    return out


def _earlier_swap(
    worker: WaitingWorker,
    request: OpenRequest,
    queue: list[WaitingWorker],
    planned: dict[str, tuple[WaitingWorker, OpenRequest]],
    due_ids: set[str],
    tried: set[str],
) -> WaitingWorker:
    """The worker to offer ``request`` to instead of ``worker``: the earliest ticket of the same tier who is
    eligible for it and whom the plan keeps for a place not yet due that ``worker`` can do too (the two swap
    places in the plan: the same workers, the same places, fewer earlier tickets passed over); else ``worker``.
    ``queue``: the free workers by tier and ticket; ``planned`` is updated.
    """
    for earlier in queue:
        if (earlier.tier, earlier.ticket_no) >= (worker.tier, worker.ticket_no):
            break
        if earlier.tier != worker.tier or earlier.checkin_id in tried or earlier.checkin_id not in planned:
            continue
        kept_for = planned[earlier.checkin_id][1]
        if kept_for.request_id in due_ids or why_not(earlier, request) is not None or why_not(worker, kept_for):
            continue
        del planned[earlier.checkin_id]
        planned[worker.checkin_id] = (worker, kept_for)
        return earlier
    return worker


def _explain(
    worker: WaitingWorker,
    request: OpenRequest,
    candidates: list[WaitingWorker],
    offered: set[str],
    order: Callable[[WaitingWorker], tuple[object, ...]],
) -> Choice:
    """``candidates``: the workers eligible for ``request`` at the start of the round."""
    eligible = sorted(candidates, key=order)
    same_tier = [w for w in eligible if w.tier == worker.tier]
    rank = next((i for i, w in enumerate(eligible, start=1) if w.checkin_id == worker.checkin_id), 1)
    mine = order(worker)
    earlier = tuple(w.checkin_id for w in same_tier if order(w) < mine and w.checkin_id not in offered)
    return Choice(worker=worker, request=request, rank=rank, candidates=max(1, len(same_tier)), earlier=earlier)
