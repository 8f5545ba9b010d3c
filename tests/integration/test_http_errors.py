"""aiohttp's own refusals of the JSON API: 405 and 413 come as the JSON problem in Chinese and English (through
``error_middleware``); the HTTP parser's 400 for a head it cannot read (a NUL or other control byte in a header)
is written by aiohttp before any middleware runs, as plain text, and aiohttp publishes no hook to change it
(docs/api.md, "What aiohttp answers itself"). This test pins both down: the problem where the gateway can answer,
and for the parser's 400 a short plain-text answer, the connection closed, and the server unharmed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.main import create_app, server_options
from services.settings import Settings
from tests.conftest import TEST_NOW


@pytest.fixture
async def server(platform: Settings) -> TestServer:
    """The gateway as ``gateway/__main__.py`` starts it (its server options), on a loopback port."""
    test_server = TestServer(create_app(platform, clock=lambda: TEST_NOW))
    await test_server.start_server(**server_options(platform))
    yield test_server  # type: ignore[misc]
    await test_server.close()


async def _raw(server: TestServer, request: bytes) -> bytes:
    """Send ``request`` as bytes and read the whole answer (the server closes the connection)."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(-1), timeout=10)
    finally:
        writer.close()


@pytest.mark.parametrize("header", [b"X-Note: a\x00b", b"X-Note: \x07bell", b"Idempotency-Key: k\x00" + b"x" * 10])
async def test_a_header_the_parser_cannot_read_is_a_plain_400_and_harms_nothing(
    server: TestServer, aiohttp_client: Callable[..., Awaitable[TestClient]], header: bytes
) -> None:
    answer = await _raw(
        server,
        b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n" + header + b"\r\nContent-Length: 2\r\n\r\n{}",
    )
    head, _, body = answer.partition(b"\r\n\r\n")  # read to the end: the server closed the connection
    assert re.match(rb"HTTP/1\.[01] 400 Bad Request\r\n", head), answer[:200]
    assert b"Content-Type: text/plain" in head
    assert body.startswith(b"Invalid header value char") and len(body) < 2_000 and b"Traceback" not in body
    client = await aiohttp_client(server)
    after = await client.get("/healthz")
    assert after.status == 200


async def test_a_wrong_method_on_the_api_is_the_json_problem_in_both_languages(
    aiohttp_client: Callable[..., Awaitable[TestClient]], server: TestServer
) -> None:
    client = await aiohttp_client(server)
    for method, path in (("DELETE", "/api/v1/job-requests"), ("PUT", "/api/v1/sessions"), ("PATCH", "/api/v1/supply")):
        response = await client.request(method, path)
        assert response.status == 405, (method, path)
        assert response.content_type == "application/json"
        problem = await response.json()
        assert problem["error"] == "method_not_allowed"
        assert problem["message_zh"] == "这个地址不接受这种请求方法"
        assert problem["message_en"] == "Method Not Allowed"
        assert "POST" in response.headers["Allow"] or "GET" in response.headers["Allow"]


async def test_a_body_over_the_limit_is_the_json_problem_in_both_languages(
    aiohttp_client: Callable[..., Awaitable[TestClient]], server: TestServer, platform: Settings
) -> None:
    client = await aiohttp_client(server)
    body = b'{"login": "' + b"x" * (platform.max_body_bytes + 10) + b'"}'
    response = await client.post("/api/v1/sessions", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 413
    problem = await response.json()
    assert problem["error"] == "body_too_large"
    assert problem["message_zh"] == "提交的内容太大"
    assert problem["message_en"] == "Request Entity Too Large"
