"""Security headers on every answer; request limits: body size, slow bodies, slow request heads."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.main import create_app, server_options
from gateway.middlewares import SECURITY_HEADERS
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.integration.conftest import auth, job_body


@pytest.mark.parametrize(
    "path", ["/", "/api/openapi.json", "/healthz", "/static/site.css", "/api/v1/nowhere", "/nowhere"]
)
async def test_every_answer_has_the_security_headers(gateway: TestClient, path: str) -> None:
    response = await gateway.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


async def test_api_answers_are_not_cached(gateway: TestClient, credentials: dict[str, str]) -> None:
    response = await gateway.post(
        "/api/v1/job-requests", json=job_body("nowhere", "mason"), headers=auth(credentials["employer"])
    )
    assert response.status == 422
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers


async def _client(aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings) -> TestClient:
    """A client of a server started as ``gateway/__main__.py`` starts it (the fixture's ``server_kwargs``
    do not reach aiohttp's runner, so the server is started here with the gateway's options)."""
    server = TestServer(create_app(settings, clock=lambda: TEST_NOW))
    await server.start_server(**server_options(settings))
    return await aiohttp_client(server)


async def test_a_body_over_the_limit_is_a_413(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    client = await _client(aiohttp_client, dataclasses.replace(platform, max_body_bytes=1024))
    body = job_body("zs-market", "mason", description="x" * 2000)
    response = await client.post("/api/v1/job-requests", json=body, headers=auth(credentials["employer"]))
    assert response.status == 413
    problem = await response.json()
    assert problem["error"] == "body_too_large" and problem["message_zh"] == "提交的内容太大"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    wrong_method = await client.delete("/api/v1/job-requests")
    assert wrong_method.status == 405
    assert (await wrong_method.json())["message_zh"] == "这个地址不接受这种请求方法"


async def test_long_fields_are_refused_by_the_parsers(gateway: TestClient, credentials: dict[str, str]) -> None:
    body = job_body("zs-market", "mason", description="好" * 501, place="路" * 101)
    response = await gateway.post("/api/v1/job-requests", json=body, headers=auth(credentials["employer"]))
    assert response.status == 422
    rules = {(e["field"], e["rule"]) for e in (await response.json())["errors"]}
    assert rules == {("description", "too_long"), ("place", "too_long")}


async def _raw(client: TestClient, data: bytes, wait: float) -> tuple[bytes, float]:
    """Send ``data`` and nothing more; what the server answers and how long until it closed the connection."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    started = time.monotonic()
    writer.write(data)
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=wait)
    finally:
        writer.close()
    return answer, time.monotonic() - started


async def test_a_slow_body_times_out_with_408(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings
) -> None:
    client = await _client(aiohttp_client, dataclasses.replace(platform, body_read_timeout_seconds=0.5))
    head = (
        b"POST /api/v1/job-requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"market_id":'
    )
    answer, took = await _raw(client, head, wait=10)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"body_timeout" in answer and b"nosniff" in answer
    assert took < 5


async def test_a_slow_request_head_is_dropped(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings
) -> None:
    client = await _client(aiohttp_client, dataclasses.replace(platform, keepalive_timeout_seconds=0.5))
    answer, took = await _raw(client, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", wait=10)
    assert answer == b"" and took < 5
