"""The market's and the roster's records on the wire: commands (imperative names), events (past tense) and the
roster's facts, with their decoders. The envelope (:class:`~services.records.Record`, ``Event``, ids, encoding) is
the kernel's, :mod:`services.records`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from services.records import SCHEMA_VERSION, Event, Record

# ---------------------------------------------------------------- commands (imperative names)


class Commitment(msgspec.Struct, frozen=True, kw_only=True):
    """A job a worker accepted today, as the roster and the markets see it: when they are busy."""

    placement_id: str
    market_id: str
    start: int
    end: int


class CheckIn(Record, frozen=True, kw_only=True, tag="check_in"):
    """A worker checks in at a kiosk for today. ``id`` is also the check-in id.

    The gateway sends it to ``worker-commands``; the roster admits it (one active check-in per worker across
    all markets) and forwards it to ``market-commands`` with ``commitments`` filled in.
    """

    worker: str
    worker_masked: str
    kiosk_id: str
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int  # minutes since local midnight, Asia/Shanghai
    available_until: int
    groups: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()  # trade codes whose certificate the worker holds
    willing_to_travel: bool = False
    commitments: tuple[Commitment, ...] = ()


class PostJobRequest(Record, frozen=True, kw_only=True, tag="post_job_request"):
    """An employer asks for ``headcount`` workers of one trade today. ``id`` is also the request id."""

    employer_id: str
    employer_name: str
    trade: str
    headcount: int
    day_wage: int
    start: int  # minutes since local midnight, Asia/Shanghai
    hours: int
    place: str
    description: str = ""
    review_flags: tuple[str, ...] = ()
    certificate_required: bool = False


class AnswerOffer(Record, frozen=True, kw_only=True, tag="answer_offer"):
    """The worker accepts or declines an offer."""

    offer_id: str
    checkin_id: str
    answer: Literal["accept", "decline"]


class CancelJobRequest(Record, frozen=True, kw_only=True, tag="cancel_job_request"):
    """The employer withdraws a request: offered and accepted workers go back to their place in the queue."""

    request_id: str
    employer_id: str


class CheckOut(Record, frozen=True, kw_only=True, tag="check_out"):
    """The worker leaves the market for today; an open offer is withdrawn, accepted jobs stand."""

    checkin_id: str


class MarkNoShow(Record, frozen=True, kw_only=True, tag="mark_no_show"):
    """The employer reports an accepted worker absent: the place is offered to the next worker at once."""

    placement_id: str
    employer_id: str


#: The steps of a placement after it started: the employer records arrival, completion and payment; the worker
#: confirms the wage was received. Each is recorded once; ``arrived`` → ``completed`` → ``wage_paid`` in order.
PlacementStep = Literal["arrived", "completed", "wage_paid", "wage_received"]
EMPLOYER_STEPS: tuple[str, ...] = ("arrived", "completed", "wage_paid")


class RecordPlacementStep(Record, frozen=True, kw_only=True, tag="record_placement_step"):
    """A step of a started placement (issue 6, pages): by its employer (``employer_id``) or, for
    ``wage_received``, by the worker's own check-in (``checkin_id``)."""

    placement_id: str
    step: PlacementStep
    employer_id: str = ""
    checkin_id: str = ""
    #: The employer confirms arrival and completion at once ("到岗并完工", ``step`` is ``completed``): both steps
    #: are recorded, allowed only after the job's start (see :mod:`services.placement_life`).
    with_arrival: bool = False


class CorrectPlacementStep(Record, frozen=True, kw_only=True, tag="correct_placement_step"):
    """Withdraw a recorded step (issue 23) within the correction window, by the party who records that step:
    the employer (``employer_id``) for arrival, completion and wage paid; the worker (``checkin_id``) for the
    wage received. A new fact (:class:`PlacementStepCorrected`) says so; the recorded step is never deleted."""

    placement_id: str
    step: PlacementStep
    employer_id: str = ""
    checkin_id: str = ""


class ReportWageUnpaid(Record, frozen=True, kw_only=True, tag="report_wage_unpaid"):
    """The worker reports "没拿到工资" after the job's scheduled end: it opens a wage dispute (issue 23)."""

    placement_id: str
    checkin_id: str


class ReopenJobRequest(Record, frozen=True, kw_only=True, tag="reopen_job_request"):
    """The employer of a request closed because its start passed answers "still needed, start as soon as
    possible": it opens again with its start moved to the market's now (rounded up to the minute)."""

    request_id: str
    employer_id: str


