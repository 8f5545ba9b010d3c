"""The JSON API: every operation, gathered from the view modules that declare them (:mod:`gateway.operation`).

``gateway/routes.py`` adds a route per operation and ``GET /api/openapi.json`` serves the document written from
them (:mod:`gateway.openapi`); nothing else lists the operations. The order is the document's: sign-out last, so
a client walking the document in order keeps its token.
"""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from gateway import openapi
from gateway.operation import Operation
from gateway.views import (
    accounts,
    checkins,
    dashboard,
    fairs,
    health,
    job_requests,
    jobseeker_reports,
    jobseekers,
    offers,
    placement_steps,
    reports,
    staff,
    supply,
    trust,
    waiting,
)
from gateway.wire.common import OpenApiDocument


async def openapi_json(request: web.Request) -> web.Response:
    """``GET /api/openapi.json``."""
    return web.json_response(document())


OPENAPI = Operation(
    "GET",
    "/api/openapi.json",
    "openapi",
    "This document",
    handler=openapi_json,
    response=OpenApiDocument,
    tags=("docs",),
)

OPERATIONS: tuple[Operation, ...] = (
    *health.OPERATIONS,
    OPENAPI,
    *checkins.OPERATIONS,
    *waiting.OPERATIONS,
    *job_requests.OPERATIONS,
    *staff.OPERATIONS,
    *placement_steps.OPERATIONS,
    *offers.OPERATIONS,
    *fairs.OPERATIONS,
    *reports.OPERATIONS,
    *supply.OPERATIONS,
    *dashboard.OPERATIONS,
    *jobseekers.OPERATIONS,
    *jobseeker_reports.OPERATIONS,
    *trust.OPERATIONS,
    *accounts.OPERATIONS,
)
BY_ROUTE: dict[tuple[str, str], Operation] = {(op.method, op.path): op for op in OPERATIONS}


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of :data:`OPERATIONS` (computed once per process)."""
    return openapi.document(OPERATIONS)
