"""Rate limits of the gateway: sign-in throttling and per-kiosk, per-account and per-address request limits.

A refused request is answered ``429`` with ``Retry-After`` and a problem naming the limit (as the field) and
the rule ``rate_limited``, in Chinese and English. The counters live in Redis (:mod:`services.adapters.ratelimit`).
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from gateway.problems import ApiError
from gateway.typedefs import RATE_LIMITER, SETTINGS
from services.ratelimit import Limit, Verdict, limits
from services.settings import Settings


def client_address(request: web.Request) -> str:
    """The peer address of the connection (a proxy's forwarded headers are not trusted here)."""
    return request.remote or "unknown"


_limits_of: list[tuple[Settings, Mapping[str, Limit]]] = []  # the last settings object seen and its limits


def limit_named(request: web.Request, name: str) -> Limit:
    """The limit ``name`` of the app's settings (the table is built once per settings object)."""
    settings = request.app[SETTINGS]
    if not _limits_of or _limits_of[0][0] is not settings:
        _limits_of[:] = [(settings, limits(settings))]
    return _limits_of[0][1][name]


async def enforce(request: web.Request, name: str, subject: str) -> None:
    """Count this request against limit ``name`` for ``subject``; 429 once over the limit."""
    limit = limit_named(request, name)
    refuse_over_limit(await request.app[RATE_LIMITER].hit(limit, subject))


def refuse_over_limit(found: Verdict) -> None:
    """429 naming the limit when ``found`` is over it."""
    limit = found.limit
    if not found.allowed:
        raise ApiError(
            429,
            "rate_limited",
            found.message_zh(),
            found.message_en(),
            field=limit.name,
            headers={"Retry-After": str(found.retry_after)},
        )