class ChangeHeadcount(Record, frozen=True, kw_only=True, tag="change_headcount"):
    """The employer changes how many workers an open request needs (issue 24, "我的用工"). Never below the
    workers already accepted (refused ``headcount_below_accepted``); offers awaiting an answer beyond the new
    headcount are withdrawn (``headcount_lowered``), so no more are ever accepted than the headcount."""

    request_id: str
    employer_id: str
    headcount: int


class Tick(Record, frozen=True, kw_only=True, tag="tick"):
    """The market's clock: offers expire and the day ends when a tick (or any command) says it is time."""


class ConfirmWaiting(Record, frozen=True, kw_only=True, tag="confirm_waiting"):
    """A worker paused for letting offers expire says "我还在等工作" (I am still waiting), at a kiosk or phone.

    Lifts the pause (``WorkerResumed``); for a worker who is not paused it changes nothing."""

    checkin_id: str


MarketCommand = (
    CheckIn
    | PostJobRequest
    | AnswerOffer
    | CancelJobRequest
    | CheckOut
    | MarkNoShow
    | RecordPlacementStep
    | CorrectPlacementStep
    | ReportWageUnpaid
    | Tick
    | ConfirmWaiting
    | Tick
    | ReopenJobRequest
    | ChangeHeadcount
)


class WorkerReleased(Record, frozen=True, kw_only=True, tag="worker_released"):
    """Sent by a market to the roster: the worker's check-in there ended, with the jobs they keep today."""

    worker: str
    checkin_id: str
    reason: Literal["checked_out", "end_of_day", "no_show"]
    commitments: tuple[Commitment, ...] = ()


WorkerCommand = CheckIn | WorkerReleased


class WorkerQueued(Event, frozen=True, kw_only=True, tag="worker_queued"):
    checkin_id: str
    worker: str
    worker_masked: str
    ticket_no: int
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int
    available_until: int
    groups: tuple[str, ...] = ()
    tier: int = 0
    willing_to_travel: bool = False
    certificates: tuple[str, ...] = ()


class WorkerLeft(Event, frozen=True, kw_only=True, tag="worker_left"):
    """The worker's check-in at this market ended (checked out, end of day, or absent from a job)."""

    checkin_id: str
    worker: str
    reason: Literal["checked_out", "end_of_day", "no_show"]


class JobRequestOpened(Event, frozen=True, kw_only=True, tag="job_request_opened"):
    request_id: str
    employer_id: str
    employer_name: str
    trade: str
    headcount: int
    day_wage: int
    start: int
    hours: int
    place: str
    certificate_required: bool = False


class JobRequestClosed(Event, frozen=True, kw_only=True, tag="job_request_closed"):
    """A request stops taking workers: cancelled by the employer, expired at the end of the day, or its start
    plus the late-start grace passed (``start_passed``, with the grace in minutes; the employer may reopen it)."""

    request_id: str
    reason: Literal["cancelled", "expired", "start_passed"]
    grace_minutes: int = 0


class JobRequestReopened(Event, frozen=True, kw_only=True, tag="job_request_reopened"):
    """A request closed for ``start_passed`` is open again with a new ``start`` (was ``previous_start``). It
    keeps its ``placements``; the other fields repeat the request's, so that a read model can list it again."""

    request_id: str
    employer_id: str
    employer_name: str
    trade: str
    headcount: int
    day_wage: int
    start: int
    previous_start: int
    hours: int
    place: str
    certificate_required: bool = False
    placements: tuple[str, ...] = ()


class HeadcountChanged(Event, frozen=True, kw_only=True, tag="headcount_changed"):
    """A request's headcount is now ``headcount`` (was ``previous``); ``status`` is the request's after the
    change (``open`` or ``filled``, by the workers accepted)."""

    request_id: str
    employer_id: str
    headcount: int
    previous: int
    accepted: int
    status: Literal["open", "filled"]


class OfferMade(Event, frozen=True, kw_only=True, tag="offer_made"):
    """A worker is offered one place on a request, with the reason recorded for "why me / why not me"."""

    offer_id: str
    request_id: str
    checkin_id: str
    worker: str
    employer_name: str
    trade: str
    day_wage: int
    start: int
    hours: int
    place: str
    expires_at: datetime
    rule: str
    rank: int
    waited_seconds: int
    tier: int = 0
    tier_name: str = ""
    reordered: bool = False  # passed an earlier ticket of the same tier (to fill more places)
    candidates: int = 1  # eligible workers of this tier at the time
    seed: str = ""  # the published lottery seed, when the rule is a lottery
    #: Issue 26: when the plan first held this place for this worker (the tentative offer, ``PlaceHeld``) that
    #: this offer makes firm; ``None`` for an offer made at once, without a tentative offer before it.
    held_since: datetime | None = None


