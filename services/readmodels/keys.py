"""Redis key names of the read models, in one place. ``prefix`` isolates stacks sharing one Redis."""

from __future__ import annotations


def ticket(prefix: str, checkin_id: str) -> str:
    return f"{prefix}ticket:{checkin_id}"


def offer(prefix: str, offer_id: str) -> str:
    return f"{prefix}offer:{offer_id}"


def job_request(prefix: str, request_id: str) -> str:
    return f"{prefix}request:{request_id}"


def placement(prefix: str, placement_id: str) -> str:
    return f"{prefix}placement:{placement_id}"


def credential(prefix: str, token_sha256: str) -> str:
    return f"{prefix}auth:token:{token_sha256}"


def page_session(prefix: str, session_sha256: str) -> str:
    """A page session, named by the SHA-256 of its cookie value (see gateway/sessions.py)."""
    return f"{prefix}session:{session_sha256}"


def projector_offset(prefix: str, topic: str, partition: int) -> str:
    return f"{prefix}projector:offset:{topic}:{partition}"


def idempotency(prefix: str, principal: str, key: str) -> str:
    return f"{prefix}idem:{principal}:{key}"


def changes_channel(prefix: str, view_key: str) -> str:
    """Pub/sub channel announcing that ``view_key`` changed (for live pages)."""
    return f"{prefix}changed:{view_key}"
