"""The single writer of a market: command in, facts out. Pure and deterministic.

:func:`decide` is the whole behaviour of one market. The same state and command always give the same new state
and the same facts (with the same ids, derived from the command id and their order), so an agent that replays
a command after a crash emits identical facts, which consumers deduplicate.

Contracts:
- a command already applied (its id is in ``recent_commands``) changes nothing and yields nothing;
- the market's clock is the latest command time seen (commands carry the time the gateway accepted them;
  ticks carry the timer's time); it never runs backwards, and replays decide identically;
- a worker holds at most one open offer, and accepted jobs never overlap (including jobs accepted at another
  market earlier today, brought along by the roster on check-in);
- a request never has more placements plus open offers than its headcount;
- every offer goes to an eligible worker of the best tier among the eligible (see :mod:`services.market.allocation`);
- a worker who lets ``missed_before_pause`` offers expire (since checking in or last confirming) is paused: no
  offer until they confirm they are still waiting (``ConfirmWaiting``); a decline is not an expiry;
- the day ends at local midnight (Asia/Shanghai): workers leave, requests expire, offers end;
- a request takes offers until its start plus the late-start grace (:mod:`services.market.request_life`): at the first
  command (a tick, usually) at or after that moment it is closed (``start_passed``), and no offer outlives it;
  its employer may reopen it with a new start at the market's now.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Literal, TypedDict

from services import clock
from services.market import placement_life, request_life
from services.market import records as r
from services.market.allocation import Choice, firm_at, passed_over, plan_round
from services.market.eligibility import fits
from services.market.index import (
    active_check_in,
    add_request,
    add_worker,
    already_applied,
    any_waiting,
    commitments_shrunk,
    drop_offer,
    expired_offers,
    hold_offer,
    pending_offers,
    remember,
    requests_of_trades,
    resume_worker,
    workers_of_trade,
)
from services.market.job_request import MAX_HEADCOUNT
from services.market.state import (
    HeldPlace,
    MarketState,
    OpenRequest,
    PendingOffer,
    Placement,
    WaitingWorker,
    decode_state,
    encode_state,
    new_state,
    open_slots,
)
from services.policy import AllocationPolicy
from services.records import derived_id
from services.settings import Settings

__all__ = [
    "Decision",
    "MarketRules",
    "MarketState",
    "decide",
    "decode_state",
    "encode_state",
    "new_state",
    "open_slots",
]

RECENT_COMMANDS_KEPT = 20_000


@dataclasses.dataclass(frozen=True, slots=True)
class MarketRules:
    """The knobs of a market: how long an offer stands, when a worker who lets offers expire is paused, and how
    places are allocated."""

    offer_ttl: timedelta = timedelta(minutes=10)
    #: Offers a worker may let expire (since checking in or last confirming) before being paused; 0 = never.
    missed_before_pause: int = 2
    policy: AllocationPolicy = AllocationPolicy()  # noqa: RUF009 - frozen, so sharing the default is safe
    #: False only in the fault battery's own stream worker (tests/faults/worker_without_dedup.py): a command id
    #: already applied applies again.
    deduplicate: bool = True
    #: How long after recording a placement step its party may correct it.
    correction_window: timedelta = placement_life.CORRECTION_WINDOW
    #: A request takes offers until its start plus this (``Settings.late_start_grace_minutes``).
    late_start_grace: timedelta = request_life.DEFAULT_GRACE

    @classmethod
    def from_settings(cls, settings: Settings, market_id: str = "") -> MarketRules:
        policy = settings.market_policies().get(market_id, AllocationPolicy())
        return cls(
            offer_ttl=timedelta(seconds=settings.offer_ttl_seconds),
            policy=policy,
            correction_window=timedelta(minutes=settings.step_correction_minutes),
            late_start_grace=timedelta(minutes=settings.late_start_grace_minutes),
        )


@dataclasses.dataclass(slots=True)
class Decision:
    """What a command caused: the new state, the market's facts, and commands for the roster."""

    state: MarketState
    facts: list[r.MarketEvent]
    to_roster: list[r.WorkerReleased]


class _Head(TypedDict):
    id: str
    at: datetime
    market_id: str
    county: str
    command_id: str


class _OfferIds(TypedDict):
    offer_id: str
    request_id: str
    checkin_id: str