class PlaceHeld(Event, frozen=True, kw_only=True, tag="place_held"):
    """A tentative offer (issue 26, "预计 08:30 搬运 200 元/天，07:55 前确认"): the market's plan holds a place of a
    request for a waiting worker without offering it yet (``rolling``, ``max_fill`` with a window).

    The worker need not answer and stays free: a better tier, a firm offer elsewhere or a new plan may still
    move the place, which a ``PlaceReleased`` says (with why). Unless it does, the place is offered firmly
    (``OfferMade`` with ``held_since``) at ``firm_at`` at the latest. A worker holds at most one place; a request's
    held places, open offers and placements never exceed its headcount. Emitted again for the same place only
    when ``firm_at`` changes (a reopened request starts later)."""

    request_id: str
    checkin_id: str
    worker: str
    employer_name: str
    trade: str
    day_wage: int
    start: int
    hours: int
    place: str
    firm_at: datetime
    rule: str
    tier: int = 0
    tier_name: str = ""


#: Why a tentative offer ended without becoming firm (``PlaceReleased.reason``).
HoldReleaseReason = Literal[
    "firm_offer_elsewhere",  # the worker was offered another place firmly
    "better_tier",  # a worker of a better tier now holds or was offered the place
    "moved",  # the plan now holds another place for the worker (a ``PlaceHeld`` follows)
    "request_closed",  # the request was cancelled, or closed for its start
    "request_changed",  # the employer lowered the headcount or reopened the request with a new start
    "worker_unavailable",  # the worker left, was paused, or took a job that overlaps
    "plan_changed",  # the re-solved plan gives the place to another worker (e.g. one who fits fewer jobs)
    "end_of_day",
]


class PlaceReleased(Event, frozen=True, kw_only=True, tag="place_released"):
    """A tentative offer (``PlaceHeld``) ended without becoming firm, and why. A place held and then offered
    firmly to the same worker ends with the ``OfferMade`` instead."""

    request_id: str
    checkin_id: str
    worker: str
    reason: HoldReleaseReason


class OfferAccepted(Event, frozen=True, kw_only=True, tag="offer_accepted"):
    offer_id: str
    request_id: str
    checkin_id: str
    worker: str


class OfferDeclined(Event, frozen=True, kw_only=True, tag="offer_declined"):
    offer_id: str
    request_id: str
    checkin_id: str
    worker: str


class OfferExpired(Event, frozen=True, kw_only=True, tag="offer_expired"):
    """Nobody answered in time; the worker keeps their place in the queue, the next worker is offered.

    ``paused``: this was the worker's second unanswered offer (since checking in or last confirming): they get
    no offer until they confirm they are still waiting (``ConfirmWaiting`` → ``WorkerResumed``). ``missed``:
    how many offers they let expire since then, this one included (0 in records written before the pause)."""

    offer_id: str
    request_id: str
    checkin_id: str
    worker: str
    paused: bool = False
    missed: int = 0


class WorkerResumed(Event, frozen=True, kw_only=True, tag="worker_resumed"):
    """A paused worker confirmed they are still waiting: they are offered work again, in their old place."""

    checkin_id: str
    worker: str


class OfferWithdrawn(Event, frozen=True, kw_only=True, tag="offer_withdrawn"):
    """The offer ended without an answer: its request was cancelled or the worker checked out."""

    offer_id: str
    request_id: str
    checkin_id: str
    worker: str
    reason: Literal["request_cancelled", "checked_out", "end_of_day", "start_passed", "headcount_lowered"]


class PlacementCancelled(Event, frozen=True, kw_only=True, tag="placement_cancelled"):
    """A placement that will not happen: the request was cancelled, or the worker did not show up."""

    placement_id: str
    request_id: str
    checkin_id: str
    worker: str
    reason: Literal["request_cancelled", "no_show"]


class PlacementStarted(Event, frozen=True, kw_only=True, tag="placement_started"):
    """A worker is placed in a job: counted once per ``placement_id`` by reporting."""

    placement_id: str
    offer_id: str
    request_id: str
    checkin_id: str
    worker: str
    employer_id: str
    trade: str
    day_wage: int
    start: int = 0
    hours: int = 0
    groups: tuple[str, ...] = ()


