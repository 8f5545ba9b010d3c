"""Every job-seeker record on the wire, defined once and versioned: ``jobseeker-commands`` and ``jobseeker-events``.

Same conventions as :mod:`services.records` and :mod:`services.fairs.records`: msgspec structs encoded as JSON with
a ``type`` tag (stable snake_case) and a schema version ``v``; strict decoding (the agent dead-letters what does not
decode). ``id`` is the command id, or for a fact derived from the command that caused it; ``at`` is an aware UTC
instant; ``county`` is the county that keeps the registration (a county code, the partition key).

A person appears only as ``person`` (the keyed pseudonym of the ID number, the same as at the gig market) and
``person_masked`` (the masked ID number): the raw ID number never leaves the gateway.

Dates that are days of the plan (registration date, deadlines, the day of a delivery) are local Asia/Shanghai
dates. A registration's id equals the id of the command that registered it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from services.records import SCHEMA_VERSION

#: 失业登记 (registered unemployed) or 求职登记 (job seeking, e.g. past the registration age, or employed).
Kind = Literal["unemployed", "job_seeking"]
#: Where the registration came from: self-service (kiosk, phone), awaiting staff; or entered by county staff.
Channel = Literal["kiosk", "phone", "staff"]
Grade = Literal["short", "mid_short", "mid_long", "long"]
Category = Literal["basic_skills", "lacks_basic_skills", "employment_difficulty"]
#: A service delivered to a person. Staff record briefing, guidance, training, traineeship and assistance; the
#: platform records a recommendation when the person saw it.
Service = Literal["briefing", "recommendation", "guidance", "training", "traineeship", "assistance"]
StaffService = Literal["briefing", "guidance", "training", "traineeship", "assistance"]
#: The programme an obligation belongs to: "1311" (附件4 (十五), 附件1 (十六)) or the grade's (附件3 (六) 2).
Programme = Literal["1311", "short", "mid_short", "mid_long", "long"]
EndReason = Literal["placed", "moved_away", "withdrawn"]
SeenChannel = Literal["kiosk", "phone", "staff_phone"]


class JobseekerRecord(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=False):
    """Fields shared by every job-seeker command and event."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    county: str


# ---------------------------------------------------------------- commands (imperative names)


class RegisterJobseeker(JobseekerRecord, frozen=True, kw_only=True, tag="register_jobseeker"):
    """A person registers (self-service, awaiting staff) or staff enter a registration (confirmed at once).

    ``registered_on`` is the registration date the grade counts from: the local date of ``at`` for self-service;
    staff may enter an earlier date from a paper ledger. ``officer_id`` is set exactly when ``channel`` is staff.
    """

    person: str
    person_masked: str
    kind: Kind
    channel: Channel
    officer_id: str | None = None
    registered_on: date
    trades: tuple[str, ...] = ()
    category: Category
    willing_elsewhere: bool = False
    graduate: bool = False
    groups: tuple[str, ...] = ()
    #: The lowest day wage the person asks (yuan); ``None``: not said. Recommendations pay at least this.
    min_day_wage: int | None = None


class ConfirmRegistration(JobseekerRecord, frozen=True, kw_only=True, tag="confirm_registration"):
    registration_id: str
    officer_id: str


class RefuseRegistration(JobseekerRecord, frozen=True, kw_only=True, tag="refuse_registration"):
    """Staff refuse a self-service registration; ``reason`` is told to the applicant as written."""

    registration_id: str
    officer_id: str
    reason: str


class EndRegistration(JobseekerRecord, frozen=True, kw_only=True, tag="end_registration"):
    registration_id: str
    officer_id: str
    reason: EndReason


class RecordService(JobseekerRecord, frozen=True, kw_only=True, tag="record_service"):
    """Staff record a service delivered to a registered person on the local date of ``at``."""

    registration_id: str
    officer_id: str
    service: StaffService
    note: str = ""


class RecordRecommendationSeen(JobseekerRecord, frozen=True, kw_only=True, tag="record_recommendation_seen"):
    """The person saw a job recommendation (or staff told it by phone); the same ``job_ref`` counts once."""

    registration_id: str
    job_ref: str
    channel: SeenChannel


class Tick(JobseekerRecord, frozen=True, kw_only=True, tag="jobseeker_tick"):
    """The clock as a command: grade crossings at local midnight, handling and obligation deadlines lapsing."""


JobseekerCommand = (
    RegisterJobseeker
    | ConfirmRegistration
    | RefuseRegistration
    | EndRegistration
    | RecordService
    | RecordRecommendationSeen
    | Tick
)


# ---------------------------------------------------------------- events (past tense)


class JobseekerFact(JobseekerRecord, frozen=True, kw_only=True):
    """An event answers the command ``command_id``; ``registration_id`` names the registration it is about."""

    command_id: str
    registration_id: str


class RegistrationApplied(JobseekerFact, frozen=True, kw_only=True, tag="registration_applied"):
    """A self-service registration awaits staff; ``handling_due`` is the last day to handle it (None: pending)."""

    person: str
    person_masked: str
    kind: Kind
    channel: Channel
    registered_on: date
    trades: tuple[str, ...]
    category: Category
    willing_elsewhere: bool
    graduate: bool
    groups: tuple[str, ...]
    handling_due: date | None
    min_day_wage: int | None = None


