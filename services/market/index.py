"""Derived look-ups over a :class:`~services.market.state.MarketState`, kept beside it in memory, never stored.

A market's state lists its workers, requests, pending offers and the ids of its recent commands; answering
"has this command been applied?", "is this worker already queued here?", "is any worker of this trade
waiting?", "how many offers await an answer for this request?" or "which offer expires first?" by scanning
them costs a pass over thousands of entries per command. The index answers them in constant (or amortised
constant) time. It lives in the state object's ``__dict__`` (not a field: it is not encoded, compared or copied)
and is rebuilt from the fields whenever they no longer look like what it was built from, so a state decoded
afresh, copied, or changed by code that bypasses these functions is still answered correctly:

- the recent command ids: every change goes through :func:`remember`; a list whose length or ends differ from
  the index's record of them is indexed again;
- the workers and the offers: :mod:`services.market.decide` queues workers through :func:`add_worker`, makes and
  ends offers through :func:`hold_offer` and :func:`drop_offer`, and otherwise only clears them all; an index
  whose record of either dict's size and last key differs from the state's indexes both again;
- the requests: added through :func:`add_request`, otherwise only cleared; likewise checked by size and last key;
- which check-ins fit a request's lasting terms (:func:`fitting_workers`: trade, certificate, wage, hours), worked
  out for a request when first asked, extended by :func:`add_worker`, dropped whole when the workers or the
  requests no longer look as they did, and worked out again when the request's terms differ from those it was
  worked out for (a reopened request starts later);
- beside it, per request, the fitting check-ins not yet found *lastingly* ineligible for it
  (:func:`eligible_workers`): a worker who left, passed the request (declined it or let its offer expire) or
  took a job that overlaps it stays so for the rest of the day, except that a job is given back when its request
  is cancelled, which :mod:`services.market.decide` reports by :func:`commitments_shrunk` (every such finding is
  forgotten). So a command looks again only at the workers who may still be offered the request, not at every
  worker who ever fitted it (issue 26: ``decide()`` at 3,000 workers).

What is read from the live entries needs no index update: a worker's status. :func:`waiting_workers` keeps,
per trade, the check-ins that *may* be waiting (every new check-in, and the worker of every offer that ended)
and drops those whose live status is not ``waiting`` when it meets them: a worker stops waiting only by taking
an offer, being paused or leaving, and starts again only when an offer ends or a pause is lifted
(:func:`resume_worker`; ``left`` is final). The one contract that cannot be
checked by shape: an offer's ``expires_at`` is never changed in place (the expiry heap records it).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from services.market.eligibility import fits, why_not
from services.market.state import MarketState, OpenRequest, PendingOffer, WaitingWorker

_ATTRIBUTE = "derived_index"

_Shape = tuple[int, str]
#: The terms of a request that decide which workers fit it lastingly (:func:`services.market.eligibility.fits`).
_Terms = tuple[str, bool, int, int, int]
_V = TypeVar("_V")


class _Index:
    __slots__ = (
        "by_trade",
        "by_worker",
        "expiry",
        "fitting",
        "fitting_shape",
        "maybe_waiting",
        "pending",
        "position",
        "recent",
        "recent_shape",
        "requests_by_trade",
        "requests_shape",
        "shape",
    )

    def __init__(self) -> None:
        self.recent: dict[str, int] = {}  # id -> how many times it is listed
        self.recent_shape: tuple[int, str, str] = (0, "", "")
        # workers and offers (rebuilt together)
        self.shape: tuple[_Shape, _Shape] | None = None  # (workers, offers) when last in step
        #: worker pseudonym -> check-in ids (a tuple: see WaitingWorker's docstring on the cycle collector)
        self.by_worker: dict[str, tuple[str, ...]] = {}
        self.by_trade: dict[str, list[str]] = {}  # trade -> check-in ids, every status
        self.position: dict[str, int] = {}  # check-in id -> its place in ``state.workers``
        self.maybe_waiting: dict[str, set[str]] = {}  # trade -> a superset of its waiting check-in ids
        self.pending: dict[str, dict[str, None]] = {}  # request id -> its offers' ids, in ``state.offers`` order
        self.expiry: list[tuple[datetime, str]] = []  # heap of (expires_at, offer id); stale entries skipped
        # requests
        self.requests_shape: _Shape | None = None
        self.requests_by_trade: dict[str, list[str]] = {}
        #: request id -> (the terms it was worked out for, the check-in ids that fit them, in queue order, and
        #: those of them not yet found lastingly ineligible for it, in queue order, each with the counts of its
        #: jobs and passes when last found eligible, or ``None``)
        self.fitting: dict[str, tuple[_Terms, dict[str, None], dict[str, tuple[int, int] | None]]] = {}
        self.fitting_shape: tuple[_Shape, _Shape] | None = None  # (workers, requests) when last in step


def _index(state: MarketState) -> _Index:
    index = getattr(state, _ATTRIBUTE, None)
    if not isinstance(index, _Index):
        index = _Index()
        setattr(state, _ATTRIBUTE, index)
    return index


def _ends(ids: list[str]) -> tuple[int, str, str]:
    return (len(ids), ids[0], ids[-1]) if ids else (0, "", "")


def _shape(entries: dict[str, _V]) -> _Shape:
    return (len(entries), next(reversed(entries))) if entries else (0, "")


# ---------------------------------------------------------------- recent commands


def _recent(state: MarketState) -> dict[str, int]:
    index = _index(state)
    if index.recent_shape != _ends(state.recent_commands):
        index.recent = {}
        for command_id in state.recent_commands:
            index.recent[command_id] = index.recent.get(command_id, 0) + 1
        index.recent_shape = _ends(state.recent_commands)
    return index.recent


def already_applied(state: MarketState, command_id: str) -> bool:
    """Whether ``command_id`` is among the state's recent commands."""
    return command_id in _recent(state)