class _Out:
    """Collects the outputs answering one command; ids derive from the command id and their order."""

    def __init__(self, state: MarketState, command: r.MarketCommand, now: datetime, rules: MarketRules) -> None:
        self.rules = rules
        self.state = state
        self.command = command
        self.now = now
        self.facts: list[r.MarketEvent] = []
        self.to_roster: list[r.WorkerReleased] = []
        self._n = 0

    def _next_id(self) -> str:
        self._n += 1
        return derived_id(self.command.id, str(self._n))

    def head(self) -> _Head:
        return {
            "id": self._next_id(),
            "at": self.now,
            "market_id": self.state.market_id,
            "county": self.state.county,
            "command_id": self.command.id,
        }

    def release(self, worker: WaitingWorker, reason: Literal["checked_out", "end_of_day", "no_show"]) -> None:
        """The worker leaves this market: a fact for the pages, and a release for the roster."""
        worker.status = "left"
        self.facts.append(
            r.WorkerLeft(**self.head(), checkin_id=worker.checkin_id, worker=worker.worker, reason=reason)
        )
        self.to_roster.append(
            r.WorkerReleased(
                id=self._next_id(),
                at=self.now,
                market_id=self.state.market_id,
                county=self.state.county,
                worker=worker.worker,
                checkin_id=worker.checkin_id,
                reason=reason,
                commitments=worker.commitments,
            )
        )

    def refused(self, subject_id: str, refusal: placement_life.Refusal, placement: Placement | None = None) -> None:
        """A refusal by the rules of a placement's life; naming the ``placement`` lets the pages show it."""
        where = {"checkin_id": placement.checkin_id, "request_id": placement.request_id} if placement else {}
        self.refuse(subject_id, refusal.rule, refusal.message_zh, refusal.message_en, **where)

    def refuse(self, subject_id: str, rule: str, zh: str, en: str, checkin_id: str = "", request_id: str = "") -> None:
        self.facts.append(
            r.CommandRefused(
                **self.head(),
                command_type=str(type(self.command).__struct_config__.tag),
                subject_id=subject_id,
                rule=rule,
                message_zh=zh,
                message_en=en,
                checkin_id=checkin_id,
                request_id=request_id,
            )
        )


def decide(state: MarketState, command: r.MarketCommand, rules: MarketRules) -> Decision:
    """Apply ``command`` to ``state`` (mutated and returned in the decision) and return what it caused.

    The caller must treat the input state as consumed: on an exception, reload it from its stored bytes.
    """
    if rules.deduplicate and already_applied(state, command.id):
        return Decision(state, [], [])
    now = command.at if state.clock is None else max(state.clock, command.at)
    out = _Out(state, command, now, rules)
    today = clock.local_date(now).isoformat()
    if state.day and state.day != today:
        _end_day(state, out)
    state.day = today
    state.clock = now
    _expire_offers(state, out)
    _close_started(state, out)
    match command:
        case r.CheckIn():
            _check_in(state, command, out)
        case r.PostJobRequest():
            _open_request(state, command, out)
        case r.AnswerOffer():
            _answer_offer(state, command, out)
        case r.CancelJobRequest():
            _cancel_request(state, command, out)
        case r.CheckOut():
            _check_out(state, command, out)
        case r.MarkNoShow():
            _no_show(state, command, out)
        case r.RecordPlacementStep():
            _placement_step(state, command, out)
        case r.ConfirmWaiting():
            _confirm_waiting(state, command, out)
        case r.CorrectPlacementStep():
            _correct_step(state, command, out)
        case r.ReportWageUnpaid():
            _report_unpaid(state, command, out)
        case r.ReopenJobRequest():
            _reopen_request(state, command, out)
        case r.ChangeHeadcount():
            _change_headcount(state, command, out)
        case r.Tick():
            pass  # time passed: expiry, late starts and the end of the day were handled above
    _allocate(state, rules, out)
    if not isinstance(command, r.Tick):  # a tick is idempotent by the monotonic clock; keep the list short
        remember(state, command.id, RECENT_COMMANDS_KEPT)
    return Decision(state, out.facts, out.to_roster)


# ---------------------------------------------------------------- command handlers


