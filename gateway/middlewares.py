"""Middlewares: every failure of the JSON API becomes a JSON answer naming what went wrong."""

from __future__ import annotations

import logging

import redis.exceptions
from aiohttp import web
from aiohttp.typedefs import Handler

from gateway import problems
from gateway.publisher import BrokerUnavailable
from services.errors import InvalidInput

log = logging.getLogger("lingong.gateway")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except problems.ApiError as error:
        return error.response()
    except InvalidInput as error:
        return problems.invalid_input(error.errors)
    except BrokerUnavailable as error:
        log.warning("broker unavailable: %s", error)
        return problems.broker_unavailable().response()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
        log.warning("redis unavailable: %r", error)
        return problems.store_unavailable().response()
    except web.HTTPException as error:
        if not request.path.startswith("/api/"):
            raise
        if error.status < 400:
            raise
        return problems.ApiError(
            error.status, _code(error.status), error.reason, error.reason, headers=dict(error.headers)
        ).response()
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problems.ApiError(500, "internal_error", "系统内部错误", "internal error").response()


def _code(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(status, "http_error")
