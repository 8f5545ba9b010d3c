"""The application factory: ``create_app(settings)``; tests pass overrides for the clock."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp_jinja2
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.admission import Admission
from gateway.idempotency import IdempotencyStore
from gateway.metrics import GatewayMetrics
from gateway.metrics import middleware as metrics_middleware
from gateway.middlewares import (
    error_middleware,
    json_body_middleware,
    request_limits_middleware,
    security_headers_middleware,
)
from gateway.publisher import Publisher
from gateway.redis_batch import RedisBatch
from gateway.routes import setup_routes
from gateway.typedefs import (
    ADMISSION,
    CLOCK,
    DEDUPLICATE,
    IDEMPOTENCY,
    METRICS,
    PUBLISHER,
    RATE_LIMITER,
    REDIS,
    SETTINGS,
    Clock,
)
from services.adapters.ratelimit import RateLimiter
from services.screening.postings import Policy
from services.settings import Settings
from web import i18n, pages

log = logging.getLogger("lingong.gateway")

#: Redis connections per gateway process (each request holds one only for the duration of one command).
REDIS_POOL_SIZE = 128


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings, *, clock: Clock | None = None, deduplicate: bool = True) -> web.Application:
    """A ready-to-run gateway. Kafka and Redis are connected in cleanup contexts when the app starts.

    ``deduplicate=False`` only in the fault battery (tests/faults/test_checker_without_dedup.py): every command is
    published, no Idempotency-Key answer is replayed; ``python -m gateway`` has no way to ask for it."""
    Policy.from_settings(settings)  # a malformed screening setting stops the process here, not per request
    if not deduplicate:
        log.warning("!!! deduplication off: Idempotency-Key answers are NOT replayed (tests/faults only) !!!")
    metrics = GatewayMetrics()
    app = web.Application(
        middlewares=[
            metrics_middleware(metrics),  # outermost: every answer counted and timed, error answers included
            security_headers_middleware,
            error_middleware,
            request_limits_middleware,
            json_body_middleware,
        ],
        client_max_size=settings.max_body_bytes,
    )
    app[METRICS] = metrics
    app[SETTINGS] = settings
    app[CLOCK] = clock or _utc_now
    app[DEDUPLICATE] = deduplicate
    app.cleanup_ctx.append(_redis_ctx)
    app.cleanup_ctx.append(_publisher_ctx)
    pages.setup(app)
    _pages_only(app)
    setup_routes(app)
    return app


def _pages_only(app: web.Application) -> None:
    """The middlewares that only serve HTML pages (jinja2's context processors, the language cookie) are skipped
    for ``/api/`` requests: one middleware in their place runs them for every other path, in their order."""
    html = [m for m in app.middlewares if m in (aiohttp_jinja2.context_processors_middleware, i18n.remember_language)]
    if not html:
        return
    at = app.middlewares.index(html[0])
    for middleware in html:
        app.middlewares.remove(middleware)

    @web.middleware
    async def pages_only(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            return await handler(request)
        for middleware in reversed(html):
            handler = functools.partial(middleware, handler=handler)
        return await handler(request)

    app.middlewares.insert(at, pages_only)


def server_options(settings: Settings) -> dict[str, Any]:
    """Connection limits of the HTTP server (``AppRunner`` / ``run_app`` handler arguments).

    ``keepalive_timeout`` closes a connection that has not sent a complete request head in that time, from
    the moment it opens (aiohttp ≥ 3.12), so slow headers time out; a slow body is bounded by
    ``request_limits_middleware``; request line and header sizes and counts are capped here.
    """
    return {
        "keepalive_timeout": settings.keepalive_timeout_seconds,
        "max_line_size": 8190,
        "max_field_size": 8190,
        "max_headers": 64,
        "lingering_time": 2.0,
    }


async def _redis_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # A bounded pool that waits for a free connection (up to the socket timeout) instead of failing at once:
    # redis-py's default pool refuses the 101st concurrent command, which turned a busy minute into 503s.
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=REDIS_POOL_SIZE, timeout=5, socket_timeout=5, socket_connect_timeout=2
    )
    client = aioredis.Redis.from_pool(pool)
    batch = RedisBatch(client)
    app[REDIS] = client
    app[IDEMPOTENCY] = IdempotencyStore(
        client,
        prefix=settings.topic_prefix,
        secret=settings.pseudonym_key,
        ttl_seconds=settings.idempotency_ttl_seconds,
        batch=batch,
    )
    app[RATE_LIMITER] = RateLimiter(client, settings.topic_prefix)
    app[ADMISSION] = Admission(client, settings.topic_prefix, batch)
    yield
    await batch.aclose()
    await client.aclose()


async def _publisher_ctx(app: web.Application) -> AsyncIterator[None]:
    publisher = Publisher(app[SETTINGS], metrics=app[METRICS])
    app[PUBLISHER] = publisher
    yield
    await publisher.close()