def _check_in(state: MarketState, c: r.CheckIn, out: _Out) -> None:
    w = active_check_in(state, c.worker)
    if w is not None:
        out.refuse(
            c.id,
            "already_checked_in",
            f"今天已在本市场登记（排队号 {w.ticket_no}）",
            f"already checked in at this market today (ticket {w.ticket_no})",
        )
        return
    worker = WaitingWorker(
        checkin_id=c.id,
        worker=c.worker,
        worker_masked=c.worker_masked,
        ticket_no=state.next_ticket,
        trades=c.trades,
        certificates=c.certificates,
        groups=c.groups,
        tier=out.rules.policy.tier_of(c.groups),
        min_day_wage=c.min_day_wage,
        available_from=c.available_from,
        available_until=c.available_until,
        checked_in_at=out.now,
        commitments=c.commitments,
    )
    state.next_ticket += 1
    for request in requests_of_trades(state, c.trades):  # a request fits only workers of its trade
        if fits(worker, request):
            worker.fit_count += 1
            request.fit_count += 1
    add_worker(state, worker)
    for trade in c.trades:
        state.supply[trade] = state.supply.get(trade, 0) + 1
    out.facts.append(
        r.WorkerQueued(
            **out.head(),
            checkin_id=c.id,
            worker=c.worker,
            worker_masked=c.worker_masked,
            ticket_no=worker.ticket_no,
            trades=c.trades,
            min_day_wage=c.min_day_wage,
            available_from=c.available_from,
            available_until=c.available_until,
            groups=c.groups,
            tier=worker.tier,
            willing_to_travel=c.willing_to_travel,
            certificates=c.certificates,
        )
    )


def _open_request(state: MarketState, c: r.PostJobRequest, out: _Out) -> None:
    if c.id in state.requests:
        return
    request = OpenRequest(
        request_id=c.id,
        employer_id=c.employer_id,
        employer_name=c.employer_name,
        trade=c.trade,
        headcount=c.headcount,
        day_wage=c.day_wage,
        start=c.start,
        hours=c.hours,
        place=c.place,
        certificate_required=c.certificate_required,
        opened_at=out.now,
    )
    add_request(state, request)
    for worker in workers_of_trade(state, c.trade):  # a request fits only workers of its trade
        if fits(worker, request):
            worker.fit_count += 1
            request.fit_count += 1
    out.facts.append(
        r.JobRequestOpened(
            **out.head(),
            request_id=c.id,
            employer_id=c.employer_id,
            employer_name=c.employer_name,
            trade=c.trade,
            headcount=c.headcount,
            day_wage=c.day_wage,
            start=c.start,
            hours=c.hours,
            place=c.place,
            certificate_required=c.certificate_required,
        )
    )
    if not request_life.takes_offers(state.day, request.start, out.now, out.rules.late_start_grace):
        _close_for_start(state, request, out)  # arrived after its start plus the grace (the gateway refuses such)


def _reopen_request(state: MarketState, c: r.ReopenJobRequest, out: _Out) -> None:
    """Still needed, start as soon as possible ("还需要人，尽快开工"): a request closed for ``start_passed``
    opens again, its start moved to now (rounded up to the minute), its placements kept. Refused for any other
    request, or when the job would then end after midnight."""
    request = state.requests.get(c.request_id)
    if request is None or request.employer_id != c.employer_id:
        out.refuse(c.request_id, "request_not_open", "该招工需求不存在或已结束", "no such open request")
        return
    if request.closed_reason != "start_passed":
        out.refuse(
            c.request_id,
            "request_not_reopenable",
            "只有因开工时间已过而停止派人的招工才能重新开启",
            "only a request stopped because its start passed can be reopened",
        )
        return
    start = request_life.start_now(out.now)
    if start + request.hours * 60 > clock.MINUTES_PER_DAY:
        out.refuse(c.request_id, "ends_tomorrow", "工作必须在今天内结束", "the job must end today")
        return
    previous = request.start
    workers = workers_of_trade(state, request.trade)
    for worker in workers:  # versatility counts follow the new hours
        if fits(worker, request):
            worker.fit_count -= 1
            request.fit_count -= 1
    request.start = start
    for worker in workers:
        if fits(worker, request):
            worker.fit_count += 1
            request.fit_count += 1
    request.closed_reason = ""
    request.status = "filled" if len(request.placements) >= request.headcount else "open"
    out.facts.append(
        r.JobRequestReopened(
            **out.head(),
            request_id=request.request_id,
            employer_id=request.employer_id,
            employer_name=request.employer_name,
            trade=request.trade,
            headcount=request.headcount,
            day_wage=request.day_wage,
            start=start,
            previous_start=previous,
            hours=request.hours,
            place=request.place,
            certificate_required=request.certificate_required,
            placements=tuple(request.placements),
        )
    )


