"""Liveness and readiness."""

from __future__ import annotations

from aiohttp import web

from gateway.operation import Operation
from gateway.typedefs import PUBLISHER, REDIS
from gateway.wire.common import Health


async def healthz(request: web.Request) -> web.Response:
    """Always 200 while the process serves; the body says whether Kafka and Redis answer."""
    kafka = await request.app[PUBLISHER].ping()
    try:
        redis_ok = bool(await request.app[REDIS].ping())
    except Exception:
        redis_ok = False
    return web.json_response({"status": "ok", "kafka": kafka, "redis": redis_ok})


HEALTHZ = Operation(
    "GET",
    "/healthz",
    "healthz",
    "Liveness, with whether Kafka and Redis answer",
    handler=healthz,
    response=Health,
)


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (HEALTHZ,)
