"""The record envelope every topic shares, defined once and versioned: the base of commands and events, the
deterministic ids of facts, dead letters, the audit of personal data shown, and the JSON codec.

Records are msgspec structs encoded as JSON with a ``type`` tag (a stable snake_case name, never a class
name) and a schema version ``v``. Decoding is strict: an unknown ``type``, a missing field or a wrong type
raises :class:`msgspec.ValidationError`, and the caller dead-letters the record with that reason.

Contract for every record: ``id`` is a UUID unique to the record (commands: the command id; events: derived
deterministically from the command that caused them, so replays produce the same ids and consumers can
deduplicate); ``at`` is an aware UTC datetime; ``market_id`` and ``county`` say where it happened.
Personal data: a worker appears only as ``worker`` (keyed pseudonym) and ``worker_masked`` (masked ID).

Each domain keeps its own records beside its decision: ``services.market.records`` (the market's and the
roster's), ``services.fairs.records``, ``services.jobseekers.records``, ``services.people.records`` (the registry).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Literal

import msgspec

SCHEMA_VERSION = 1
_NAMESPACE = uuid.UUID("6f1b8f7e-2f5c-4a53-9d4e-1c0b7a3e9a41")
_NAMESPACE_BYTES = _NAMESPACE.bytes


def derived_id(*parts: str) -> str:
    """A deterministic UUID from the ids that caused a record (uuid5), so a replay yields the same id.

    ``str(uuid.uuid5(_NAMESPACE, "/".join(parts)))``, written out: the SHA-1 of the namespace and the name, its
    version and variant bits set, in the 8-4-4-4-12 form; without building a :class:`uuid.UUID` (a third of the
    time, on the stream worker's path for every fact)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join(parts).encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Record(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=False):
    """Fields shared by every command and event."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    market_id: str
    county: str


# ---------------------------------------------------------------- events (past tense)


class Event(Record, frozen=True, kw_only=True):
    """An event answers the command ``command_id``."""

    command_id: str


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


class PersonalDataRevealed(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag="personal_data_revealed"):
    """A staff member was shown a person's (masked) personal data; the ``audit`` topic keeps every such record.

    ``subject`` is the person's pseudonym (worker or phone pseudonym), ``fields`` what was shown.
    """

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    actor_role: str
    actor_id: str
    action: str
    subject: str
    fields: tuple[str, ...]
    county: str | None = None
    market_id: str | None = None


_encoder = msgspec.json.Encoder()
_dead_letter_decoder = msgspec.json.Decoder(DeadLetter)
_audit_decoder = msgspec.json.Decoder(PersonalDataRevealed)


def encode(record: msgspec.Struct) -> bytes:
    """JSON bytes of any record."""
    return _encoder.encode(record)


def decode_audit(data: bytes) -> PersonalDataRevealed:
    return _audit_decoder.decode(data)


def decode_dead_letter(data: bytes) -> DeadLetter:
    return _dead_letter_decoder.decode(data)
