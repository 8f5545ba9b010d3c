"""Job fairs and the quota board: the organiser's and the officer's requests and answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from gateway.wire.common import (
    HHMM,
    CountyCode,
    CreditCode,
    Day,
    FairKind,
    IdNumber,
    Instant,
    IsoWeek,
    Month,
    QuotaRule,
    Scope,
    TradeCode,
    Wage,
    WrittenDay,
    shown,
)
from services.fairs import forms as fair_forms
from services.fairs import passes as fair_pass
from services.fairs import quotas
from services.fairs.records import Level, QuotaStatus, WageUnit

Title = Annotated[str, shown(60)]
Venue = Annotated[str, shown(100)]
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
    venue: Annotated[str, shown(100, optional=True)] | None = None


class FairCancelBody(msgspec.Struct):
    """Cancel a fair that has not been held."""

    reason: Annotated[str, shown(200, multiline=True)]


class FairPositionBody(msgspec.Struct):
    """A position at the booth; ``wage_max`` must not be below ``wage_min`` (422 ``wage_order``)."""

    trade: TradeCode
    headcount: Annotated[int, Meta(ge=1, le=fair_forms.MAX_HEADCOUNT)]
    wage_min: Wage
    wage_max: Wage
    wage_unit: WageUnit
    title: Annotated[str, shown(60, optional=True)] | None = None


class FairEmployerBody(msgspec.Struct):
    """An employer's booth and positions; registering the same ``credit_code`` again replaces them."""

    credit_code: CreditCode
    name: Annotated[str, shown(100)]
    booth: Annotated[str, shown(20)]
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


#: Bodies with a choice of fields a struct cannot state: JSON Schema added to their component (by
#: ``gateway/openapi.py``); the parser checks the choice (422 ``pass_or_id_number``).
ONE_OF: dict[str, list[dict[str, Any]]] = {
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