def _answer_offer(state: MarketState, c: r.AnswerOffer, out: _Out) -> None:
    offer = state.offers.get(c.offer_id)
    if offer is None or offer.checkin_id != c.checkin_id:
        out.refuse(c.offer_id, "offer_not_open", "该工作邀请已失效", "this offer is no longer open")
        return
    worker = state.workers[offer.checkin_id]
    request = state.requests[offer.request_id]
    drop_offer(state, offer)
    worker.offer_id = None
    worker.status = "waiting"
    ids = _OfferIds(offer_id=offer.offer_id, request_id=request.request_id, checkin_id=worker.checkin_id)
    if c.answer == "decline":
        worker.passed_requests += (request.request_id,)
        out.facts.append(r.OfferDeclined(**out.head(), **ids, worker=worker.worker))
        return
    placement = Placement(
        placement_id=derived_id("placement", offer.offer_id),
        offer_id=offer.offer_id,
        request_id=request.request_id,
        checkin_id=worker.checkin_id,
    )
    state.placements[placement.placement_id] = placement
    request.placements.append(placement.placement_id)
    start, end = request.start, request.start + request.hours * 60
    worker.commitments += (
        r.Commitment(placement_id=placement.placement_id, market_id=state.market_id, start=start, end=end),
    )
    out.facts.append(r.OfferAccepted(**out.head(), **ids, worker=worker.worker))
    out.facts.append(
        r.PlacementStarted(
            **out.head(),
            **ids,
            placement_id=placement.placement_id,
            worker=worker.worker,
            employer_id=request.employer_id,
            trade=request.trade,
            day_wage=request.day_wage,
            start=request.start,
            hours=request.hours,
            groups=worker.groups,
        )
    )
    if len(request.placements) >= request.headcount:
        request.status = "filled"
        out.facts.append(r.JobRequestFilled(**out.head(), request_id=request.request_id))


def _cancel_request(state: MarketState, c: r.CancelJobRequest, out: _Out) -> None:
    request = state.requests.get(c.request_id)
    if request is None or request.employer_id != c.employer_id or request.status == "closed":
        out.refuse(c.request_id, "request_not_open", "该招工需求不存在或已结束", "no such open request")
        return
    for offer in pending_offers(state, request.request_id):
        _withdraw(state, offer, "request_cancelled", out)
    for placement_id in list(request.placements):
        _cancel_placement(state, state.placements[placement_id], "request_cancelled", out)
    request.status = "closed"
    request.closed_reason = "cancelled"
    out.facts.append(r.JobRequestClosed(**out.head(), request_id=request.request_id, reason="cancelled"))


#: The most workers one request may ask for (the posting form's limit).
HEADCOUNT_MAX = MAX_HEADCOUNT


def _change_headcount(state: MarketState, c: r.ChangeHeadcount, out: _Out) -> None:
    """The employer changes how many workers a request still taking workers needs (issue 24).

    Keeps "never more accepted than the headcount": a headcount below the workers already accepted is refused
    (``headcount_below_accepted``); offers awaiting an answer beyond the new headcount are withdrawn, the latest
    made first (``headcount_lowered``); a raised headcount reopens a filled request to new offers. A request
    cancelled, expired or closed for its start is refused (``request_not_open``)."""
    request = state.requests.get(c.request_id)
    if request is None or request.employer_id != c.employer_id or request.status == "closed":
        out.refuse(c.request_id, "request_not_open", "该招工需求不存在或已结束", "no such open request")
        return
    if not 1 <= c.headcount <= HEADCOUNT_MAX:
        out.refuse(
            c.request_id, "headcount_range", "招工人数应在 1 到 200 人之间", "the headcount must be from 1 to 200"
        )
        return
    accepted = len(request.placements)
    if c.headcount < accepted:
        out.refuse(
            c.request_id,
            "headcount_below_accepted",
            f"已有 {accepted} 人接受，招工人数不能少于 {accepted} 人",
            f"{accepted} workers have accepted; the headcount cannot be below {accepted}",
        )
        return
    previous = request.headcount
    if c.headcount == previous:
        return
    pending = sorted(pending_offers(state, request.request_id), key=lambda o: (o.made_at, o.offer_id))
    excess = accepted + len(pending) - c.headcount
    for offer in reversed(pending[len(pending) - excess :] if excess > 0 else []):
        _withdraw(state, offer, "headcount_lowered", out)
    status: Literal["open", "filled"] = "filled" if accepted >= c.headcount else "open"
    request.headcount = c.headcount
    request.status = status
    out.facts.append(
        r.HeadcountChanged(
            **out.head(),
            request_id=request.request_id,
            employer_id=request.employer_id,
            headcount=c.headcount,
            previous=previous,
            accepted=accepted,
            status=status,
        )
    )
    if status == "open":
        _open_again(state, request, out)


def _open_again(state: MarketState, request: OpenRequest, out: _Out) -> None:
    """A place of ``request`` is free again (a no-show, a raised headcount): it takes offers while its start plus
    the grace has not passed; after that it closes for ``start_passed`` at once (a filled request is not closed by
    the clock, so it can come back open only here)."""
    request.status = "open"
    if not request_life.takes_offers(state.day, request.start, out.now, out.rules.late_start_grace):
        _close_for_start(state, request, out)


