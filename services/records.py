"""Every record on the wire, defined once and versioned; the gateway and the agents both import it.

Records are msgspec structs encoded as JSON with a ``type`` tag (a stable snake_case name, never a class
name) and a schema version ``v``. Decoding is strict: an unknown ``type``, a missing field or a wrong type
raises :class:`msgspec.ValidationError`, and the caller dead-letters the record with that reason.

Contract for every record: ``id`` is a UUID unique to the record (commands: the command id; events: derived
deterministically from the command that caused them, so replays produce the same ids and consumers can
deduplicate); ``at`` is an aware UTC datetime; ``market_id`` and ``county`` say where it happened.
Personal data: a worker appears only as ``worker`` (keyed pseudonym) and ``worker_masked`` (masked ID).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec

SCHEMA_VERSION = 1
_NAMESPACE = uuid.UUID("6f1b8f7e-2f5c-4a53-9d4e-1c0b7a3e9a41")


def derived_id(*parts: str) -> str:
    """A deterministic UUID from the ids that caused a record (uuid5), so a replay yields the same id."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


class Record(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=False):
    """Fields shared by every command and event."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    market_id: str
    county: str


# ---------------------------------------------------------------- commands (imperative names)


class CheckIn(Record, frozen=True, kw_only=True, tag="check_in"):
    """A worker checks in at a kiosk for today. ``id`` is also the check-in id."""

    worker: str
    worker_masked: str
    kiosk_id: str
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int  # minutes since local midnight, Asia/Shanghai
    available_until: int


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


class AnswerOffer(Record, frozen=True, kw_only=True, tag="answer_offer"):
    """The worker accepts or declines an offer."""

    offer_id: str
    checkin_id: str
    answer: Literal["accept", "decline"]


MarketCommand = CheckIn | PostJobRequest | AnswerOffer


# ---------------------------------------------------------------- events (past tense)


class Event(Record, frozen=True, kw_only=True):
    """An event answers the command ``command_id``."""

    command_id: str


class WorkerQueued(Event, frozen=True, kw_only=True, tag="worker_queued"):
    checkin_id: str
    worker: str
    worker_masked: str
    ticket_no: int
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int
    available_until: int


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
    """Nobody answered in time; the worker keeps their place in the queue, the next worker is offered."""

    offer_id: str
    request_id: str
    checkin_id: str
    worker: str


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


class JobRequestFilled(Event, frozen=True, kw_only=True, tag="job_request_filled"):
    request_id: str


class CommandRefused(Event, frozen=True, kw_only=True, tag="command_refused"):
    """The market's writer refused a command it received; ``rule`` says why (stable code)."""

    command_type: str
    subject_id: str
    rule: str
    message_zh: str
    message_en: str


MarketEvent = (
    WorkerQueued
    | JobRequestOpened
    | OfferMade
    | OfferAccepted
    | OfferDeclined
    | OfferExpired
    | PlacementStarted
    | JobRequestFilled
    | CommandRefused
)


# ---------------------------------------------------------------- registry and dead letters


class DeviceRegistered(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag="device_registered"):
    """A credential (kiosk device or employer API token) was issued; only the token's SHA-256 is kept."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    token_sha256: str
    role: Literal["kiosk", "employer"]
    subject_id: str  # kiosk id or employer id
    display_name: str
    market_id: str | None = None
    revoked: bool = False


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag="dead_letter"):
    """A record that could not be decoded or applied, kept with the reason and where it came from."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    reason: str
    source_topic: str
    source_partition: int
    source_offset: int
    key: bytes | None
    payload: bytes
    stage: Literal["decode", "apply", "project"]


_encoder = msgspec.json.Encoder()
_command_decoder: msgspec.json.Decoder[MarketCommand] = msgspec.json.Decoder(MarketCommand)
_event_decoder: msgspec.json.Decoder[MarketEvent] = msgspec.json.Decoder(MarketEvent)
_registry_decoder = msgspec.json.Decoder(DeviceRegistered)
_dead_letter_decoder = msgspec.json.Decoder(DeadLetter)


def encode(record: msgspec.Struct) -> bytes:
    """JSON bytes of any record."""
    return _encoder.encode(record)


def decode_command(data: bytes) -> MarketCommand:
    """Decode a market command; raises ``msgspec.DecodeError`` / ``ValidationError`` on bad input."""
    return _command_decoder.decode(data)


def decode_event(data: bytes) -> MarketEvent:
    """Decode a market event; raises like :func:`decode_command`."""
    return _event_decoder.decode(data)


def decode_registry(data: bytes) -> DeviceRegistered:
    return _registry_decoder.decode(data)


def decode_dead_letter(data: bytes) -> DeadLetter:
    return _dead_letter_decoder.decode(data)
