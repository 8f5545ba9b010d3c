"""The application factory: ``create_app(settings)``; tests pass overrides for the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import redis.asyncio as aioredis
from aiohttp import web

from gateway.idempotency import IdempotencyStore
from gateway.middlewares import error_middleware
from gateway.publisher import Publisher
from gateway.routes import setup_routes
from gateway.typedefs import CLOCK, IDEMPOTENCY, PUBLISHER, REDIS, SETTINGS, Clock
from services.settings import Settings
from web import pages

MAX_BODY_BYTES = 64 * 1024


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """A ready-to-run gateway. Kafka and Redis are connected in cleanup contexts when the app starts."""
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[CLOCK] = clock or _utc_now
    app.cleanup_ctx.append(_redis_ctx)
    app.cleanup_ctx.append(_publisher_ctx)
    pages.setup(app)
    setup_routes(app)
    return app


async def _redis_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    client = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
    app[REDIS] = client
    app[IDEMPOTENCY] = IdempotencyStore(
        client,
        prefix=settings.topic_prefix,
        secret=settings.pseudonym_key,
        ttl_seconds=settings.idempotency_ttl_seconds,
    )
    yield
    await client.aclose()


async def _publisher_ctx(app: web.Application) -> AsyncIterator[None]:
    publisher = Publisher(app[SETTINGS])
    app[PUBLISHER] = publisher
    yield
    await publisher.close()