def remember(state: MarketState, command_id: str, kept: int) -> None:
    """Append ``command_id`` to the recent commands, keeping the last ``kept``."""
    recent = _recent(state)
    ids = state.recent_commands
    ids.append(command_id)
    recent[command_id] = recent.get(command_id, 0) + 1
    if len(ids) > kept:
        for dropped in ids[: len(ids) - kept]:
            recent[dropped] -= 1
            if not recent[dropped]:
                del recent[dropped]
        del ids[: len(ids) - kept]
    _index(state).recent_shape = _ends(ids)


# ---------------------------------------------------------------- workers and offers


def _current(state: MarketState) -> _Index:
    """The index, its workers-and-offers part rebuilt if the state no longer looks like what it was built from."""
    index = _index(state)
    if index.shape != (_shape(state.workers), _shape(state.offers)):
        _rebuild(state, index)
    return index


def _rebuild(state: MarketState, index: _Index) -> None:
    index.by_worker, index.by_trade, index.position, index.maybe_waiting = {}, {}, {}, {}
    for position, (checkin_id, worker) in enumerate(state.workers.items()):
        _file_worker(index, checkin_id, worker, position)
    index.pending = {}
    index.expiry = []
    for offer in state.offers.values():
        index.pending.setdefault(offer.request_id, {})[offer.offer_id] = None
        index.expiry.append((offer.expires_at, offer.offer_id))
    heapq.heapify(index.expiry)
    index.shape = (_shape(state.workers), _shape(state.offers))


def _file_worker(index: _Index, checkin_id: str, worker: WaitingWorker, position: int) -> None:
    index.by_worker[worker.worker] = (*index.by_worker.get(worker.worker, ()), checkin_id)
    index.position[checkin_id] = position
    for trade in dict.fromkeys(worker.trades):
        index.by_trade.setdefault(trade, []).append(checkin_id)
        if worker.status == "waiting":
            index.maybe_waiting.setdefault(trade, set()).add(checkin_id)


def add_worker(state: MarketState, worker: WaitingWorker) -> None:
    """Queue ``worker`` at the end of the state's workers (or replace the entry of its check-in id)."""
    index = _current(state)
    fitting_in_step = index.fitting_shape == (_shape(state.workers), _shape(state.requests))
    replaced = worker.checkin_id in state.workers
    state.workers[worker.checkin_id] = worker
    if replaced:
        index.shape = None  # the old entry's trades are filed: index them all again when next asked
        index.fitting_shape = None
        return
    _file_worker(index, worker.checkin_id, worker, len(state.workers) - 1)
    index.shape = (_shape(state.workers), _shape(state.offers))
    if fitting_in_step:
        for request in requests_of_trades(state, worker.trades):
            entry = index.fitting.get(request.request_id)
            if entry is not None and entry[0] == _terms(request) and fits(worker, request):
                entry[1][worker.checkin_id] = None  # the newest check-in: still in queue order
                entry[2][worker.checkin_id] = None
        index.fitting_shape = (_shape(state.workers), _shape(state.requests))