def _check_out(state: MarketState, c: r.CheckOut, out: _Out) -> None:
    worker = state.workers.get(c.checkin_id)
    if worker is None or worker.status == "left":
        out.refuse(c.checkin_id, "not_checked_in", "未找到有效的登记", "no active check-in")
        return
    if worker.offer_id is not None:
        _withdraw(state, state.offers[worker.offer_id], "checked_out", out)
    out.release(worker, "checked_out")


def _confirm_waiting(state: MarketState, c: r.ConfirmWaiting, out: _Out) -> None:
    """The worker says "我还在等工作": a paused worker waits again in their old place; the count of missed
    offers starts over.
    A worker who is waiting or holds an offer is left as they are (the command is then a no-op)."""
    worker = state.workers.get(c.checkin_id)
    if worker is None or worker.status == "left":
        out.refuse(c.checkin_id, "not_checked_in", "未找到有效的登记", "no active check-in")
        return
    if worker.status != "paused":
        return
    worker.missed = 0
    resume_worker(state, worker)
    out.facts.append(r.WorkerResumed(**out.head(), checkin_id=worker.checkin_id, worker=worker.worker))


def _no_show(state: MarketState, c: r.MarkNoShow, out: _Out) -> None:
    placement = state.placements.get(c.placement_id)
    request = state.requests.get(placement.request_id) if placement else None
    if placement is None or request is None or request.employer_id != c.employer_id or placement.status != "started":
        out.refuse(c.placement_id, "placement_unknown", "没有找到该用工记录", "no such active placement")
        return
    refusal = placement_life.may_mark_no_show(placement.steps, _schedule(state, request), out.now, placement.disputed)
    if refusal is not None:
        out.refused(c.placement_id, refusal, placement)
        return
    _cancel_placement(state, placement, "no_show", out)
    worker = state.workers[placement.checkin_id]
    if worker.offer_id is not None:
        _withdraw(state, state.offers[worker.offer_id], "checked_out", out)
    if worker.status != "left":
        out.release(worker, "no_show")
    if request.status == "filled":
        _open_again(state, request, out)


def _schedule(state: MarketState, request: OpenRequest) -> placement_life.Schedule:
    """The request's scheduled start and end on the market's day (set by :func:`decide` before any handler)."""
    return placement_life.schedule(date.fromisoformat(state.day), request.start, request.hours)


def _started(
    state: MarketState, placement_id: str, employer_id: str, checkin_id: str, party: str
) -> tuple[Placement, OpenRequest] | None:
    """The started placement ``placement_id`` when the command's sender is its ``party``, else ``None``."""
    placement = state.placements.get(placement_id)
    request = state.requests.get(placement.request_id) if placement else None
    if placement is None or request is None or placement.status != "started":
        return None
    if party == "employer":
        return (placement, request) if request.employer_id == employer_id else None
    return (placement, request) if placement.checkin_id == checkin_id else None


def _placement_step(state: MarketState, c: r.RecordPlacementStep, out: _Out) -> None:
    """Record arrival, completion, payment (the employer) or the wage received (the worker), by the rules of
    :mod:`services.market.placement_life` at the market's clock; ``with_arrival`` records arrival and completion."""
    found = _started(state, c.placement_id, c.employer_id, c.checkin_id, placement_life.party_of(c.step))
    if found is None:
        out.refused(c.placement_id, placement_life.UNKNOWN)
        return
    placement, request = found
    with_arrival = c.with_arrival and c.step == "completed"
    refusal = placement_life.may_record(
        c.step, placement.steps, _schedule(state, request), out.now, with_arrival=with_arrival
    )
    if refusal is not None:
        out.refused(c.placement_id, refusal, placement)
        return
    steps: list[str] = ["arrived"] if with_arrival and "arrived" not in placement.steps else []
    if c.step not in placement.steps:
        steps.append(c.step)
    for step in steps:  # a step standing already: nothing changes
        placement.steps.append(step)
        placement.recorded_at[step] = out.now
        placement.version += 1
        if step == "wage_received":
            placement.disputed = False
        out.facts.append(
            r.PlacementStepRecorded(
                **out.head(),
                placement_id=placement.placement_id,
                request_id=placement.request_id,
                checkin_id=placement.checkin_id,
                worker=state.workers[placement.checkin_id].worker,
                step=step,  # type: ignore[arg-type]
                steps=tuple(placement.steps),
                version=placement.version,
            )
        )


