"""Rate limits of the gateway: sign-in throttling and per-kiosk, per-account and per-address request limits.

A refused request is answered ``429`` with ``Retry-After`` and a problem naming the limit (as the field) and
the rule ``rate_limited``, in Chinese and English. The counters live in Redis (:mod:`services.adapters.ratelimit`).
"""

from __future__ import annotations

from aiohttp import web

from gateway.problems import ApiError
from gateway.typedefs import RATE_LIMITER, SETTINGS
from services.ratelimit import limits


def client_address(request: web.Request) -> str:
    """The peer address of the connection (a proxy's forwarded headers are not trusted here)."""
    return request.remote or "unknown"


async def enforce(request: web.Request, name: str, subject: str) -> None:
    """Count this request against limit ``name`` for ``subject``; 429 once over the limit."""
    limit = limits(request.app[SETTINGS])[name]
    found = await request.app[RATE_LIMITER].hit(limit, subject)
    if not found.allowed:
        raise ApiError(
            429,
            "rate_limited",
            found.message_zh(),
            found.message_en(),
            field=limit.name,
            headers={"Retry-After": str(found.retry_after)},
        )