def active_check_in(state: MarketState, worker: str) -> WaitingWorker | None:
    """The first (in check-in order) of ``worker``'s check-ins here that has not left, if any."""
    for checkin_id in _current(state).by_worker.get(worker, ()):
        entry = state.workers.get(checkin_id)
        if entry is not None and entry.worker == worker and entry.status != "left":
            return entry
    return None


def workers_of_trade(state: MarketState, trade: str) -> list[WaitingWorker]:
    """Every check-in of the day (any status) that lists ``trade``, in queue order."""
    workers = state.workers
    return [workers[checkin_id] for checkin_id in _current(state).by_trade.get(trade, ())]


def _waiting(state: MarketState, index: _Index, trade: str) -> Iterable[str]:
    """The waiting check-ins of ``trade`` (any order); forgets those met that no longer wait."""
    candidates = index.maybe_waiting.get(trade)
    if not candidates:
        return ()
    workers = state.workers
    gone = [c for c in candidates if (w := workers.get(c)) is None or w.status != "waiting" or trade not in w.trades]
    candidates.difference_update(gone)
    return candidates


def waiting_workers(state: MarketState, trades: Iterable[str]) -> list[WaitingWorker]:
    """The waiting workers who list any of ``trades``, in queue order (the order of ``state.workers``)."""
    index = _current(state)
    found: set[str] = set()
    for trade in trades:
        found.update(_waiting(state, index, trade))
    position = index.position
    return [state.workers[checkin_id] for checkin_id in sorted(found, key=position.__getitem__)]


def any_waiting(state: MarketState, trades: Iterable[str]) -> bool:
    """Whether a worker who lists any of ``trades`` is waiting."""
    index = _current(state)
    return any(_waiting(state, index, trade) for trade in trades)


def hold_offer(state: MarketState, offer: PendingOffer) -> None:
    """Add ``offer`` (a new offer id) to the state's pending offers. The caller marks its worker offered."""
    index = _current(state)
    state.offers[offer.offer_id] = offer
    index.pending.setdefault(offer.request_id, {})[offer.offer_id] = None
    heapq.heappush(index.expiry, (offer.expires_at, offer.offer_id))
    index.shape = (_shape(state.workers), _shape(state.offers))


def drop_offer(state: MarketState, offer: PendingOffer) -> None:
    """Remove ``offer`` from the pending offers. The caller sets its worker's status (waiting, or left)."""
    index = _current(state)
    del state.offers[offer.offer_id]
    pending = index.pending.get(offer.request_id)
    if pending is not None:
        pending.pop(offer.offer_id, None)
    worker = state.workers.get(offer.checkin_id)
    if worker is not None:
        for trade in worker.trades:
            index.maybe_waiting.setdefault(trade, set()).add(offer.checkin_id)
    index.shape = (_shape(state.workers), _shape(state.offers))


def resume_worker(state: MarketState, worker: WaitingWorker) -> None:
    """A paused ``worker`` waits again: its status becomes ``waiting`` and it is filed as maybe waiting."""
    index = _current(state)
    worker.status = "waiting"
    for trade in worker.trades:
        index.maybe_waiting.setdefault(trade, set()).add(worker.checkin_id)


def pending_offers(state: MarketState, request_id: str) -> list[PendingOffer]:
    """The offers awaiting an answer for ``request_id``, in the order of ``state.offers``."""
    offers = state.offers
    return [offers[offer_id] for offer_id in _current(state).pending.get(request_id, ())]


def open_slots(state: MarketState, request: OpenRequest) -> int:
    """Places still to offer: headcount minus active placements minus offers awaiting an answer (as
    :func:`services.market.state.open_slots`, without its pass over every offer)."""
    pending = _current(state).pending.get(request.request_id, ())
    return request.headcount - len(request.placements) - len(pending)


def expired_offers(state: MarketState, now: datetime) -> list[PendingOffer]:
    """The offers whose expiry is at or before ``now``, by (expiry, offer id). The caller drops every one."""
    index = _current(state)
    heap, offers = index.expiry, state.offers
    expired: list[PendingOffer] = []
    while heap:
        expires_at, offer_id = heap[0]
        offer = offers.get(offer_id)
        if offer is not None and offer.expires_at == expires_at:
            if expires_at > now:
                break
            if not expired or expired[-1] is not offer:
                expired.append(offer)
        heapq.heappop(heap)
    return expired


# ---------------------------------------------------------------- requests


def _requests_by_trade(state: MarketState) -> dict[str, list[str]]:
    index = _index(state)
    if index.requests_shape != _shape(state.requests):
        index.requests_by_trade = {}
        for request_id, request in state.requests.items():
            index.requests_by_trade.setdefault(request.trade, []).append(request_id)
        index.requests_shape = _shape(state.requests)
    return index.requests_by_trade


