"""Middlewares: security headers on every answer, request limits, and every failure of the JSON API
becomes a JSON answer naming what went wrong.

Order in ``create_app``: ``security_headers_middleware`` (outermost, so error answers get the headers too),
``error_middleware``, ``request_limits_middleware`` (so its 408 and 413 become JSON answers), then
``json_body_middleware`` (innermost: a documented JSON body is ``application/json``, JSON and an object).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping

import redis.exceptions
from aiohttp import web
from aiohttp.typedefs import Handler

from gateway import problems
from gateway.bodies import decode_json
from gateway.operation import operation_of
from gateway.publisher import BrokerUnavailable
from gateway.typedefs import SETTINGS
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
        kept = {k: v for k, v in error.headers.items() if k.lower() not in {"content-type", "content-length"}}
        zh = _MESSAGES_ZH.get(error.status, "请求无法处理")
        return problems.ApiError(error.status, _code(error.status), zh, error.reason, headers=kept).response()
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problems.ApiError(500, "internal_error", "系统内部错误", "internal error").response()


#: The Chinese message of an HTTP error raised by aiohttp itself (the English one is its reason phrase).
_MESSAGES_ZH = {
    400: "请求格式不正确",
    404: "没有这个地址",
    405: "这个地址不接受这种请求方法",
    408: "请求发送太慢，已超时，请重试",
    413: "提交的内容太大",
    415: "提交的内容类型不对，应为 application/json",
}


def _code(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(status, "http_error")


#: Pages load scripts, styles and images only from the gateway itself; no inline script, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer, error pages included, carries :data:`SECURITY_HEADERS`; JSON API answers (personal
    data) are never cached; HSTS once the request came over TLS."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _secure(request, error.headers)
        raise
    if not response.prepared:
        _secure(request, response.headers)
    return response


def _secure(request: web.Request, headers: MutableMapping[str, str]) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    if request.secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


@web.middleware
async def request_limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A body must arrive within ``body_read_timeout_seconds`` (a slow client gets 408) and within
    ``client_max_size`` (413, raised by aiohttp while reading). The body is read here, once; handlers
    reading it later get the cached bytes."""
    if request.can_read_body and request.content.is_eof():  # the whole body has arrived: no wait, no timer
        await request.read()
    elif request.can_read_body:
        timeout = request.app[SETTINGS].body_read_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                await request.read()
        except TimeoutError:
            log.info("body of %s %s not received within %ss", request.method, request.path, timeout)
            response = problems.ApiError(
                408,
                "body_timeout",
                "请求内容发送超时，请重试",
                f"the request body did not arrive within {timeout:g} seconds",
            ).response()
            response.force_close()
            return response
    return await handler(request)


@web.middleware
async def json_body_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An operation that declares a request type (:mod:`gateway.operation`) gets a body, as the document says,
    before any other check: ``Content-Type: application/json`` (else 415 ``content_type``), a JSON document
    (else 400 ``body_json`` / ``body_depth``) whose value is an object (else 422 ``body_object``; an empty body is
    not an object). The fields are checked against the type after authentication, with the domain's rules
    (:func:`gateway.commands.accept`); fields the type does not know are ignored (docs/api.md)."""
    operation = operation_of(request)
    if operation is None or operation.request is None:
        return await handler(request)
    if request.content_type != "application/json":
        raise problems.ApiError(
            415,
            "content_type",
            "提交的内容类型不对，应为 application/json",
            f"the request body must be sent as application/json, not {request.content_type!r}",
            field="Content-Type",
        )
    if not isinstance(decode_json(await request.read()), dict):
        raise problems.ApiError(
            422,
            "body_object",
            "提交的内容应为一个 JSON 对象，例如 {}",
            "the request body must be a JSON object, e.g. {}",
            field="body",
        )
    return await handler(request)
