"""The OpenAPI 3.1 document of the JSON API, generated from code and served at ``GET /api/openapi.json``.

Every JSON route is one :class:`Operation` row in :data:`OPERATIONS`; request and answer bodies are msgspec
structs below, whose JSON schemas ``msgspec.json.schema_components`` writes into ``components``. The structs
describe the wire; the parsers in ``services/`` stay the authority and accept exactly what the patterns here say
(full-width input and surrounding spaces included: the patterns are theirs), and check what a schema cannot: ID
check characters, times not yet past, screening. :data:`LINKS` lead from an answer's ids to the operations that
take them. All the rules in one place: docs/api.md.

``tests/integration/test_openapi.py`` fails for any ``/api/`` route of ``gateway/routes.py`` without a row
here, and prints the row to add.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from aiohttp import web
from msgspec import Meta

from gateway import idempotency
from services import clock, forms, geography, trades
from services.people import credit_code, groups, identity
from services.fairs import forms as fair_forms, passes as fair_pass, decide as fairs, quotas
from services.fairs.records import Level, QuotaStatus, WageUnit
from services.reports import periods

Role = Literal["kiosk", "employer", "organiser", "officer", "admin"]

# ---------------------------------------------------------------- shared pieces

TradeCode = Annotated[
    str,
    Meta(
        description="a trade code of the catalogue",
        extra_json_schema={"enum": [t.code for t in trades.TRADES]},
    ),
]
MarketId = Annotated[
    str,
    Meta(
        description="a market or station id",
        extra_json_schema={"enum": [m.market_id for m in geography.MARKETS]},
    ),
]
HHMM = Annotated[
    str,
    Meta(
        pattern=clock.TIME_PATTERN,
        description="local time, Asia/Shanghai, HH:MM (00:00-23:59), ASCII or full width (０６：３０), spaces "
        "around it allowed (else 422 `time_format`)",
    ),
]
_SHOWN = "text fit to show: no control characters or bidirectional controls, something visible"
_SHOWN_LINES = "text fit to show, lines allowed: no other control characters or bidirectional controls"


def shown(max_length: int, *, optional: bool = False, multiline: bool = False) -> Any:
    """A free-text field as ``services.forms.text`` accepts it (422 ``control_character``, ``bidi_control``,
    ``invisible_only``); ``optional``: empty or only spaces is allowed too."""
    return Annotated[
        str,
        Meta(
            max_length=max_length,
            pattern=forms.text_pattern(multiline=multiline, optional=optional),
            description=_SHOWN_LINES if multiline else _SHOWN,
        ),
    ]


Text = shown(500, optional=True, multiline=True)
IdNumber = Annotated[
    str,
    Meta(
        pattern=identity.ID_NUMBER_PATTERN,
        description="18-character resident ID number (GB 11643): 17 digits and a digit or X, ASCII or full width, "
        "either case of X, spaces around it allowed (the server normalises it: NFKC, strip, upper case). Format "
        "`gb11643`: its region code, birth date and check character must be right (422 `id_region`, "
        "`id_birth_date_invalid`, `id_check_character`…)",
        extra_json_schema={"format": "gb11643"},
    ),
]
CreditCode = Annotated[
    str,
    Meta(
        pattern=credit_code.CREDIT_CODE_PATTERN,
        description="unified social credit code (GB 32100): 18 digits or letters without I, O, S, V, Z, ASCII "
        "or full width, either case, spaces around it allowed (the server normalises it: NFKC, strip, upper "
        "case; else 422 `credit_code_format`); format `gb32100`: the last is its check character (422 "
        "`credit_code_check_character`)",
        extra_json_schema={"format": "gb32100"},
    ),
]
CountyCode = Annotated[
    str,
    Meta(description="a county code", extra_json_schema={"enum": [c.code for c in geography.COUNTIES]}),
]
Scope = Annotated[
    str,
    Meta(
        description="a quota scope: `city` (市本级) or a county code",
        extra_json_schema={"enum": list(quotas.SCOPES)},
    ),
]
FairKind = Annotated[
    str,
    Meta(description="a kind of fair", extra_json_schema={"enum": [k.code for k in fairs.FAIR_KINDS]}),
]
Day = Annotated[date, Meta(description="a local date (Asia/Shanghai), YYYY-MM-DD")]
WrittenDay = Annotated[
    str,
    Meta(
        pattern=clock.DATE_PATTERN,
        description="a local date (Asia/Shanghai) that exists, YYYY-MM-DD, ASCII or full width, spaces around it "
        "allowed (else 422 `date_format`)",
    ),
]
Instant = Annotated[
    datetime, Meta(description="an instant, ISO 8601 with offset", extra_json_schema={"format": "date-time"})
]
IsoWeek = Annotated[
    str,
    Meta(
        pattern=f"^(?:{periods.WEEK_PATTERN})$",
        description="an ISO week of 2000-2099, e.g. 2026-W48 (W53 only in a year that has one)",
    ),
]
Month = Annotated[
    str, Meta(pattern=f"^(?:{periods.MONTH_PATTERN})$", description="a calendar month of 2000-2099, e.g. 2026-11")
]
Wage = Annotated[int, Meta(ge=1, le=fair_forms.MAX_WAGE, description="yuan per `wage_unit`")]
QuotaRule = Annotated[str, Meta(description="a quota rule", extra_json_schema={"enum": list(quotas.RULES_BY_CODE)})]


class FieldErrorBody(msgspec.Struct):
    """One broken rule on one field; ``rule`` is a stable code."""

    field: str
    rule: str
    message_zh: str
    message_en: str


class Problem(msgspec.Struct):
    """Every error answer: a stable code and messages in Chinese then English; validation lists each rule."""

    error: str
    message_zh: str
    message_en: str
    field: str | None = None
    rule: str | None = None
    errors: list[FieldErrorBody] | None = None


# ---------------------------------------------------------------- request bodies


class CheckInBody(msgspec.Struct):
    """A worker checks in for today at the kiosk's market."""

    id_number: IdNumber
    trades: Annotated[list[TradeCode], Meta(min_length=1, max_length=5, extra_json_schema={"uniqueItems": True})]
    min_day_wage: Annotated[int, Meta(ge=0, le=5_000)]
    available_from: HHMM
    available_until: HHMM
    market_id: Annotated[MarketId, Meta(description="if given, must be the kiosk's own market (else 403)")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    groups: (
        Annotated[
            list[Annotated[str, Meta(extra_json_schema={"enum": [g.code for g in groups.GROUPS]})]],
            Meta(max_length=len(groups.GROUPS), description="priority groups declared by the worker (null: none)"),
        ]
        | None
    ) = []
    willing_to_travel: Annotated[bool, Meta(description='willing to work elsewhere (the "1+3" lists)')] = False


class JobRequestBody(msgspec.Struct, kw_only=True):
    """A same-day job, today at the market (local time). ``start`` + ``hours`` ends by midnight (422 ``hours``
    ``ends_tomorrow``). A ``start`` before the current local minute is refused (422 ``start``, rule
    ``start_past``) unless ``start_now`` is true ("现在就要人"): the start is then now, rounded up to the minute,
    and ``start`` is ignored; without ``start_now``, ``start`` is required. The posting is screened:
    discriminatory words, charges to workers and wages under the legal minimum for ``hours`` in the market's
    county are refused (422 naming ``description``, ``place`` or ``day_wage`` and the rule)."""

    market_id: MarketId
    trade: TradeCode
    headcount: Annotated[int, Meta(ge=1, le=200)]
    day_wage: Annotated[int, Meta(ge=1, le=5_000, description="yuan for the day")]
    start: (
        Annotated[
            HHMM,
            Meta(
                description="local start time today, not before the current minute (else 422 `start_past`); "
                "required unless `start_now`"
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    start_now: Annotated[bool, Meta(description="start as soon as possible (start = now, rounded up)")] = False
    hours: Annotated[int, Meta(ge=1, le=12)]
    place: shown(100)  # type: ignore[valid-type]
    description: Text = ""
    certificate_required: bool | None = None


class OfferAnswerBody(msgspec.Struct):
    answer: Literal["accept", "decline"]


class PlacementStepBody(msgspec.Struct):
    """``arrived``, ``completed``, ``wage_paid`` (the employer, in that order) or ``wage_received`` (the worker).
    ``with_arrival`` (with ``completed``): arrival and completion at once, only after the start. A step the rules
    refuse (docs/placement-life.md) is answered 409 with the rule as ``error``."""

    step: Literal["arrived", "completed", "wage_paid", "wage_received"]
    with_arrival: bool = False


class PlacementCorrectionBody(msgspec.Struct):
    """The step to withdraw: by the party who records it, within ``LINGONG_STEP_CORRECTION_MINUTES`` (default
    30) of recording it, later steps first (409 with the rule otherwise)."""

    step: Literal["arrived", "completed", "wage_paid", "wage_received"]


class HeadcountBody(msgspec.Struct):
    """The request's new headcount (issue 24): never below the workers already accepted."""

    headcount: Annotated[int, Meta(ge=1, le=200)]


class HeadcountAccepted(msgspec.Struct):
    request_id: str
    status: Literal["accepted"]
    command_id: str
    headcount: int


class EmptyBody(msgspec.Struct):
    """No fields are read; send ``{}``."""


class AnyObject(msgspec.Struct):
    """A JSON object whose fields this document does not detail yet (see the operation's description)."""


Title = shown(60)
Venue = shown(100)
Capacity = Annotated[int, Meta(ge=1, le=fair_forms.MAX_CAPACITY)]


class FairScheduleBody(msgspec.Struct):
    """Schedule a fair. ``county`` is where it is held; a ``county``-level fair belongs to that county's
    quota scope, a ``city``-level one (市本级) to the scope ``city``. It runs from ``date`` ``start`` to
    ``end_date`` (default ``date``) ``end``, local time: ``date`` from today to 400 days ahead, ``end`` after
    ``start``, at most 3 days in all (422 ``date_past``, ``date_too_far``, ``ends_before_start``,
    ``too_long_fair``)."""

    level: Level
    kind: FairKind
    county: CountyCode
    title: Title
    venue: Venue
    date: WrittenDay
    start: HHMM
    end: HHMM
    capacity: Capacity
    end_date: WrittenDay | None = None


class FairRescheduleBody(msgspec.Struct):
    """New dates and times, checked as when scheduling; ``venue`` left out, null or empty keeps the venue. A
    fair already held (attendance recorded) or cancelled is not moved: refused at the status URL."""

    date: WrittenDay
    start: HHMM
    end: HHMM
    end_date: WrittenDay | None = None
    venue: shown(100, optional=True) | None = None  # type: ignore[valid-type]


class FairCancelBody(msgspec.Struct):
    """Cancel a fair that has not been held."""

    reason: shown(200, multiline=True)  # type: ignore[valid-type]


class FairPositionBody(msgspec.Struct):
    """A position at the booth; ``wage_max`` must not be below ``wage_min`` (422 ``wage_order``)."""

    trade: TradeCode
    headcount: Annotated[int, Meta(ge=1, le=fair_forms.MAX_HEADCOUNT)]
    wage_min: Wage
    wage_max: Wage
    wage_unit: WageUnit
    title: shown(60, optional=True) | None = None  # type: ignore[valid-type]


class FairEmployerBody(msgspec.Struct):
    """An employer's booth and positions; registering the same ``credit_code`` again replaces them."""

    credit_code: CreditCode
    name: shown(100)  # type: ignore[valid-type]
    booth: shown(20)  # type: ignore[valid-type]
    positions: Annotated[list[FairPositionBody], Meta(min_length=1, max_length=fair_forms.MAX_POSITIONS)]


class CreditCodeBody(msgspec.Struct):
    """A registered employer's credit code."""

    credit_code: CreditCode


FairPass = Annotated[
    str,
    Meta(
        pattern=fair_pass.PASS_PATTERN,
        description="the worker's fair pass as their QR code shows it (`LGP1.…`, signed by the gateway, valid "
        "15 minutes); format `lingong-fair-pass`: a pass the gateway issued and not expired (else 422 "
        "`pass_invalid`, `pass_expired`)",
        extra_json_schema={"format": "lingong-fair-pass"},
    ),
]


class FairAttendanceBody(msgspec.Struct, kw_only=True):
    """A job seeker, by ID number (at least 16 years old) or by their fair pass: exactly one of ``id_number``
    and ``pass`` (422 ``pass_or_id_number`` for both); the gateway keeps only a pseudonym."""

    id_number: IdNumber | msgspec.UnsetType = msgspec.UNSET
    pass_: FairPass | msgspec.UnsetType = msgspec.field(default=msgspec.UNSET, name="pass")


#: Bodies with a choice of fields a struct cannot state: JSON Schema added to their component.
_ONE_OF: dict[str, list[dict[str, Any]]] = {
    name: [{"required": ["id_number"]}, {"required": ["pass"]}]
    for name in ("FairAttendanceBody", "FairIntentBody", "FairHireBody")
}


class FairIntentBody(FairAttendanceBody, kw_only=True):
    """A job seeker who attended, the employer (registered at the fair) and a trade it offers there."""

    credit_code: CreditCode
    trade: TradeCode


class FairHireBody(FairIntentBody, kw_only=True):
    """A hire: an intent's fields and the agreed wage."""

    wage: Wage
    wage_unit: WageUnit


_POLICY = quotas.DEFAULT_POLICY
_MAX_TARGET = fair_forms.MAX_CAPACITY
WarnWeekday = Annotated[
    int,
    Meta(ge=1, le=7, description=f"ISO weekday of a week's warning, 1 = Monday; default {_POLICY.warn_weekday}"),
]
WarnHour = Annotated[int, Meta(ge=0, le=23, description=f"local hour of the warnings; default {_POLICY.warn_hour}")]
WarnMonthDay = Annotated[
    int,
    Meta(
        ge=1,
        le=31,
        description=f"day of a month's warning (its last day if shorter); default {_POLICY.warn_month_day}",
    ),
]
TargetAttendees = Annotated[
    int, Meta(ge=0, le=_MAX_TARGET, description=f"job seekers attending; default {_POLICY.target_attendees}")
]
TargetEmployers = Annotated[
    int, Meta(ge=0, le=_MAX_TARGET, description=f"employers attending; default {_POLICY.target_employers}")
]
TargetPositions = Annotated[
    int,
    Meta(ge=0, le=_MAX_TARGET, description=f"positions offered (headcount); default {_POLICY.target_positions}"),
]
TargetHires = Annotated[int, Meta(ge=0, le=_MAX_TARGET, description=f"hires; default {_POLICY.target_hires}")]


class QuotaPolicyBody(msgspec.Struct):
    """A scope's early-warning moment and its weekly targets (per county and ISO week). The whole policy is
    replaced: a field left out or null takes its default, not the value set before."""

    warn_weekday: WarnWeekday | None = None
    warn_hour: WarnHour | None = None
    warn_month_day: WarnMonthDay | None = None
    target_attendees: TargetAttendees | None = None
    target_employers: TargetEmployers | None = None
    target_positions: TargetPositions | None = None
    target_hires: TargetHires | None = None


# ---------------------------------------------------------------- answers


class CheckInAccepted(msgspec.Struct):
    checkin_id: str
    status: Literal["accepted"]
    status_url: str
    page_url: str
    worker_masked: str
    market_id: str


class CheckInCommandAccepted(msgspec.Struct):
    checkin_id: str
    status: Literal["accepted"]
    status_url: str


class JobRequestAccepted(msgspec.Struct):
    request_id: str
    status: Literal["accepted"]
    status_url: str | None = None


class OfferAnswerAccepted(msgspec.Struct):
    offer_id: str
    answer: Literal["accept", "decline"]
    status: Literal["accepted"]
    status_url: str


class PlacementCommandAccepted(msgspec.Struct):
    """``command_id``: a refusal by the market (a rule that depends on the steps standing) is shown on the
    ticket's job (``refusal``) and the job request (``last_refusal``) with this id."""

    placement_id: str
    status: Literal["accepted"]
    command_id: str | msgspec.UnsetType = msgspec.UNSET


class Ticket(msgspec.Struct):
    """The worker's ticket (a read model): ``status`` is ``queued``, ``offered``, ``placed``, ``paused``,
    ``refused``…; an open offer carries its ``expires_at``, an expired one leaves a ``notice``."""

    checkin_id: str
    status: str


class WhyNotWorker(msgspec.Struct):
    ticket_no: int | None
    tier: int | None
    status: str | None


class WhyNotHolder(msgspec.Struct):
    ticket_no: int | None
    tier: int | None
    why: dict[str, Any] | None


class WhyNotAnswer(msgspec.Struct):
    """ "Why not me?": the first eligibility rule that fails (or none), and who was offered the job and why."""

    checkin_id: str | None
    request_id: str | None
    eligible: bool
    got_it: bool
    rule: str | None
    message_zh: str
    message_en: str
    worker: WhyNotWorker
    given_to: list[WhyNotHolder]


class JobRequestView(msgspec.Struct):
    """The employer's view of a request (a read model): offers out, accepted workers (masked)."""

    request_id: str
    status: str
    employer_id: str


class FairCommandAccepted(msgspec.Struct):
    """The fair command is on Kafka; the agent's verdict appears at ``status_url`` (``applied`` or
    ``refused`` with the rule)."""

    command_id: str
    fair_id: str
    county: Annotated[Scope, Meta(description="the fair's quota scope")]
    status: Literal["accepted"]
    status_url: str
    fair_url: str


class FairPersonAccepted(FairCommandAccepted):
    worker_masked: Annotated[str, Meta(description="the ID number with its middle hidden")]


class QuotaPolicyAccepted(msgspec.Struct):
    command_id: str
    county: Scope
    status: Literal["accepted"]
    status_url: str


class FairPositionView(msgspec.Struct):
    trade: str
    title: str
    headcount: int
    wage_min: int
    wage_max: int
    wage_unit: WageUnit


class FairBoothView(msgspec.Struct):
    employer_id: Annotated[str, Meta(description="the employer's credit code")]
    name: str
    booth: str
    positions: list[FairPositionView]
    attended: bool


class FairCounts(msgspec.Struct):
    attendees: int
    employers_registered: int
    employers_attended: int
    positions: Annotated[int, Meta(description="headcount of all positions")]
    intents: int
    hires: int


FairStatus = Literal["scheduled", "published", "cancelled"]


class FairView(msgspec.Struct):
    """A fair (a read model): booths by credit code, positions, counts; no personal data. ``held``: attendance
    was recorded. Local ``date``/``start``/``end``/``end_date``, ``week`` and ``month`` of its start."""

    fair_id: str
    scope: Scope
    level: Level
    kind: str
    kind_zh: str
    kind_en: str
    title: str
    venue: str
    venue_county: str
    organiser_id: str
    starts_at: Instant
    ends_at: Instant
    capacity: int
    status: FairStatus
    held: bool
    employers: dict[str, FairBoothView]
    counts: FairCounts
    date: Day
    start: HHMM
    end: HHMM
    end_date: Day
    week: IsoWeek
    month: Month
    updated_at: Instant
    cancel_reason: str | msgspec.UnsetType = msgspec.UNSET


class FairListEntry(msgspec.Struct):
    fair_id: str
    scope: Scope
    status: FairStatus
    held: bool
    title: str
    level: Level
    kind: str
    venue_county: str
    starts_at: Instant
    ends_at: Instant
    date: Day
    week: IsoWeek
    month: Month


class FairList(msgspec.Struct):
    """Fairs by start time (cancelled ones included, with their status)."""

    fairs: list[FairListEntry]


class FairRefusal(msgspec.Struct):
    rule: str
    message_zh: str
    message_en: str


class FairCommandOutcome(msgspec.Struct):
    """What the agent made of a command: ``applied`` with the facts it produced, or ``refused`` with the rule
    (``already_attended``, ``worker_not_attended``, ``fair_already_held``…)."""

    command_id: str
    status: Literal["applied", "refused"]
    facts: Annotated[list[str], Meta(description="the types of the facts, in order")]
    fair_id: str | None
    updated_at: Instant
    refusal: FairRefusal | msgspec.UnsetType = msgspec.UNSET


class QuotaTargetProgress(msgspec.Struct):
    actual: int
    target: int
    reached: bool


class QuotaProgress(msgspec.Struct):
    """The week's fairs in the county (not cancelled) against the scope's weekly targets."""

    attendees: QuotaTargetProgress
    employers: QuotaTargetProgress
    positions: QuotaTargetProgress
    hires: QuotaTargetProgress


class QuotaBoardEntry(msgspec.Struct):
    """One rule, scope and period. ``held``: fairs held; ``pending``: fairs still to come."""

    rule: QuotaRule
    scope: Scope
    period: Annotated[str, Meta(description="an ISO week (2026-W48) or a month (2026-11)")]
    period_start: Instant
    period_end: Instant
    status: QuotaStatus
    previous: QuotaStatus | None
    held: int
    pending: int
    target: int
    warned: Annotated[bool, Meta(description="the early warning fired")]
    updated_at: Instant
    warn_at: Instant | msgspec.UnsetType = msgspec.UNSET
    rule_zh: str | msgspec.UnsetType = msgspec.UNSET
    rule_en: str | msgspec.UnsetType = msgspec.UNSET
    progress: Annotated[QuotaProgress, Meta(description="county weeks only")] | msgspec.UnsetType = msgspec.UNSET


class QuotaPolicyView(msgspec.Struct):
    warn_weekday: int
    warn_hour: int
    warn_month_day: int
    target_attendees: int
    target_employers: int
    target_positions: int
    target_hires: int


class QuotaBoard(msgspec.Struct):
    """The quota board, oldest period first, and the policies set per scope (scopes without one use the
    defaults)."""

    entries: list[QuotaBoardEntry]
    policies: dict[str, QuotaPolicyView]


# ---------------------------------------------------------------- reporting, supply list, dashboard (issue 5)

Count = Annotated[int, Meta(ge=0)]
Seconds = Annotated[int, Meta(ge=0)] | None
PeriodKind = Literal["day", "week", "month", "quarter"]
CountyOrCity = Annotated[
    str,
    Meta(description="a county code or `city`", extra_json_schema={"enum": list(quotas.SCOPES)}),
]


class ReportPeriod(msgspec.Struct):
    kind: PeriodKind
    code: str
    first_day: Day
    last_day: Day
    start: Instant
    end: Instant


class ReportRow(msgspec.Struct):
    """One value of the dimension (or ``total``). ``wage_paid_rate``: wages_paid / completed (null without
    completed placements), on the placement's day."""

    key: str
    checkins: Count
    unique_workers: Count
    requests: Count
    positions: Count
    offers: Count
    acceptances: Count
    placements: Count
    no_shows: Count
    completed: Count
    wages_paid: Count
    fairs_held: Count
    attendance: Count
    intents: Count
    hires: Count
    fill_rate: float | None
    time_to_fill_p50: Seconds
    time_to_fill_p90: Seconds
    wage_paid_rate: float | None


class TargetProgress(msgspec.Struct):
    target: Literal["reemployment_unemployed", "people_in_difficulty", "returnees"]
    groups: list[str]
    actual: Count
    annual_target: Count
    share: float | None


class Report(msgspec.Struct):
    """Figures of one period (Asia/Shanghai boundaries) by one dimension, with the annual targets' progress
    (distinct workers placed this year to the period's end). CSV: ``GET /exports/reports.csv``, same query."""

    period: ReportPeriod
    by: Literal["county", "market", "trade", "group"]
    county: str | None
    columns: list[str]
    rows: list[ReportRow]
    targets: list[TargetProgress]
    notes: dict[str, str]


class ListEntry(msgspec.Struct):
    worker_masked: str
    county: str
    market_id: str
    last_check_in: Day
    trades: list[str]
    groups: list[str]
    willing_to_travel: bool
    placements: Count


class OneThreeLists(msgspec.Struct):
    """The "1+3" lists of the last ``days`` local days: placed, looking (checked in, not placed), willing to
    work elsewhere. CSV: ``GET /exports/lists.csv?list=placed|looking|willing``."""

    days: Count
    first_day: Day
    last_day: Day
    county: str | None
    placed: list[ListEntry]
    looking: list[ListEntry]
    willing: list[ListEntry]


class SupplyRow(msgspec.Struct):
    source: Literal["gig", "fair"]
    id: str
    county: str
    where: str
    employer: str
    trade: str
    trade_zh: str
    trade_en: str
    positions: Annotated[int, Meta(ge=1)]
    wage: Annotated[str, Meta(description="the wage in words: `180 元/天`, `3000-4000 元/月`")]
    wage_low: Annotated[int, Meta(description="the lowest wage, yuan per `wage_unit` (the page's wage filter)")]
    wage_unit: Annotated[str, Meta(description="`day`, `month` or `hour`")]
    where_en: Annotated[str, Meta(description="the market, or the fair's title, in English")]
    date: Day
    start: Annotated[HHMM, Meta(description="local start time (the page's sort)")]
    time: str
    place: str
    hours: Annotated[int, Meta(description="a gig's hours")] | msgspec.UnsetType = msgspec.UNSET
    fair_title: Annotated[str, Meta(description="a fair's title")] | msgspec.UnsetType = msgspec.UNSET


class SupplySummary(msgspec.Struct):
    rows: Count
    positions: Count


class SupplyList(msgspec.Struct):
    """Open positions from gig requests and fairs, no personal data: live, or as of Monday 00:00 of ``week``.
    CSV: ``GET /exports/supply.csv``; page: ``GET /supply``."""

    week: str | None
    as_of: Instant
    summary: SupplySummary
    rows: list[SupplyRow]


class DashboardFigures(msgspec.Struct, forbid_unknown_fields=False):
    workers_waiting: Count
    open_positions: Count
    offers_out: Count
    fills_today: Count
    median_match_seconds: Seconds
    unpaid_placements: Annotated[Count, Meta(description="placements completed and not recorded paid in time")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    wage_disputes: Annotated[Count, Meta(description='open "没拿到工资" reports')] | msgspec.UnsetType = msgspec.UNSET


class DashboardAlert(msgspec.Struct, forbid_unknown_fields=False):
    kind: Literal["quota_at_risk", "waiting_without_jobs", "unpaid_placements", "wage_disputes"]
    county: str
    message_zh: str
    message_en: str


class Dashboard(msgspec.Struct):
    """The live dashboard's figures now: city-wide, per county, per market; the quota board of this week and
    month; alerts. Live updates: the staff page ``GET /dashboard`` (server-sent events ``/dashboard/events``)."""

    day: Day
    as_of: Instant
    as_of_local: Annotated[str, Meta(description="the time of the figures, local HH:MM")]
    county: str | None
    city: DashboardFigures
    counties: list[dict[str, Any]]
    markets: list[dict[str, Any]]
    alerts: list[DashboardAlert]
    quota_board: list[dict[str, Any]]
    unpaid_placements: Annotated[
        dict[str, Count],
        Meta(
            description="per county: placements completed and not recorded paid after LINGONG_UNPAID_ALERT_HOURS "
            "(default 4) or past the local midnight after completion"
        ),
    ]
    wage_disputes: Annotated[
        dict[str, list[dict[str, Any]]],
        Meta(
            description='per county: open wage disputes (a worker\'s "没拿到工资" after the scheduled end, until they '
            "confirm the wage received): employer, trade, day wage, start, hours, masked ID, time reported"
        ),
    ]


class Health(msgspec.Struct):
    status: Literal["ok"]
    kafka: bool
    redis: bool


class OpenApiDocument(msgspec.Struct):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


# ---------------------------------------------------------------- accounts and tokens (issue 7)

Password = Annotated[str, Meta(min_length=10, max_length=128, description="10 to 128 characters")]
Username = Annotated[
    str, Meta(pattern=r"^[a-z][a-z0-9._-]{2,31}$", description="3 to 32 lower-case letters, digits or ._-")
]
Phone = (
    Annotated[
        str,
        Meta(
            pattern=identity.PHONE_PATTERN,
            description="a mainland mobile number (stored masked): 11 digits from 13-19, ASCII or full width, "
            "spaces or hyphens between them, +86 or 0086 in front allowed (else 422 `phone_format`)",
        ),
    ]
    | Annotated[Literal[""], Meta(description="no phone")]
    | None
)
Name = shown(60)


#: Errors of a POST that reads a JSON body outside the command flow.
_BODY_ERRORS = (400, 408, 413, 422)


class SignInBody(msgspec.Struct):
    """A staff or device username, a company's credit code or an individual employer's ID number."""

    login: shown(64)  # type: ignore[valid-type]
    password: Annotated[str, Meta(min_length=1, max_length=128)]


class SessionIssued(msgspec.Struct):
    """A bearer token, shown once (only its SHA-256, the ``credential_id``, is stored)."""

    token: str
    token_type: Literal["Bearer"]
    credential_id: str
    expires_at: Instant | None
    account_id: str
    role: Role
    display_name: str
    county: str | None


class CompanyRegistrationBody(msgspec.Struct, kw_only=True, tag_field="kind", tag="company"):
    """A company, by its unified social credit code."""

    name: Name
    password: Password
    credit_code: CreditCode
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class IndividualRegistrationBody(msgspec.Struct, kw_only=True, tag_field="kind", tag="individual"):
    """A person, by ID number (an adult's: 18 or older)."""

    name: Name
    password: Password
    id_number: IdNumber
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


#: ``kind`` says which: ``company`` with ``credit_code``, or ``individual`` with ``id_number``.
EmployerRegistrationBody = CompanyRegistrationBody | IndividualRegistrationBody

_NO_COUNTY = "422 `county_not_allowed` for any other value"


class StaffAccountFields(msgspec.Struct, kw_only=True):
    login: Username
    name: Name
    password: Password
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class OrganiserAccountBody(StaffAccountFields, tag_field="role", tag="organiser"):
    """An organiser of fairs, of a county or (no ``county``) of the city."""

    county: (
        Annotated[CountyCode | Literal[""] | None, Meta(description="empty, null or left out: the city")]
        | msgspec.UnsetType
    ) = msgspec.UNSET


class OfficerAccountBody(StaffAccountFields, tag_field="role", tag="officer"):
    """A county officer: sees and acts for their ``county`` only."""

    county: CountyCode


class AdminAccountBody(StaffAccountFields, tag_field="role", tag="admin"):
    """A city administrator: no county (only officers and organisers have one)."""

    county: Annotated[Literal[""] | None, Meta(description=f"empty, null or left out; {_NO_COUNTY}")] = None


#: ``role`` says which: a county only for an officer (required) or an organiser (optional), never for an admin.
StaffAccountBody = OrganiserAccountBody | OfficerAccountBody | AdminAccountBody


class DeviceBody(msgspec.Struct):
    market_id: MarketId
    name: Name


class AccountCreated(msgspec.Struct):
    account_id: str
    role: Role
    county: str | None
    market_id: str | None
    id_masked: str | None
    phone_masked: str | None
    status: Literal["registered"]


class DeviceCreated(AccountCreated):
    """The device's token, shown once."""

    token: str
    credential_id: str


class AccountView(msgspec.Struct):
    """An account with its masked personal data (the reveal is audited)."""

    account_id: str
    revoked: bool
    role: Role | msgspec.UnsetType = msgspec.UNSET
    display_name: str | msgspec.UnsetType = msgspec.UNSET
    id_masked: str | msgspec.UnsetType | None = msgspec.UNSET
    phone_masked: str | msgspec.UnsetType | None = msgspec.UNSET
    county: Annotated[str | None, Meta(description="an officer's or organiser's county, a device's market's")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    market_id: Annotated[str | None, Meta(description="a kiosk device's market")] | msgspec.UnsetType = msgspec.UNSET
    credit_code: Annotated[str | None, Meta(description="a company's credit code")] | msgspec.UnsetType = msgspec.UNSET
    created_at: Instant | msgspec.UnsetType = msgspec.UNSET
    revoked_at: Instant | msgspec.UnsetType = msgspec.UNSET
    revoked_by: Annotated[str, Meta(description="the administrator who revoked it")] | msgspec.UnsetType = msgspec.UNSET


class AccountRevokedAnswer(msgspec.Struct):
    account_id: str
    status: Literal["revoked"]


class CredentialRevokedAnswer(msgspec.Struct):
    credential_id: str
    status: Literal["revoked"]


# ---------------------------------------------------------------- the operations


@dataclasses.dataclass(frozen=True, slots=True)
class Param:
    """A query parameter, or the schema of a path parameter (a ``{name}`` of the path, else a string).
    ``checked``: a value the gateway does not know is answered 422 naming the parameter."""

    name: str
    schema: Any
    where: Literal["query", "path"] = "query"
    checked: bool = False
    description: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """One route of the JSON API. ``command``: the accept-a-command flow of :mod:`gateway.commands`
    (``Idempotency-Key`` header, 202 once Kafka has it, 409/422 on key reuse, 503 when the broker is down)."""

    method: Literal["GET", "POST"]
    path: str
    name: str
    summary: str
    role: Role | None = None
    #: A struct, or a union of tagged structs.
    body: Any = None
    answer: type[msgspec.Struct] = AnyObject
    command: bool = False
    not_found: bool = False
    tags: tuple[str, ...] = ()
    description: str = ""
    params: tuple[Param, ...] = ()
    #: Roles whose credentials are accepted as well as ``role``'s.
    other_roles: tuple[Role, ...] = ()
    #: Error statuses beyond those implied by the other fields (e.g. 409 for a login taken).
    extra_statuses: tuple[int, ...] = ()

    @property
    def status(self) -> int:
        return 202 if self.command else 200


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/healthz", "healthz", "Liveness, with whether Kafka and Redis answer", answer=Health),
    Operation("GET", "/api/openapi.json", "openapi", "This document", answer=OpenApiDocument, tags=("docs",)),
    Operation(
        "POST",
        "/api/v1/checkins",
        "checkins",
        "Check a worker in for today (kiosk)",
        role="kiosk",
        body=CheckInBody,
        answer=CheckInAccepted,
        command=True,
        tags=("market",),
    ),
    Operation(
        "GET",
        "/api/v1/checkins/{checkin_id}",
        "checkin",
        "A check-in's ticket: queued, offered (with the offer and why), placed, refused",
        answer=Ticket,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/checkins/{checkin_id}/check-out",
        "check_out",
        "Check a worker out (kiosk of the check-in's market)",
        role="kiosk",
        body=EmptyBody,
        answer=CheckInCommandAccepted,
        command=True,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/checkins/{checkin_id}/still-waiting",
        "still_waiting",
        "A paused worker confirms they are still waiting (kiosk of the market, or the worker's phone)",
        description="A worker who let two offers expire is paused (ticket status ``paused``) and gets no offer "
        "until this command arrives; 409 ``not_paused`` when the ticket is not paused.",
        role="kiosk",
        body=EmptyBody,
        answer=CheckInCommandAccepted,
        command=True,
        not_found=True,
        extra_statuses=(409,),
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/job-requests",
        "job_requests",
        "Post a same-day job (employer); screened before it is accepted",
        role="employer",
        body=JobRequestBody,
        answer=JobRequestAccepted,
        command=True,
        tags=("market",),
    ),
    Operation(
        "GET",
        "/api/v1/checkins/{checkin_id}/why-not/{request_id}",
        "why_not",
        "Why a worker did not get a job: the rule that failed, and who got it with their tier and rank (officer)",
        role="officer",
        answer=WhyNotAnswer,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "GET",
        "/api/v1/job-requests/{request_id}",
        "job_request",
        "A job request's live state (the employer who posted it)",
        role="employer",
        answer=JobRequestView,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/job-requests/{request_id}/cancel",
        "job_request_cancel",
        "Cancel a job request (the employer who posted it)",
        role="employer",
        body=EmptyBody,
        answer=JobRequestAccepted,
        command=True,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/job-requests/{request_id}/reopen",
        "job_request_reopen",
        "Still needed, start as soon as possible: reopen a request closed because its start plus the late-start "
        "grace passed, with its start moved to now (the employer who posted it; 409 request_not_reopenable "
        "for any other request)",
        role="employer",
        body=EmptyBody,
        answer=JobRequestAccepted,
        command=True,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/job-requests/{request_id}/headcount",
        "job_request_headcount",
        "Change how many workers a request needs (the employer who posted it; 409 headcount_below_accepted below "
        "the workers accepted, 409 request_not_open for a request that ended; offers awaiting an answer beyond the "
        "new headcount are withdrawn)",
        role="employer",
        body=HeadcountBody,
        answer=HeadcountAccepted,
        command=True,
        not_found=True,
        tags=("market",),
        extra_statuses=(409,),
    ),
    Operation(
        "POST",
        "/api/v1/placements/{placement_id}/no-show",
        "no_show",
        "Report that a placed worker did not arrive (the employer); the next worker is offered",
        role="employer",
        body=EmptyBody,
        answer=PlacementCommandAccepted,
        command=True,
        not_found=True,
        tags=("market",),
        extra_statuses=(409,),
    ),
    Operation(
        "POST",
        "/api/v1/placements/{placement_id}/steps",
        "placement_step",
        "Record a step of a placement: arrival, completion, wage paid (the employer) or wage received (the worker)",
        description="The worker's step is sent by the worker's phone page (page session + X-CSRF-Token).",
        role="employer",
        body=PlacementStepBody,
        answer=PlacementCommandAccepted,
        command=True,
        not_found=True,
        tags=("market",),
        extra_statuses=(409,),
    ),
    Operation(
        "POST",
        "/api/v1/placements/{placement_id}/corrections",
        "placement_correction",
        "Correct (withdraw) a recorded step within the correction window, by the party who recorded it",
        description="A new fact withdraws the step; nothing is deleted. The worker's correction of "
        "``wage_received`` is sent by the phone page (page session + X-CSRF-Token).",
        role="employer",
        body=PlacementCorrectionBody,
        answer=PlacementCommandAccepted,
        command=True,
        not_found=True,
        tags=("market",),
        extra_statuses=(409,),
    ),
    Operation(
        "POST",
        "/api/v1/placements/{placement_id}/unpaid",
        "placement_unpaid",
        'The worker reports "没拿到工资" after the scheduled end: a wage dispute for the county\'s staff',
        description="Sent by the worker's phone page (page session + X-CSRF-Token); 409 before the end or once "
        "the worker confirmed the wage received.",
        body=EmptyBody,
        answer=PlacementCommandAccepted,
        command=True,
        not_found=True,
        tags=("market",),
        extra_statuses=(401, 403, 409, 429),
    ),
    Operation(
        "POST",
        "/api/v1/offers/{offer_id}/answer",
        "offer_answer",
        "Accept or decline an offer (kiosk of the offer's market)",
        role="kiosk",
        body=OfferAnswerBody,
        answer=OfferAnswerAccepted,
        command=True,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs",
        "fairs",
        "Schedule a job fair (organiser)",
        role="organiser",
        body=FairScheduleBody,
        answer=FairCommandAccepted,
        command=True,
        tags=("fairs",),
    ),
    Operation(
        "GET",
        "/api/v1/fairs",
        "fair_list",
        "The fairs of one quota scope, or of all, by start time; filtered by ISO week or month",
        answer=FairList,
        tags=("fairs",),
        params=(
            Param("county", Scope, checked=True, description="a quota scope; all scopes if left out"),
            Param("week", IsoWeek, checked=True, description="only fairs starting in this ISO week"),
            Param("month", Month, checked=True, description="only fairs starting in this month"),
        ),
    ),
    Operation(
        "GET",
        "/api/v1/fairs/{fair_id}",
        "fair",
        "A fair: its booths, positions and counts (no personal data)",
        answer=FairView,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/employers",
        "fair_employers",
        "Register an employer's booth and positions at a fair (organiser)",
        role="organiser",
        body=FairEmployerBody,
        answer=FairCommandAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/publish",
        "fair_publish",
        "Publish a fair (organiser)",
        role="organiser",
        body=EmptyBody,
        answer=FairCommandAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/reschedule",
        "fair_reschedule",
        "Move a fair that has not been held to new dates, times or venue (organiser)",
        role="organiser",
        body=FairRescheduleBody,
        answer=FairCommandAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/cancel",
        "fair_cancel",
        "Cancel a fair that has not been held (organiser)",
        role="organiser",
        body=FairCancelBody,
        answer=FairCommandAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/attendance",
        "fair_attendance",
        "Record that a job seeker attended a fair, on its local dates (organiser); counted once",
        role="organiser",
        body=FairAttendanceBody,
        answer=FairPersonAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/employer-attendance",
        "fair_employer_attendance",
        "Record that a registered employer attended a fair (organiser)",
        role="organiser",
        body=CreditCodeBody,
        answer=FairCommandAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/intents",
        "fair_intents",
        "Record a job seeker's intent with an employer at a fair (organiser); needs their attendance",
        role="organiser",
        body=FairIntentBody,
        answer=FairPersonAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "POST",
        "/api/v1/fairs/{fair_id}/hires",
        "fair_hires",
        "Record a hire at a fair, a placement for reporting (organiser); needs the seeker's attendance",
        role="organiser",
        body=FairHireBody,
        answer=FairPersonAccepted,
        command=True,
        not_found=True,
        tags=("fairs",),
    ),
    Operation(
        "GET",
        "/api/v1/fair-commands/{command_id}",
        "fair_command",
        "What became of a fair or quota command: applied, or refused with the rule",
        answer=FairCommandOutcome,
        not_found=True,
        tags=("fairs",),
        description="404 ``fair_command_unknown`` until the agent has decided (a second or two).",
    ),
    Operation(
        "GET",
        "/api/v1/quotas",
        "quotas",
        "The quota board: status per county week and city month, early warnings, weekly targets' progress",
        role="organiser",
        other_roles=("officer",),
        answer=QuotaBoard,
        tags=("quotas",),
        params=(
            Param("county", Scope, checked=True, description="only this quota scope"),
            Param("rule", QuotaRule, checked=True, description="only this quota rule"),
            Param("period", str, description="only this ISO week (2026-W48) or month (2026-11)"),
        ),
    ),
    Operation(
        "POST",
        "/api/v1/quotas/{county}/policy",
        "quota_policy",
        "Set a quota scope's early-warning moment and weekly targets (officer)",
        role="officer",
        body=QuotaPolicyBody,
        answer=QuotaPolicyAccepted,
        command=True,
        tags=("quotas",),
        params=(Param("county", Scope, where="path", checked=True, description="a quota scope"),),
    ),
    # accounts, tokens and staff views of personal data (issue 7); sign-out last, so the fuzz keeps its tokens
    Operation(
        "POST",
        "/api/v1/sessions",
        "sessions",
        "Sign in: a bearer token for an account (throttled per client address and per account)",
        body=SignInBody,
        answer=SessionIssued,
        tags=("accounts",),
        extra_statuses=(*_BODY_ERRORS, 401, 429),
    ),
    Operation(
        "POST",
        "/api/v1/employers",
        "employers",
        "An employer registers: a company by unified social credit code, an individual by ID number",
        body=EmployerRegistrationBody,
        answer=AccountCreated,
        tags=("accounts",),
        extra_statuses=(*_BODY_ERRORS, 409, 429),
    ),
    Operation(
        "POST",
        "/api/v1/accounts",
        "accounts",
        "Create a staff account: organiser, county officer or city administrator (administrator)",
        role="admin",
        body=StaffAccountBody,
        answer=AccountCreated,
        tags=("accounts",),
        extra_statuses=(*_BODY_ERRORS, 409),
    ),
    Operation(
        "GET",
        "/api/v1/accounts/{account_id}",
        "account",
        "An account with its masked ID number and phone (administrator, or the county's officer); audited",
        role="admin",
        other_roles=("officer",),
        answer=AccountView,
        not_found=True,
        tags=("accounts",),
    ),
    Operation(
        "POST",
        "/api/v1/accounts/{account_id}/revoke",
        "account_revoke",
        "Revoke an account or a kiosk device and every token issued to it, at once (administrator)",
        role="admin",
        body=EmptyBody,
        answer=AccountRevokedAnswer,
        not_found=True,
        tags=("accounts",),
    ),
    Operation(
        "POST",
        "/api/v1/devices",
        "devices",
        "Register a kiosk device bound to a market; its token is shown once (administrator)",
        role="admin",
        body=DeviceBody,
        answer=DeviceCreated,
        tags=("accounts",),
        extra_statuses=(*_BODY_ERRORS, 409),
    ),
    Operation(
        "POST",
        "/api/v1/credentials/{credential_id}/revoke",
        "credential_revoke",
        "Revoke one token by its credential id (SHA-256), at once (administrator)",
        role="admin",
        body=EmptyBody,
        answer=CredentialRevokedAnswer,
        not_found=True,
        tags=("accounts",),
    ),
    Operation(
        "GET",
        "/api/v1/staff/checkins/{checkin_id}",
        "staff_checkin",
        "A check-in with the worker's masked ID number (county officer of its county, or administrator); audited",
        role="officer",
        answer=Ticket,
        not_found=True,
        tags=("market",),
    ),
    Operation(
        "POST",
        "/api/v1/sessions/revoke",
        "session_revoke",
        "Sign out: the token of this request is refused from now on (any credential)",
        role="employer",
        other_roles=("kiosk", "organiser", "officer", "admin"),
        body=EmptyBody,
        answer=CredentialRevokedAnswer,
        tags=("accounts",),
    ),
)

# reporting, the job supply list and the live dashboard (issue 5)
_STAFF_COUNTY = Param(
    "county", CountyOrCity, checked=True, description="only this county (a county officer: their own)"
)
OPERATIONS += (
    Operation(
        "GET",
        "/api/v1/reports",
        "reports",
        "Report of one day, ISO week, month or quarter by county, market, trade or priority group (staff)",
        role="officer",
        other_roles=("organiser",),
        answer=Report,
        tags=("reports",),
        params=(
            Param("period", PeriodKind, checked=True, description="day (default), week, month or quarter"),
            Param(
                "at",
                Annotated[str, Meta(pattern=f"^(?:{'|'.join(periods.PATTERNS.values())})$")],
                checked=True,
                description="the period, written as `period` says (default day): 2026-11-26, 2026-W48, 2026-11 or "
                "2026-Q4, else 422 `period_format`; default the one holding now",
            ),
            Param("by", Literal["county", "market", "trade", "group"], checked=True, description="default county"),
            _STAFF_COUNTY,
        ),
    ),
    Operation(
        "GET",
        "/api/v1/reports/lists",
        "report_lists",
        'The "1+3" lists: placed, looking, willing to work elsewhere (staff)',
        role="officer",
        other_roles=("organiser",),
        answer=OneThreeLists,
        tags=("reports",),
        params=(
            Param("days", Annotated[int, Meta(ge=1, le=92)], checked=True, description="look back (default 7)"),
            _STAFF_COUNTY,
        ),
    ),
    Operation(
        "GET",
        "/api/v1/supply",
        "supply",
        "The public job supply list (岗位供给清单): live, or the weekly list as of Monday 00:00",
        answer=SupplyList,
        tags=("reports",),
        params=(Param("week", IsoWeek, checked=True, description="an ISO week already begun"),),
    ),
    Operation(
        "GET",
        "/api/v1/dashboard",
        "dashboard",
        "The live dashboard's figures now (staff)",
        role="officer",
        other_roles=("organiser",),
        answer=Dashboard,
        tags=("reports",),
        params=(_STAFF_COUNTY,),
    ),
)

# registered job seekers, "四级三类" and the "1311" clock (issue 27); docs/public-employment.md
_REGISTRATION_ID = Param("registration_id", str, where="path", description="a registration id (its command id)")


class JobseekerBody(msgspec.Struct, kw_only=True):
    """A registration: entered by a county officer (confirmed at once) or self-service at a kiosk (awaiting
    staff, handled within 3 working days). ``county`` keeps the registration: an officer's own county (else 403),
    a kiosk's market's county (else 403). ``registered_on`` (staff only; a kiosk's is today) must not be after
    today nor more than 10 years before (422 ``registered_on`` ``date_future`` / ``date_too_old``)."""

    id_number: IdNumber
    county: CountyCode
    kind: Annotated[Literal["unemployed", "job_seeking"], Meta(description="失业登记 or 求职登记")]
    category: Annotated[
        Literal["basic_skills", "lacks_basic_skills", "employment_difficulty"],
        Meta(description="三类: 具备初级技能, 缺乏基本技能, 存在就业困难"),
    ]
    trades: Annotated[list[TradeCode], Meta(min_length=1, max_length=5, extra_json_schema={"uniqueItems": True})]
    registered_on: Day | None = None
    willing_elsewhere: bool | None = False
    graduate: Annotated[bool | None, Meta(description="a graduate not yet placed")] = False
    groups: (
        Annotated[
            list[Annotated[str, Meta(extra_json_schema={"enum": [g.code for g in groups.GROUPS]})]],
            Meta(max_length=len(groups.GROUPS), description="priority groups (null: none)"),
        ]
        | None
    ) = []


class JobseekerRefuseBody(msgspec.Struct):
    """Refuse a self-service registration; ``reason`` is told to the applicant as written."""

    reason: shown(200)  # type: ignore[valid-type]


class JobseekerEndBody(msgspec.Struct):
    reason: Literal["placed", "moved_away", "withdrawn"]


class JobseekerServiceBody(msgspec.Struct):
    """A service delivered today by staff; it counts toward every open obligation that accepts it."""

    service: Literal["briefing", "guidance", "training", "traineeship", "assistance"]
    note: shown(500, optional=True) = ""  # type: ignore[valid-type]


class JobseekerCommandAccepted(msgspec.Struct):
    """The command is on Kafka; the county writer's verdict appears at ``status_url``."""

    command_id: str
    registration_id: str
    county: CountyCode
    status: Literal["accepted"]
    status_url: str
    registration_url: str


class JobseekerRegistrationAccepted(JobseekerCommandAccepted):
    person_masked: Annotated[str, Meta(description="the ID number with its middle hidden")]


class JobseekerCommandOutcome(msgspec.Struct):
    """``applied`` with the facts it produced, or ``refused`` with the rule (``already_registered``,
    ``registration_handled``, ``registration_not_confirmed``…)."""

    command_id: str
    status: Literal["applied", "refused"]
    facts: list[str]
    registration_id: str
    updated_at: Instant
    refusal: FairRefusal | msgspec.UnsetType = msgspec.UNSET


def _jobseeker_action(path: str, name: str, summary: str, body: Any) -> Operation:
    return Operation(
        "POST",
        f"/api/v1/jobseekers/{{registration_id}}/{path}",
        name,
        summary,
        role="officer",
        body=body,
        answer=JobseekerCommandAccepted,
        command=True,
        not_found=True,
        tags=("jobseekers",),
        params=(_REGISTRATION_ID,),
    )


OPERATIONS += (
    Operation(
        "POST",
        "/api/v1/jobseekers",
        "jobseekers",
        "Register a job seeker (county officer: confirmed at once; kiosk: awaiting staff)",
        role="officer",
        other_roles=("kiosk",),
        body=JobseekerBody,
        answer=JobseekerRegistrationAccepted,
        command=True,
        tags=("jobseekers",),
    ),
    Operation(
        "GET",
        "/api/v1/jobseekers",
        "jobseeker_board",
        "The county board of registered job seekers on today's local date: due today, overdue, done, awaiting",
        role="officer",
        tags=("jobseekers",),
        params=(Param("county", CountyCode, checked=True, description="only this county (an officer: their own)"),),
        description="Answer: ``{today, boards: [{county, county_zh, today, due_today, overdue, done, upcoming, "
        "awaiting}]}``; rows name the registration and the masked ID number only.",
    ),
    Operation(
        "GET",
        "/api/v1/jobseekers/{registration_id}",
        "jobseeker",
        "A registered person's page: grade, category, obligations and their history; masked ID only",
        role="officer",
        not_found=True,
        tags=("jobseekers",),
        params=(_REGISTRATION_ID,),
    ),
    _jobseeker_action("confirm", "jobseeker_confirm", "Confirm a self-service registration (officer)", EmptyBody),
    _jobseeker_action(
        "refuse", "jobseeker_refuse", "Refuse a self-service registration (officer)", JobseekerRefuseBody
    ),
    _jobseeker_action("end", "jobseeker_end", "End a registration: placed, moved away, withdrawn", JobseekerEndBody),
    _jobseeker_action(
        "services",
        "jobseeker_services",
        "Record a service delivered: briefing, guidance, training…",
        JobseekerServiceBody,
    ),
    Operation(
        "GET",
        "/api/v1/jobseeker-commands/{command_id}",
        "jobseeker_command",
        "What became of a job-seeker command: applied, or refused with the rule",
        answer=JobseekerCommandOutcome,
        not_found=True,
        tags=("jobseekers",),
        description="404 ``jobseeker_command_unknown`` until the agent has decided (a second or two).",
    ),
)


# issue 28: trust on both sides: complaints and wage disputes as cases, the staff's queue, the records
class ComplaintBody(msgspec.Struct):
    """What the worker reports after a job: 没拿到工资 ``unpaid``, 工资少了 ``underpaid``, 工作内容不符
    ``not_as_described``, 我到了但被记为未到岗 ``marked_absent``."""

    kind: Literal["unpaid", "underpaid", "not_as_described", "marked_absent"]


class CaseAnswerBody(msgspec.Struct):
    """The employer's answer, shown to staff and the worker as written."""

    answer: shown(500)  # type: ignore[valid-type]


class CaseActionBody(msgspec.Struct):
    """An officer's action: a first response, a finding (uphold / reject), or closing an upheld wage case."""

    action: Literal["respond", "uphold", "reject", "resolve"]
    note: shown(500, optional=True) = ""  # type: ignore[valid-type]


class CaseCommandAccepted(msgspec.Struct, kw_only=True):
    """The command is on Kafka; the county writer's verdict appears at ``status_url``."""

    case_id: str
    status: Literal["accepted"]
    command_id: str
    status_url: str
    case_url: str
    placement_id: str | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET


_CASE_ID = Param("case_id", str, where="path", description="a case id")


def _case_command(path: str, name: str, summary: str, role: Role, body: Any) -> Operation:
    return Operation(
        "POST",
        f"/api/v1/cases/{{case_id}}/{path}",
        name,
        summary,
        role=role,
        body=body,
        answer=CaseCommandAccepted,
        command=True,
        not_found=True,
        tags=("trust",),
        params=(_CASE_ID,),
    )


OPERATIONS += (
    Operation(
        "POST",
        "/api/v1/placements/{placement_id}/complaints",
        "placement_complaints",
        "The worker reports a problem after a job: a case in the county's staff queue",
        description="Sent by the worker's phone page (page session + X-CSRF-Token), or a kiosk of the placement's "
        "market for a worker without a phone. 409 naming the rule: a wage "
        "complaint before the scheduled end or once the worker confirmed the wage received, 'not as described' "
        "before the start, 'marked absent' unless the placement was marked a no-show. ``unpaid`` also reports "
        "the wage unpaid to the market, as ``/unpaid`` does.",
        body=ComplaintBody,
        answer=CaseCommandAccepted,
        role="kiosk",
        command=True,
        not_found=True,
        tags=("trust",),
        extra_statuses=(401, 403, 409, 429),
    ),
    Operation(
        "GET",
        "/api/v1/cases",
        "cases",
        "The county staff's queue of complaints and wage disputes: awaiting action first, with the service clock",
        role="officer",
        tags=("trust",),
        params=(Param("county", CountyCode, checked=True, description="only this county (an officer: their own)"),),
        description="Answer: ``{now, queues: [{county, county_zh, open, upheld, overdue, cases: [...]}]}``; rows "
        "name the masked ID number only.",
    ),
    Operation(
        "GET",
        "/api/v1/cases/{case_id}",
        "case",
        "A case with its evidence (the placement's steps), the employer's answer, the finding and its history",
        role="officer",
        other_roles=("employer",),
        not_found=True,
        tags=("trust",),
        params=(_CASE_ID,),
        description="Also the worker's phone page (page session) for a case about their own placement.",
    ),
    _case_command(
        "answer", "case_answer", "The employer answers a case about their placement", "employer", CaseAnswerBody
    ),
    _case_command("actions", "case_actions", "An officer of the case's county acts on it", "officer", CaseActionBody),
    Operation(
        "GET",
        "/api/v1/trust-commands/{command_id}",
        "trust_command",
        "What became of a case command: applied, or refused with the rule",
        not_found=True,
        tags=("trust",),
        description="404 ``trust_command_unknown`` until the agent has decided (a second or two).",
    ),
    Operation(
        "GET",
        "/api/v1/employers/{employer_id}/record",
        "employer_record",
        "An employer's reliability figures over 30 and 90 days, with the placements and cases behind them",
        role="employer",
        other_roles=("officer",),
        not_found=True,
        tags=("trust",),
    ),
)

OPERATIONS_BY_ROUTE = {(op.method, op.path): op for op in OPERATIONS}
OPERATIONS_BY_NAME = {op.name: op for op in OPERATIONS}


# ---------------------------------------------------------------- links: what an answer lets a client do next


def _by(field: str, *targets: str, parameter: str | None = None) -> dict[str, dict[str, Any]]:
    """Links to ``targets`` (operation names) with their path parameter taken from the answer's ``field``."""
    return {
        target: {"operationId": target, "parameters": {parameter or field: f"$response.body#/{field}"}}
        for target in targets
    }


_FAIR_ACTIONS = (
    "fair",
    "fair_publish",
    "fair_employers",
    "fair_reschedule",
    "fair_cancel",
    "fair_attendance",
    "fair_employer_attendance",
    "fair_intents",
    "fair_hires",
)

#: OpenAPI links of each operation's success answer: the ids it returns lead to the operations that take them
#: (the stateful phase of tests/integration/test_openapi_fuzz.py follows them). A command's 202 leads to the
#: commands on what it names, not to reads of it: what a command makes appears in the read models once its agent
#: has applied it (the answer's ``status_url``; 404 until then), so a read right after the 202 may not find it.
LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "checkins": _by("checkin_id", "check_out", "still_waiting"),
    "job_requests": _by("request_id", "job_request_cancel", "job_request_reopen", "job_request_headcount"),
    "fairs": _by("fair_id", *_FAIR_ACTIONS[1:]),
    "employers": {
        **_by("account_id", "account"),
        "sessions": {
            "operationId": "sessions",
            "requestBody": {"login": "$request.body#/credit_code", "password": "$request.body#/password"},
        },
    },
    "accounts": {
        **_by("account_id", "account", "account_revoke"),
        "sessions": {
            "operationId": "sessions",
            "requestBody": {"login": "$request.body#/login", "password": "$request.body#/password"},
        },
    },
    "devices": {**_by("account_id", "account", "account_revoke"), **_by("credential_id", "credential_revoke")},
    "sessions": {**_by("account_id", "account"), **_by("credential_id", "credential_revoke")},
}


# ---------------------------------------------------------------- the document

_ERRORS: dict[int, str] = {
    400: "malformed request: Idempotency-Key missing or malformed, body not JSON (or nested deeper than 32); a "
    "request head the HTTP parser cannot read (a control byte in a header) is answered by aiohttp before the "
    "gateway sees it, as plain text, and the connection closed",
    401: "missing or unknown credential",
    403: "the credential's role may not do this",
    404: "no such resource (or not yours)",
    408: "the request body did not arrive in time",
    409: "a request with this Idempotency-Key is still in flight (`idempotency_key_in_use`), or a rule of the "
    "resource's life (named as `error`), or (accounts) the login is taken",
    413: "the request body is too large",
    415: "the request body is not sent as application/json",
    422: "invalid input: every broken rule, naming the field and the rule; also an Idempotency-Key already used "
    "with another body (`idempotency_key_reused`), and a body that is not a JSON object (`body_object`)",
    429: "over a rate limit (named as the field); retry after Retry-After seconds",
    503: "Kafka or Redis is unavailable; retry after Retry-After seconds",
}


def _error_statuses(op: Operation) -> list[int]:
    statuses = {503, *op.extra_statuses}
    if op.role:
        statuses |= {401, 403, 429}
    if op.not_found:
        statuses.add(404)
    if op.command:
        statuses |= {400, 408, 409, 413, 422}
    if op.body is not None:
        statuses |= {400, 408, 413, 415, 422}
    if any(p.checked for p in op.params):
        statuses.add(422)
    return sorted(statuses)


def _parameter(param: Param, required: bool) -> dict[str, Any]:
    found = {"name": param.name, "in": param.where, "required": required}
    if param.description:
        found["description"] = param.description
    return {**found, "schema": msgspec.json.schema(param.schema)}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    in_path = {p.name: p for p in op.params if p.where == "path"}
    for segment in op.path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            params.append(_parameter(in_path.get(name, Param(name, str, where="path")), True))
    params.extend(_parameter(p, False) for p in op.params if p.where == "query")
    if op.command:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "a new random value per submission, the same on retry; the same key and body "
                "replays the first answer (header Idempotent-Replayed: true)",
                "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN.pattern},
            }
        )
    return params


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (computed once per process)."""
    structs: list[type[msgspec.Struct]] = [Problem]
    for op in OPERATIONS:
        structs.append(op.answer)
        if op.body is not None:
            structs.append(op.body)
    unique = list(dict.fromkeys(structs))
    schemas, components = msgspec.json.schema_components(unique, ref_template="#/components/schemas/{name}")
    ref = dict(zip(unique, schemas, strict=True))
    for name, choices in _ONE_OF.items():
        components[name]["oneOf"] = choices
    problem = {"application/json": {"schema": ref[Problem]}}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {
            str(op.status): {
                "description": "accepted: Kafka has the command" if op.command else "OK",
                "content": {"application/json": {"schema": ref[op.answer]}},
            }
        }
        if op.name in LINKS:
            responses[str(op.status)]["links"] = LINKS[op.name]
        for status in _error_statuses(op):
            responses[str(status)] = {"description": _ERRORS[status], "content": problem}
        entry: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "tags": list(op.tags),
            "parameters": _parameters(op),
            "responses": responses,
        }
        if op.description:
            entry["description"] = op.description
        if op.role:
            entry["security"] = [{f"{role}Token": []} for role in (op.role, *op.other_roles)]
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref[op.body]}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "零工 lingong — 六盘水零工市场与招聘会平台 API",
            "version": "1",
            "description": "Errors name the field and the rule, in Chinese then English. A request body is a JSON "
            "object sent as `application/json` (else 415, 400 or 422); fields an operation does not list are "
            "ignored. A command (answer 202) needs an Idempotency-Key: a retry with the same key and the same body "
            "(compared as JSON values, so key order and spacing do not matter) replays the first answer with "
            "`Idempotent-Replayed: true`; the same key with another body is 422 `idempotency_key_reused`; while "
            "the first is still being processed, 409 `idempotency_key_in_use`. A 202 means Kafka has the command. "
            "Times are local (Asia/Shanghai); rules a schema cannot state (ID check characters, times not yet "
            "past, one field after another) are in the descriptions. A command's 202 answer links to the commands "
            "on what it names; what it makes is readable once its agent applied it (its `status_url`). All the "
            "rules in one place: docs/api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                f"{role}Token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": f"a {role} token (only its SHA-256 is stored)",
                }
                for role in ("kiosk", "employer", "organiser", "officer", "admin")
            },
        },
    }


async def openapi_json(request: web.Request) -> web.Response:
    """``GET /api/openapi.json``."""
    return web.json_response(document())