def add_request(state: MarketState, request: OpenRequest) -> None:
    """Add ``request`` (a new request id) to the state's requests."""
    by_trade = _requests_by_trade(state)
    index = _index(state)
    fitting_in_step = index.fitting_shape == (_shape(state.workers), _shape(state.requests))
    if request.request_id in state.requests:
        state.requests[request.request_id] = request
        index.requests_shape = None
        index.fitting_shape = None
        return
    state.requests[request.request_id] = request
    by_trade.setdefault(request.trade, []).append(request.request_id)
    index.requests_shape = _shape(state.requests)
    if fitting_in_step:  # its fitting workers are worked out when first asked
        index.fitting_shape = (_shape(state.workers), _shape(state.requests))


def _terms(request: OpenRequest) -> _Terms:
    return (request.trade, request.certificate_required, request.day_wage, request.start, request.hours)


def _fitting_entry(
    state: MarketState, request: OpenRequest
) -> tuple[_Terms, dict[str, None], dict[str, tuple[int, int] | None]]:
    index = _current(state)
    shape = (_shape(state.workers), _shape(state.requests))
    if index.fitting_shape != shape:
        index.fitting = {}
        index.fitting_shape = shape
    terms = _terms(request)
    entry = index.fitting.get(request.request_id)
    if entry is None or entry[0] != terms:
        workers = state.workers
        ids = dict.fromkeys(c for c in index.by_trade.get(request.trade, ()) if fits(workers[c], request))
        entry = index.fitting[request.request_id] = (terms, ids, dict.fromkeys(ids))
    return entry


def fitting_workers(state: MarketState, request: OpenRequest) -> Iterable[str]:
    """The check-in ids of today's workers here (any status) who fit ``request``'s lasting terms
    (:func:`services.market.eligibility.fits`), in queue order. Whether one may be offered it *now* (status, other jobs,
    a pass) is still :func:`services.market.eligibility.why_not`'s to say; whoever does not fit never may."""
    return _fitting_entry(state, request)[1]


#: The rules of :func:`services.market.eligibility.why_not` that, once failed by a waiting worker who fits a request's
#: lasting terms, fail for the rest of the day (``busy`` until :func:`commitments_shrunk`).
_LASTING = frozenset({"busy", "passed"})


def eligible_workers(state: MarketState, request: OpenRequest) -> list[WaitingWorker]:
    """The workers who may be offered ``request`` now (:func:`~services.market.eligibility.why_not` is ``None``), in
    queue order: the same as checking every worker, looking only at the fitting ones not yet found lastingly ineligible
    (and forgetting those found so now: left, ``busy``, ``passed``). A waiting worker found eligible is not checked
    again while their jobs and passes are as many as then (both only grow, but for :func:`commitments_shrunk`)."""
    if request.status != "open":
        return []  # why_not: request_closed, for everyone; nothing lasting is learnt
    live = _fitting_entry(state, request)[2]
    workers = state.workers
    out: list[WaitingWorker] = []
    gone: list[str] = []
    for checkin_id, checked in live.items():
        worker = workers[checkin_id]
        status = worker.status
        if status != "waiting":
            if status == "left":
                gone.append(checkin_id)
            continue
        seen = (len(worker.commitments), len(worker.passed_requests))
        if checked == seen:
            out.append(worker)
            continue
        reason = why_not(worker, request)
        if reason is None:
            live[checkin_id] = seen
            out.append(worker)
        elif reason in _LASTING:
            gone.append(checkin_id)
    for checkin_id in gone:
        del live[checkin_id]
    return out


def commitments_shrunk(state: MarketState) -> None:
    """A worker's jobs shrank (a placement cancelled with its request): whoever was found ``busy`` for a request
    may fit it again, so every finding of :func:`eligible_workers` is forgotten."""
    index = _index(state)
    for request_id, (terms, ids, _) in index.fitting.items():
        index.fitting[request_id] = (terms, ids, dict.fromkeys(ids))


def requests_of_trades(state: MarketState, trades: Iterable[str]) -> list[OpenRequest]:
    """Today's requests (any status) of any of ``trades``, each once."""
    by_trade = _requests_by_trade(state)
    requests = state.requests
    ids = dict.fromkeys(request_id for trade in dict.fromkeys(trades) for request_id in by_trade.get(trade, ()))
    return [requests[request_id] for request_id in ids]
