"""Typed application keys: every resource of the app is reached through ``request.app[KEY]``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
from aiohttp import web

from gateway.admission import Admission
from gateway.idempotency import IdempotencyStore
from gateway.metrics import GatewayMetrics
from gateway.publisher import Publisher
from services.adapters.ratelimit import RateLimiter
from services.settings import Settings

if TYPE_CHECKING:  # gateway.operation reads the app's keys
    from gateway.operation import Operation

Clock = Callable[[], datetime]

SETTINGS = web.AppKey("settings", Settings)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
#: False only in the fault battery's gateway (see :func:`gateway.main.create_app`).
DEDUPLICATE = web.AppKey("deduplicate", bool)
REDIS = web.AppKey("redis", aioredis.Redis)
PUBLISHER = web.AppKey("publisher", Publisher)
IDEMPOTENCY = web.AppKey("idempotency", IdempotencyStore)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
ADMISSION = web.AppKey("admission", Admission)
#: The JSON API's operations by (method, path template): how a request finds its declaration.
OPERATIONS_BY_ROUTE: web.AppKey[Mapping[tuple[str, str], Operation]] = web.AppKey("operations_by_route")
#: The app's Prometheus series (issue 29), served by ``python -m gateway`` on ``gateway_metrics_port``.
METRICS = web.AppKey("metrics", GatewayMetrics)
