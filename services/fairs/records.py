"""Every job-fair record on the wire, defined once and versioned: ``fair-commands`` and ``fair-events``.

Same conventions as :mod:`services.records`: msgspec structs encoded as JSON with a ``type`` tag (stable
snake_case, never a class name) and a schema version ``v``; strict decoding (an unknown ``type``, a missing
field or a wrong type raises :class:`msgspec.ValidationError` and the agent dead-letters the record).

Contract for every record: ``id`` is a UUID unique to the record (commands: the command id; events: derived
from the command that caused them, so replays yield the same ids); ``at`` is an aware UTC datetime;
``county`` is the *quota scope* and the partition key: a county code (``"zhongshan"``) for county-level
fairs, ``"city"`` for city-level fairs (市本级), whose hall is in ``venue_county``. A worker appears only as
``worker`` (keyed pseudonym, the same as at the gig market) and ``worker_masked``; an employer is its
unified social credit code, which is public business data, not personal data.

A hire at a fair is a placement: :class:`FairPlacementStarted` carries the fields of
:class:`services.records.PlacementStarted` that reporting reads (``placement_id``, ``worker``,
``employer_id``, ``trade``, a day wage when the wage is daily); :mod:`services.reports.placements` reads both as one
stream, counted once per ``placement_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from services.records import SCHEMA_VERSION

Level = Literal["city", "county"]
WageUnit = Literal["day", "month"]
QuotaStatus = Literal["met", "on_track", "at_risk", "missed"]


class FairPosition(msgspec.Struct, frozen=True, kw_only=True):
    """A position an employer offers at its booth: a catalogue trade, a headcount and a wage range."""

    trade: str
    title: str = ""
    headcount: int
    wage_min: int
    wage_max: int
    wage_unit: WageUnit


class QuotaPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """What a scope is held to beyond the fixed quotas: the early-warning moment and the weekly targets.

    The early warning of a week fires at ``warn_weekday`` (ISO, 1 = Monday) ``warn_hour`` local time; that
    of a month on day ``warn_month_day`` (the month's last day if shorter) at ``warn_hour``. Targets are per
    county and ISO week: attendees, employers attending, positions offered (headcount) and hires.
    """

    warn_weekday: int = 3
    warn_hour: int = 12
    warn_month_day: int = 15
    target_attendees: int = 200
    target_employers: int = 20
    target_positions: int = 150
    target_hires: int = 20


class FairRecord(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=False):
    """Fields shared by every fair command and event."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    county: str


# ---------------------------------------------------------------- commands (imperative names)


class ScheduleFair(FairRecord, frozen=True, kw_only=True, tag="schedule_fair"):
    """An organiser schedules a fair. ``fair_id`` equals the command id."""

    fair_id: str
    organiser_id: str
    level: Level
    kind: str
    title: str
    venue: str
    venue_county: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


class RegisterFairEmployer(FairRecord, frozen=True, kw_only=True, tag="register_fair_employer"):
    """An employer takes a booth at a fair; registering again replaces its booth and positions."""

    fair_id: str
    employer_id: str  # the unified social credit code
    employer_name: str
    booth: str
    positions: tuple[FairPosition, ...]


class PublishFair(FairRecord, frozen=True, kw_only=True, tag="publish_fair"):
    fair_id: str


class RescheduleFair(FairRecord, frozen=True, kw_only=True, tag="reschedule_fair"):
    fair_id: str
    starts_at: datetime
    ends_at: datetime
    venue: str | None = None


class CancelFair(FairRecord, frozen=True, kw_only=True, tag="cancel_fair"):
    fair_id: str
    reason: str


class RecordAttendance(FairRecord, frozen=True, kw_only=True, tag="record_attendance"):
    """A job seeker arrived at the fair (identified like at the gig market: ID number → pseudonym)."""

    fair_id: str
    worker: str
    worker_masked: str


class RecordEmployerAttendance(FairRecord, frozen=True, kw_only=True, tag="record_employer_attendance"):
    fair_id: str
    employer_id: str


class RecordIntent(FairRecord, frozen=True, kw_only=True, tag="record_intent"):
    """A job seeker and an employer reached an intention to hire (达成意向)."""

    fair_id: str
    worker: str
    worker_masked: str
    employer_id: str
    trade: str


class RecordHire(FairRecord, frozen=True, kw_only=True, tag="record_hire"):
    """An employer hired a job seeker met at the fair: a placement."""

    fair_id: str
    worker: str
    worker_masked: str
    employer_id: str
    trade: str
    wage: int
    wage_unit: WageUnit


class SetQuotaPolicy(FairRecord, frozen=True, kw_only=True, tag="set_quota_policy"):
    """County or city staff set the scope's early-warning moment and weekly targets."""

    officer_id: str
    policy: QuotaPolicy


class Tick(FairRecord, frozen=True, kw_only=True, tag="fair_tick"):
    """The clock, as a command: the timer sends one per scope so that at-risk, missed and early-warning
    transitions happen without other traffic, decided by the same single writer as everything else."""


FairCommand = (
    ScheduleFair
    | RegisterFairEmployer
    | PublishFair
    | RescheduleFair
    | CancelFair
    | RecordAttendance
    | RecordEmployerAttendance
    | RecordIntent
    | RecordHire
    | SetQuotaPolicy
    | Tick
)


# ---------------------------------------------------------------- events (past tense)


class FairFact(FairRecord, frozen=True, kw_only=True):
    """An event answers the command ``command_id``."""

    command_id: str


class FairScheduled(FairFact, frozen=True, kw_only=True, tag="fair_scheduled"):
    fair_id: str
    organiser_id: str
    level: Level
    kind: str
    title: str
    venue: str
    venue_county: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


class FairEmployerRegistered(FairFact, frozen=True, kw_only=True, tag="fair_employer_registered"):
    """``employers`` and ``positions_total`` are the fair's totals after this registration."""

    fair_id: str
    employer_id: str
    employer_name: str
    booth: str
    positions: tuple[FairPosition, ...]
    employers: int
    positions_total: int


class FairPublished(FairFact, frozen=True, kw_only=True, tag="fair_published"):
    fair_id: str


class FairRescheduled(FairFact, frozen=True, kw_only=True, tag="fair_rescheduled"):
    fair_id: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    previous_starts_at: datetime
    previous_ends_at: datetime


class FairCancelled(FairFact, frozen=True, kw_only=True, tag="fair_cancelled"):
    fair_id: str
    reason: str


class FairHeld(FairFact, frozen=True, kw_only=True, tag="fair_held"):
    """The first attendance was recorded: from now on the fair counts toward its quota."""

    fair_id: str


class AttendanceRecorded(FairFact, frozen=True, kw_only=True, tag="attendance_recorded"):
    """A person's first attendance at a fair; ``attendees`` is the fair's count including them."""

    fair_id: str
    worker: str
    worker_masked: str
    attendees: int


class EmployerAttended(FairFact, frozen=True, kw_only=True, tag="employer_attended"):
    fair_id: str
    employer_id: str
    employers_attended: int


class IntentRecorded(FairFact, frozen=True, kw_only=True, tag="intent_recorded"):
    fair_id: str
    intent_id: str
    worker: str
    worker_masked: str
    employer_id: str
    trade: str
    intents: int


class FairPlacementStarted(FairFact, frozen=True, kw_only=True, tag="fair_placement_started"):
    """A hire at a fair: a placement, counted once per ``placement_id`` together with the gig market's
    ``placement_started`` (see :mod:`services.reports.placements`). ``day_wage`` is set when the wage is daily."""

    placement_id: str
    fair_id: str
    venue_county: str
    worker: str
    worker_masked: str
    employer_id: str
    trade: str
    wage: int
    wage_unit: WageUnit
    day_wage: int | None
    hires: int


class FairCommandRefused(FairFact, frozen=True, kw_only=True, tag="fair_command_refused"):
    """The scope's writer refused a command; ``rule`` says why (stable code), zh then en."""

    command_type: str
    fair_id: str | None
    rule: str
    message_zh: str
    message_en: str


class QuotaPolicySet(FairFact, frozen=True, kw_only=True, tag="quota_policy_set"):
    officer_id: str
    policy: QuotaPolicy


class QuotaStatusChanged(FairFact, frozen=True, kw_only=True, tag="quota_status_changed"):
    """A quota period's status changed (``previous`` is ``None`` the first time it is evaluated)."""

    rule: str
    period: str
    period_start: datetime
    period_end: datetime
    status: QuotaStatus
    previous: QuotaStatus | None
    held: int
    pending: int
    target: int


class QuotaEarlyWarning(FairFact, frozen=True, kw_only=True, tag="quota_early_warning"):
    """At the scope's warning moment the period was still at risk. Fires at most once per period."""

    rule: str
    period: str
    warn_at: datetime
    held: int
    pending: int
    target: int


FairEvent = (
    FairScheduled
    | FairEmployerRegistered
    | FairPublished
    | FairRescheduled
    | FairCancelled
    | FairHeld
    | AttendanceRecorded
    | EmployerAttended
    | IntentRecorded
    | FairPlacementStarted
    | FairCommandRefused
    | QuotaPolicySet
    | QuotaStatusChanged
    | QuotaEarlyWarning
)


_encoder = msgspec.json.Encoder()
_command_decoder: msgspec.json.Decoder[FairCommand] = msgspec.json.Decoder(FairCommand)
_event_decoder: msgspec.json.Decoder[FairEvent] = msgspec.json.Decoder(FairEvent)


def encode(record: msgspec.Struct) -> bytes:
    """JSON bytes of any record."""
    return _encoder.encode(record)


def decode_command(data: bytes) -> FairCommand:
    """Decode a fair command; raises ``msgspec.DecodeError`` / ``ValidationError`` on bad input."""
    return _command_decoder.decode(data)


def decode_event(data: bytes) -> FairEvent:
    """Decode a fair event; raises like :func:`decode_command`."""
    return _event_decoder.decode(data)


def tag_of(record: msgspec.Struct) -> str:
    """The ``type`` tag of a record, as on the wire."""
    return str(type(record).__struct_config__.tag)
