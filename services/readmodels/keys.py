"""Redis key names of the read models, in one place. ``prefix`` isolates stacks sharing one Redis."""

from __future__ import annotations


def ticket(prefix: str, checkin_id: str) -> str:
    return f"{prefix}ticket:{checkin_id}"


def offer(prefix: str, offer_id: str) -> str:
    return f"{prefix}offer:{offer_id}"


def job_request(prefix: str, request_id: str) -> str:
    return f"{prefix}request:{request_id}"


def employer_requests(prefix: str, employer_id: str) -> str:
    """An employer's requests of the last days ("我的用工", issue 24): ids and dates, newest first."""
    return f"{prefix}employer-requests:{employer_id}"


def placement(prefix: str, placement_id: str) -> str:
    return f"{prefix}placement:{placement_id}"


def credential(prefix: str, token_sha256: str) -> str:
    return f"{prefix}auth:token:{token_sha256}"


def account(prefix: str, account_id: str) -> str:
    """An account: role, county, password hash, masks; projected from the registry topic."""
    return f"{prefix}auth:account:{account_id}"


def revoked_token(prefix: str, token_sha256: str) -> str:
    """Set by the gateway the moment a token is revoked, before the projector has caught up."""
    return f"{prefix}auth:revoked:token:{token_sha256}"


def revoked_account(prefix: str, account_id: str) -> str:
    """Set by the gateway the moment an account is revoked, before the projector has caught up."""
    return f"{prefix}auth:revoked:account:{account_id}"


def login_claim(prefix: str, login_key: str) -> str:
    """Claimed (SET NX) by the registration that takes a login, so two cannot take it at once."""
    return f"{prefix}auth:login:{login_key}"


def rate_limit(prefix: str, limit: str, subject: str) -> str:
    """The counter of one rate limit for one subject (kiosk, account, client address)."""
    return f"{prefix}ratelimit:{limit}:{subject}"


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


def checkin_of(prefix: str, market_id: str, worker: str) -> str:
    """The worker's latest check-in at ``market_id`` (by keyed pseudonym): the kiosk's "查看我的登记" lookup."""
    return f"{prefix}checkin-of:{market_id}:{worker}"


def waiting(prefix: str, market_id: str) -> str:
    """A hash of the market's checked-in workers (field: check-in id): ticket, tier, trades, waiting or not."""
    return f"{prefix}waiting:{market_id}"


def hall(prefix: str, market_id: str) -> str:
    """A hash of the market's open offers (field: offer id) as the hall television shows them: numbers only."""
    return f"{prefix}hall:{market_id}"