def _correct_step(state: MarketState, c: r.CorrectPlacementStep, out: _Out) -> None:
    """Withdraw a standing step within the window, by its party, once no step resting on it stands."""
    found = _started(state, c.placement_id, c.employer_id, c.checkin_id, placement_life.party_of(c.step))
    if found is None:
        out.refused(c.placement_id, placement_life.UNKNOWN)
        return
    placement, _ = found
    refusal = placement_life.may_correct(
        c.step, placement.steps, placement.recorded_at, out.now, out.rules.correction_window
    )
    if refusal is not None:
        out.refused(c.placement_id, refusal, placement)
        return
    placement.steps.remove(c.step)
    del placement.recorded_at[c.step]
    placement.version += 1
    out.facts.append(
        r.PlacementStepCorrected(
            **out.head(),
            placement_id=placement.placement_id,
            request_id=placement.request_id,
            checkin_id=placement.checkin_id,
            worker=state.workers[placement.checkin_id].worker,
            step=c.step,
            steps=tuple(placement.steps),
            version=placement.version,
            completed_at=placement.recorded_at.get("completed"),
        )
    )


def _report_unpaid(state: MarketState, c: r.ReportWageUnpaid, out: _Out) -> None:
    """The worker's "没拿到工资" after the scheduled end opens a wage dispute (once; again only after it closed)."""
    found = _started(state, c.placement_id, "", c.checkin_id, "worker")
    if found is None:
        out.refused(c.placement_id, placement_life.UNKNOWN)
        return
    placement, request = found
    refusal = placement_life.may_report_unpaid(placement.steps, _schedule(state, request), out.now)
    if refusal is not None:
        out.refused(c.placement_id, refusal, placement)
        return
    if placement.disputed:
        return  # open already: nothing changes
    placement.disputed = True
    worker = state.workers[placement.checkin_id]
    out.facts.append(
        r.WageDisputeOpened(
            **out.head(),
            placement_id=placement.placement_id,
            request_id=placement.request_id,
            checkin_id=placement.checkin_id,
            worker=worker.worker,
            worker_masked=worker.worker_masked,
            employer_id=request.employer_id,
            employer_name=request.employer_name,
            trade=request.trade,
            day_wage=request.day_wage,
            start=request.start,
            hours=request.hours,
        )
    )


# ---------------------------------------------------------------- shared steps


def _withdraw(
    state: MarketState,
    offer: PendingOffer,
    reason: Literal["request_cancelled", "checked_out", "end_of_day", "start_passed", "headcount_lowered"],
    out: _Out,
) -> None:
    worker = state.workers[offer.checkin_id]
    drop_offer(state, offer)
    worker.offer_id = None
    if worker.status == "offered":
        worker.status = "waiting"
    out.facts.append(
        r.OfferWithdrawn(
            **out.head(),
            offer_id=offer.offer_id,
            request_id=offer.request_id,
            checkin_id=offer.checkin_id,
            worker=worker.worker,
            reason=reason,
        )
    )


def _cancel_placement(
    state: MarketState, placement: Placement, reason: Literal["request_cancelled", "no_show"], out: _Out
) -> None:
    placement.status = "cancelled"
    request = state.requests[placement.request_id]
    request.placements.remove(placement.placement_id)
    worker = state.workers[placement.checkin_id]
    worker.commitments = tuple(k for k in worker.commitments if k.placement_id != placement.placement_id)
    commitments_shrunk(state)  # the worker may fit jobs again that overlapped this one
    out.facts.append(
        r.PlacementCancelled(
            **out.head(),
            placement_id=placement.placement_id,
            request_id=placement.request_id,
            checkin_id=placement.checkin_id,
            worker=worker.worker,
            reason=reason,
        )
    )


def _expire_offers(state: MarketState, out: _Out) -> None:
    """Every offer whose time is up, by (expiry, offer id): the worker passes that request and waits again, or,
    at their ``missed_before_pause``-th unanswered offer, is paused until they confirm they are still waiting."""
    limit = out.rules.missed_before_pause
    for offer in expired_offers(state, out.now):
        worker = state.workers[offer.checkin_id]
        drop_offer(state, offer)
        worker.missed += 1
        paused = 0 < limit <= worker.missed
        worker.status = "paused" if paused else "waiting"
        worker.offer_id = None
        worker.passed_requests += (offer.request_id,)
        out.facts.append(
            r.OfferExpired(
                **out.head(),
                offer_id=offer.offer_id,
                request_id=offer.request_id,
                checkin_id=offer.checkin_id,
                worker=worker.worker,
                paused=paused,
                missed=worker.missed,
            )
        )


