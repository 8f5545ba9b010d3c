"""Every case record on the wire, defined once and versioned: ``trust-commands`` and ``trust-events``.

Same conventions as :mod:`services.records`: msgspec structs encoded as JSON with a ``type`` tag (stable
snake_case) and a schema version ``v``; strict decoding (the agent dead-letters what does not decode). ``id`` is
the command id, or for a fact derived from the command that caused it; ``at`` is an aware UTC instant; ``county``
is the county whose staff handle the case (the partition key: one writer per county's queue).

A worker appears only as ``worker`` (keyed pseudonym) and ``worker_masked`` (masked ID); never an ID number.
A case's id derives from its placement and kind (:func:`case_id`): a second report of the same thing is the same
case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from services.records import SCHEMA_VERSION, derived_id

#: What a worker reports after a job: 没拿到工资, 工资少了, 工作内容不符, 我到了但被记为未到岗.
CaseKind = Literal["unpaid", "underpaid", "not_as_described", "marked_absent"]
CASE_KINDS: tuple[CaseKind, ...] = ("unpaid", "underpaid", "not_as_described", "marked_absent")
#: The kinds about the wage: upheld and not yet resolved, they stop the employer from posting.
WAGE_KINDS: tuple[CaseKind, ...] = ("unpaid", "underpaid")
KIND_ZH: dict[str, str] = {
    "unpaid": "没拿到工资",
    "underpaid": "工资少了",
    "not_as_described": "工作内容不符",
    "marked_absent": "我到了但被记为未到岗",
}
KIND_EN: dict[str, str] = {
    "unpaid": "wage not paid",
    "underpaid": "wage paid short",
    "not_as_described": "work not as described",
    "marked_absent": "I was there but was marked absent",
}
#: open: awaiting staff; upheld: staff found for the worker, the matter is not settled yet; resolved: closed.
CaseState = Literal["open", "upheld", "resolved"]
Finding = Literal["upheld", "rejected"]
#: What staff do with a case: a first response (the service clock stops), a finding, or closing an upheld case.
StaffAction = Literal["respond", "uphold", "reject", "resolve"]


def case_id(placement_id: str, kind: str) -> str:
    """The case of ``kind`` about ``placement_id`` (one per placement and kind)."""
    return derived_id("case", placement_id, kind)


class TrustRecord(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=False):
    """Fields shared by every case command and event."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    county: str


class StepEvidence(msgspec.Struct, frozen=True, kw_only=True):
    """A step of the placement as recorded (the evidence both sides and staff see): the step and when (UTC)."""

    step: str
    at: str


class PlacementFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The placement a case is about, as the platform recorded it when the case was opened."""

    placement_id: str
    market_id: str
    request_id: str
    checkin_id: str
    worker: str
    worker_masked: str
    employer_id: str
    employer_name: str
    trade: str
    day_wage: int
    day: str  # local date of the job
    start: int  # minutes since local midnight
    hours: int
    steps: tuple[StepEvidence, ...] = ()
    cancelled: str = ""


# ---------------------------------------------------------------- commands


class OpenCase(TrustRecord, frozen=True, kw_only=True, tag="open_case"):
    """The worker reports ``kind`` about a placement (phone page or kiosk, two taps)."""

    kind: CaseKind
    placement: PlacementFacts


class AnswerCase(TrustRecord, frozen=True, kw_only=True, tag="answer_case"):
    """The employer's answer to a case about one of their placements."""

    case_id: str
    employer_id: str
    answer: str


class ActOnCase(TrustRecord, frozen=True, kw_only=True, tag="act_on_case"):
    """A county officer acts on a case of their county: respond, uphold, reject, or resolve (close an upheld case)."""

    case_id: str
    officer_id: str
    action: StaffAction
    note: str = ""


class Tick(TrustRecord, frozen=True, kw_only=True, tag="tick"):
    """The county's service clock: first responses that fall due are marked overdue."""


TrustCommand = OpenCase | AnswerCase | ActOnCase | Tick


# ---------------------------------------------------------------- events


class TrustEvent(TrustRecord, frozen=True, kw_only=True):
    """An event answers the command ``command_id`` and is about the case ``case_id``."""

    command_id: str
    case_id: str


class CaseOpened(TrustEvent, frozen=True, kw_only=True, tag="case_opened"):
    """A case in the county's queue; staff owe a first response by ``first_response_due``."""

    kind: CaseKind
    placement: PlacementFacts
    #: The end of the N-th working day after the day it was opened; ``None`` when the working-day calendar does
    #: not cover that year yet (never guessed: see :mod:`services.workdays`).
    first_response_due: datetime | None


class CaseAnswered(TrustEvent, frozen=True, kw_only=True, tag="case_answered"):
    placement_id: str
    employer_id: str
    answer: str


class CaseResponded(TrustEvent, frozen=True, kw_only=True, tag="case_responded"):
    """Staff's first response; ``late`` when it came after the due time."""

    placement_id: str
    officer_id: str
    note: str
    late: bool = False


class CaseFound(TrustEvent, frozen=True, kw_only=True, tag="case_found"):
    """Staff's finding. Upheld, it corrects the reliability records (:mod:`services.trust.figures`): a no-show
    overturned, or a dispute upheld against the employer."""

    placement_id: str
    kind: CaseKind
    worker: str
    employer_id: str
    finding: Finding
    officer_id: str
    note: str
    state: CaseState
    #: The worker's check-in of the placement: their ticket shows the case's new state.
    checkin_id: str = ""


class CaseResolved(TrustEvent, frozen=True, kw_only=True, tag="case_resolved"):
    """An upheld case is settled (e.g. the employer paid): it stops blocking the employer."""

    placement_id: str
    kind: CaseKind
    employer_id: str
    officer_id: str
    note: str
    checkin_id: str = ""


class CaseOverdue(TrustEvent, frozen=True, kw_only=True, tag="case_overdue"):
    """The first response was due at ``due`` and none came."""

    placement_id: str
    due: datetime


class CaseRefused(TrustEvent, frozen=True, kw_only=True, tag="case_refused"):
    """The county's writer refused a command; ``rule`` says why (stable code)."""

    command_type: str
    rule: str
    message_zh: str
    message_en: str


TrustEventT = CaseOpened | CaseAnswered | CaseResponded | CaseFound | CaseResolved | CaseOverdue | CaseRefused

_encoder = msgspec.json.Encoder()
_command_decoder: msgspec.json.Decoder[TrustCommand] = msgspec.json.Decoder(TrustCommand)
_event_decoder: msgspec.json.Decoder[TrustEventT] = msgspec.json.Decoder(TrustEventT)


def encode(record: msgspec.Struct) -> bytes:
    return _encoder.encode(record)


def decode_command(data: bytes) -> TrustCommand:
    return _command_decoder.decode(data)


def decode_event(data: bytes) -> TrustEventT:
    return _event_decoder.decode(data)