class RegistrationConfirmed(JobseekerFact, frozen=True, kw_only=True, tag="registration_confirmed"):
    """The registration stands from ``confirmed_on``; ``message_*`` is what the person is told.

    A staff-entered registration has no :class:`RegistrationApplied` before it, so this carries the person too.
    ``on_time`` says whether it was handled by ``handling_due`` (always true for staff entries).
    """

    officer_id: str
    person: str
    person_masked: str
    kind: Kind
    channel: Channel
    registered_on: date
    trades: tuple[str, ...]
    category: Category
    willing_elsewhere: bool
    graduate: bool
    groups: tuple[str, ...]
    confirmed_on: date
    grade: Grade | None
    on_time: bool
    message_zh: str
    message_en: str
    min_day_wage: int | None = None


class RegistrationRefused(JobseekerFact, frozen=True, kw_only=True, tag="registration_refused"):
    officer_id: str
    person: str
    reason: str
    on_time: bool
    message_zh: str
    message_en: str


class RegistrationHandlingOverdue(JobseekerFact, frozen=True, kw_only=True, tag="registration_handling_overdue"):
    """A self-service registration was still unhandled at the end of ``handling_due``."""

    person_masked: str
    handling_due: date


class RegistrationEnded(JobseekerFact, frozen=True, kw_only=True, tag="registration_ended"):
    officer_id: str
    person: str
    reason: EndReason
    ended_on: date


class ObligationOpened(JobseekerFact, frozen=True, kw_only=True, tag="obligation_opened"):
    """The person is owed ``required`` deliveries of one of ``accepts`` by the end of ``due`` (None: pending)."""

    obligation_id: str
    programme: Programme
    service: Service
    accepts: tuple[Service, ...]
    required: int
    opened_on: date
    due: date | None


class ObligationDeadlineSet(JobseekerFact, frozen=True, kw_only=True, tag="obligation_deadline_set"):
    """A pending deadline became known (the calendar now covers its year)."""

    obligation_id: str
    due: date


class ServiceDelivered(JobseekerFact, frozen=True, kw_only=True, tag="service_delivered"):
    """A delivery, counted toward ``counted_for`` (the open obligations it advanced; may be empty)."""

    service: Service
    delivered_on: date
    officer_id: str | None
    job_ref: str | None
    channel: str
    counted_for: tuple[str, ...]


class ObligationMet(JobseekerFact, frozen=True, kw_only=True, tag="obligation_met"):
    obligation_id: str
    met_on: date
    on_time: bool


class ObligationOverdue(JobseekerFact, frozen=True, kw_only=True, tag="obligation_overdue"):
    """The obligation was unmet at the end of ``due``; ``delivered`` of ``required`` had been delivered."""

    obligation_id: str
    due: date
    delivered: int
    required: int


class ObligationClosed(JobseekerFact, frozen=True, kw_only=True, tag="obligation_closed"):
    """An unmet obligation no longer owed because its registration ended."""

    obligation_id: str


class GradeCrossed(JobseekerFact, frozen=True, kw_only=True, tag="grade_crossed"):
    """At local midnight starting ``on`` the person entered the grade ``grade`` (from ``previous``)."""

    previous: Grade
    grade: Grade
    on: date


class JobseekerCommandRefused(JobseekerFact, frozen=True, kw_only=True, tag="jobseeker_command_refused"):
    """The county's writer refused a command; ``rule`` says why (stable code), zh then en."""

    command_type: str
    rule: str
    message_zh: str
    message_en: str


JobseekerEvent = (
    RegistrationApplied
    | RegistrationConfirmed
    | RegistrationRefused
    | RegistrationHandlingOverdue
    | RegistrationEnded
    | ObligationOpened
    | ObligationDeadlineSet
    | ServiceDelivered
    | ObligationMet
    | ObligationOverdue
    | ObligationClosed
    | GradeCrossed
    | JobseekerCommandRefused
)


_encoder = msgspec.json.Encoder()
_command_decoder: msgspec.json.Decoder[JobseekerCommand] = msgspec.json.Decoder(JobseekerCommand)
_event_decoder: msgspec.json.Decoder[JobseekerEvent] = msgspec.json.Decoder(JobseekerEvent)


def encode(record: msgspec.Struct) -> bytes:
    """JSON bytes of any record."""
    return _encoder.encode(record)


def decode_command(data: bytes) -> JobseekerCommand:
    """Decode a job-seeker command; raises ``msgspec.DecodeError`` / ``ValidationError`` on bad input."""
    return _command_decoder.decode(data)


def decode_event(data: bytes) -> JobseekerEvent:
    """Decode a job-seeker event; raises like :func:`decode_command`."""
    return _event_decoder.decode(data)


def tag_of(record: msgspec.Struct) -> str:
    """The ``type`` tag of a record, as on the wire."""
    return str(type(record).__struct_config__.tag)