def _close_started(state: MarketState, out: _Out) -> None:
    """Every open request whose start plus the grace is at or before now closes, soonest start first."""
    cutoff = request_life.cutoff(state.day, out.now, out.rules.late_start_grace)
    late = [q for q in state.requests.values() if q.status == "open" and q.start * 60 <= cutoff]
    for request in sorted(late, key=lambda q: (q.start, q.request_id)):
        _close_for_start(state, request, out)


def _close_for_start(state: MarketState, request: OpenRequest, out: _Out) -> None:
    """Close ``request`` for ``start_passed``: no more offers (an offer still out, which only a state written
    before offers were clipped can hold, is withdrawn); its placements stand."""
    for offer in pending_offers(state, request.request_id):
        _withdraw(state, offer, "start_passed", out)
    request.status = "closed"
    request.closed_reason = "start_passed"
    grace_minutes = int(out.rules.late_start_grace.total_seconds() // 60)
    out.facts.append(
        r.JobRequestClosed(
            **out.head(), request_id=request.request_id, reason="start_passed", grace_minutes=grace_minutes
        )
    )


def _end_day(state: MarketState, out: _Out) -> None:
    """Local midnight passed: every tentative offer and every offer ends, every worker leaves, every open request
    expires."""
    for checkin_id, hold in sorted(state.held.items(), key=lambda item: (item[1].since, item[0])):
        worker = state.workers.get(checkin_id)
        out.facts.append(
            r.PlaceReleased(
                **out.head(),
                request_id=hold.request_id,
                checkin_id=checkin_id,
                worker=worker.worker if worker is not None else "",
                reason="end_of_day",
            )
        )
    state.held.clear()
    for offer in sorted(state.offers.values(), key=lambda o: o.offer_id):
        _withdraw(state, offer, "end_of_day", out)
    for worker in sorted(state.workers.values(), key=lambda w: w.ticket_no):
        if worker.status != "left":
            out.release(worker, "end_of_day")
    for request in sorted(state.requests.values(), key=lambda q: (q.opened_at, q.request_id)):
        if request.status == "open":
            request.status = "closed"
            request.closed_reason = "expired"
            out.facts.append(r.JobRequestClosed(**out.head(), request_id=request.request_id, reason="expired"))
    state.workers.clear()
    state.requests.clear()
    state.offers.clear()
    state.placements.clear()
    state.supply.clear()
    state.next_ticket = 1


def _allocate(state: MarketState, rules: MarketRules, out: _Out) -> None:
    """Make offers until no free worker fits an open, due place (a tier-safe round can leave one over), then
    tell the workers the places the plan holds for them (:func:`_update_holds`).

    The offers of all rounds are written after the last round, so that each says whether it passed over an
    earlier worker of its tier who got no offer in this whole decision (``reordered``).
    """
    made: list[tuple[Choice, PendingOffer]] = []
    held: list[tuple[WaitingWorker, OpenRequest]] = []
    if _may_offer(state):  # else spares ``plan_round``'s passes over every worker and request
        while True:
            plan = plan_round(state, rules.policy, out.now, rules.late_start_grace)
            if not plan.choices:
                held = plan.held
                break
            made.extend((choice, _hold(state, rules, out, choice)) for choice in plan.choices)
    offered = {choice.worker.checkin_id for choice, _ in made}
    for choice, offer in made:
        _offer(rules, out, choice, offer, passed_over(choice, offered))
    if held or state.held:
        _update_holds(state, rules, out, held, {c.worker.checkin_id: c.request.request_id for c, _ in made})


def _update_holds(
    state: MarketState,
    rules: MarketRules,
    out: _Out,
    held: list[tuple[WaitingWorker, OpenRequest]],
    offered: dict[str, str],
) -> None:
    """Make the standing tentative offers those of the plan (``held``), by facts: a ``PlaceReleased`` (with why)
    for each hold that ends other than by a firm offer of the same place (``offered``: check-in id -> request id
    offered in this decision), then a ``PlaceHeld`` for each new hold, or one whose firm time changed."""
    policy = rules.policy
    new = {worker.checkin_id: (worker, request) for worker, request in held}
    before = state.held
    for checkin_id, hold in sorted(before.items(), key=lambda item: (item[1].since, item[0])):
        now_held = new.get(checkin_id)
        if now_held is not None and now_held[1].request_id == hold.request_id:
            continue
        if offered.get(checkin_id) == hold.request_id:
            continue  # became firm: the OfferMade says so (held_since)
        worker = state.workers.get(checkin_id)
        out.facts.append(
            r.PlaceReleased(
                **out.head(),
                request_id=hold.request_id,
                checkin_id=checkin_id,
                worker=worker.worker if worker is not None else "",
                reason=_release_reason(state, out, checkin_id, hold, new, offered),
            )
        )
    holds: dict[str, HeldPlace] = {}
    for checkin_id, (worker, request) in new.items():
        due_at = firm_at(request, policy, state.day)
        kept = before.get(checkin_id)
        if kept is not None and kept.request_id == request.request_id and kept.firm_at == due_at:
            holds[checkin_id] = kept
            continue
        since = kept.since if kept is not None and kept.request_id == request.request_id else out.now
        holds[checkin_id] = HeldPlace(request_id=request.request_id, since=since, firm_at=due_at)
        out.facts.append(
            r.PlaceHeld(
                **out.head(),
                request_id=request.request_id,
                checkin_id=checkin_id,
                worker=worker.worker,
                employer_name=request.employer_name,
                trade=request.trade,
                day_wage=request.day_wage,
                start=request.start,
                hours=request.hours,
                place=request.place,
                firm_at=due_at,
                rule=policy.within_tier,
                tier=worker.tier,
                tier_name=policy.tier_name(worker.tier),
            )
        )
    state.held = holds


def _release_reason(
    state: MarketState,
    out: _Out,
    checkin_id: str,
    hold: HeldPlace,
    new: dict[str, tuple[WaitingWorker, OpenRequest]],
    offered: dict[str, str],
) -> r.HoldReleaseReason:
    """Why the plan no longer holds ``hold`` for ``checkin_id`` (the first that applies, in this order)."""
    worker = state.workers.get(checkin_id)
    request = state.requests.get(hold.request_id)
    if checkin_id in offered:
        return "firm_offer_elsewhere"
    if worker is None or worker.status != "waiting":
        return "worker_unavailable"
    if request is None or request.status == "closed":
        return "request_closed"
    command = out.command
    if isinstance(command, r.ChangeHeadcount | r.ReopenJobRequest) and command.request_id == hold.request_id:
        return "request_changed"
    takers = [w for w, q in new.values() if q.request_id == hold.request_id]
    takers += [state.workers[c] for c, q in offered.items() if q == hold.request_id]
    if any(taker.tier < worker.tier for taker in takers):
        return "better_tier"
    if checkin_id in new:
        return "moved"
    return "plan_changed"


def _may_offer(state: MarketState) -> bool:
    """False only when no offer is possible: no open request, or no waiting worker of an open request's trade
    (the trade is the first rule of :func:`services.market.eligibility.why_not` after status). A necessary condition,
    cheap: a pass over the requests and the derived index of waiting workers per trade
    (:func:`services.market.index.any_waiting`) instead of ``choose_offers``' passes."""
    open_trades = {request.trade for request in state.requests.values() if request.status == "open"}
    return bool(open_trades) and any_waiting(state, open_trades)


def _hold(state: MarketState, rules: MarketRules, out: _Out, choice: Choice) -> PendingOffer:
    """Reserve the place for the worker: the offer stands from now until its expiry, which is never after the
    request closes (its start plus the late-start grace)."""
    worker, request = choice.worker, choice.request
    offer = PendingOffer(
        offer_id=derived_id("offer", request.request_id, worker.checkin_id),
        request_id=request.request_id,
        checkin_id=worker.checkin_id,
        made_at=out.now,
        expires_at=request_life.offer_expiry(
            out.now, rules.offer_ttl, state.day, request.start, rules.late_start_grace
        ),
    )
    hold_offer(state, offer)
    worker.status = "offered"
    worker.offer_id = offer.offer_id
    return offer


def _offer(rules: MarketRules, out: _Out, choice: Choice, offer: PendingOffer, reordered: bool) -> None:
    """The ``OfferMade`` fact of a held place, with why this worker got it."""
    policy = rules.policy
    worker, request = choice.worker, choice.request
    held = out.state.held.get(worker.checkin_id)
    out.facts.append(
        r.OfferMade(
            **out.head(),
            offer_id=offer.offer_id,
            request_id=request.request_id,
            checkin_id=worker.checkin_id,
            worker=worker.worker,
            employer_name=request.employer_name,
            trade=request.trade,
            day_wage=request.day_wage,
            start=request.start,
            hours=request.hours,
            place=request.place,
            expires_at=offer.expires_at,
            rule=policy.within_tier,
            rank=choice.rank,
            waited_seconds=int((out.now - worker.checked_in_at).total_seconds()),
            tier=worker.tier,
            tier_name=policy.tier_name(worker.tier),
            reordered=reordered,
            candidates=choice.candidates,
            seed=policy.lottery_seed if policy.within_tier == "lottery" else "",
            held_since=held.since if held is not None and held.request_id == request.request_id else None,
        )
    )