class PlacementStepRecorded(Event, frozen=True, kw_only=True, tag="placement_step_recorded"):
    placement_id: str
    request_id: str
    checkin_id: str
    worker: str
    step: PlacementStep
    steps: tuple[str, ...]  # every step recorded so far, this one included
    #: The placement's step facts so far, this one included (recorded and corrected; 0 in facts before issue 23):
    #: the ledger keeps the latest, so reports count the corrected state.
    version: int = 0


class PlacementStepCorrected(Event, frozen=True, kw_only=True, tag="placement_step_corrected"):
    """A recorded step was withdrawn by the party who recorded it (issue 23); ``steps`` are those that stand."""

    placement_id: str
    request_id: str
    checkin_id: str
    worker: str
    step: PlacementStep
    steps: tuple[str, ...]
    version: int
    #: When the standing completion was recorded (the dashboard's unpaid clock), if it stands.
    completed_at: datetime | None = None


class WageDisputeOpened(Event, frozen=True, kw_only=True, tag="wage_dispute_opened"):
    """The worker reported "没拿到工资" after the scheduled end (issue 23); the county's staff see it on the
    dashboard until the worker confirms the wage received."""

    placement_id: str
    request_id: str
    checkin_id: str
    worker: str
    worker_masked: str
    employer_id: str
    employer_name: str
    trade: str
    day_wage: int
    start: int
    hours: int


class JobRequestFilled(Event, frozen=True, kw_only=True, tag="job_request_filled"):
    request_id: str


#: The commands about a placement; their refusals are shown on the ticket's job and the request view.
PLACEMENT_COMMANDS = ("mark_no_show", "record_placement_step", "correct_placement_step", "report_wage_unpaid")


class CommandRefused(Event, frozen=True, kw_only=True, tag="command_refused"):
    """The market's writer refused a command it received; ``rule`` says why (stable code)."""

    command_type: str
    subject_id: str
    rule: str
    message_zh: str
    message_en: str
    #: For a refused command about a known placement (issue 23): its check-in and request, so that the ticket
    #: and the employer's request page can show the refusal.
    checkin_id: str = ""
    request_id: str = ""


MarketEvent = (
    WorkerQueued
    | WorkerLeft
    | JobRequestOpened
    | JobRequestClosed
    | JobRequestReopened
    | HeadcountChanged
    | OfferMade
    | PlaceHeld
    | PlaceReleased
    | OfferAccepted
    | OfferDeclined
    | OfferExpired
    | WorkerResumed
    | OfferWithdrawn
    | PlacementStarted
    | PlacementCancelled
    | PlacementStepRecorded
    | PlacementStepCorrected
    | WageDisputeOpened
    | JobRequestFilled
    | CommandRefused
)


# ---------------------------------------------------------------- the roster's facts (worker-events)


class WorkerFact(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Facts of the roster, keyed by worker pseudonym; ``command_id`` is the command they answer."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    worker: str
    command_id: str


class CheckInAdmitted(WorkerFact, frozen=True, kw_only=True, tag="check_in_admitted"):
    checkin_id: str
    market_id: str
    county: str


class CheckInRefused(WorkerFact, frozen=True, kw_only=True, tag="check_in_refused"):
    """Refused because the worker is checked in at another market (or still leaving it)."""

    checkin_id: str
    market_id: str
    county: str
    active_market_id: str
    rule: str
    message_zh: str
    message_en: str


class WorkerFree(WorkerFact, frozen=True, kw_only=True, tag="worker_free"):
    """The worker has no active check-in any more and may check in at any market."""

    checkin_id: str
    market_id: str
    reason: str


WorkerEvent = CheckInAdmitted | CheckInRefused | WorkerFree


_command_decoder: msgspec.json.Decoder[MarketCommand] = msgspec.json.Decoder(MarketCommand)
_event_decoder: msgspec.json.Decoder[MarketEvent] = msgspec.json.Decoder(MarketEvent)
_worker_command_decoder: msgspec.json.Decoder[WorkerCommand] = msgspec.json.Decoder(WorkerCommand)
_worker_event_decoder: msgspec.json.Decoder[WorkerEvent] = msgspec.json.Decoder(WorkerEvent)


def decode_command(data: bytes) -> MarketCommand:
    """Decode a market command; raises ``msgspec.DecodeError`` / ``ValidationError`` on bad input."""
    return _command_decoder.decode(data)


def decode_event(data: bytes) -> MarketEvent:
    """Decode a market event; raises like :func:`decode_command`."""
    return _event_decoder.decode(data)


def decode_worker_command(data: bytes) -> WorkerCommand:
    return _worker_command_decoder.decode(data)


def decode_worker_event(data: bytes) -> WorkerEvent:
    return _worker_event_decoder.decode(data)
