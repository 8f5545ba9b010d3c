"""Redis over TLS with a password (``rediss://:password@host:port/0?ssl_ca_certs=…``): the gateway and the
projector use redis-py as published, so the URL's TLS and credentials are honoured end to end.

A Debian ``redis-server`` is started here with a TLS port only (no plain port), a certificate made for the test
by ``openssl`` and ``requirepass``; the gateway runs against it in process.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient
from redis.asyncio.connection import SSLConnection

from deploy.local import procs
from deploy.local.redis_server import _apt, ensure_redis_installed
from gateway.main import create_app
from services.readmodels import keys
from services.settings import Settings

PASSWORD = "tls-test-password-1"


def _openssl() -> str:
    found = shutil.which("openssl")
    if found is None:
        _apt(["install", "-y", "--no-install-recommends", "openssl"])
        found = shutil.which("openssl")
    assert found is not None, "openssl is needed to make the test's certificate"
    return found


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA) and its key."""
    cert, key = directory / "redis.crt", directory / "redis.key"
    subprocess.run(
        [_openssl(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A redis-server with TLS only and a password: (its TLS port, the CA certificate)."""
    directory = tmp_path_factory.mktemp("redis-tls")
    cert, key = _certificate(directory)
    port = procs.free_port()
    argv = [ensure_redis_installed(), "--bind", "127.0.0.1", "--port", "0", "--tls-port", str(port),
            "--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert),
            "--tls-auth-clients", "no", "--requirepass", PASSWORD, "--save", "", "--appendonly", "no",
            "--dir", str(directory)]  # fmt: skip
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, password=PASSWORD, ssl=True, ssl_ca_certs=str(cert))
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield port, cert
    finally:
        client.close()
        server.terminate()
        server.wait(10)


def _url(port: int, cert: Path, password: str = PASSWORD) -> str:
    return f"rediss://:{password}@127.0.0.1:{port}/0?ssl_ca_certs={cert}"


async def test_the_gateway_reaches_redis_over_tls_with_the_password(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings, tls_redis: tuple[int, Path]
) -> None:
    port, cert = tls_redis
    prefix = f"tls-{time.monotonic_ns()}."
    tls_settings = dataclasses.replace(settings, redis_url=_url(port, cert), topic_prefix=prefix)
    gateway = await aiohttp_client(create_app(tls_settings))
    health = await (await gateway.get("/healthz")).json()
    assert health["redis"] is True
    # the admission script runs on the TLS Redis: an unknown token is refused and the address is counted there
    answer = await gateway.post("/api/v1/checkins", json={}, headers={"Authorization": "Bearer no-such-token"})
    assert answer.status == 401
    direct = aioredis.Redis.from_url(_url(port, cert))
    try:
        counted = [k async for k in direct.scan_iter(match=keys.rate_limit(prefix, "*", "*"))]
        assert counted, "the admission script should have counted the request on the TLS Redis"
    finally:
        await direct.aclose()


async def test_a_rediss_url_is_tls_and_a_wrong_password_or_plain_tcp_is_refused(tls_redis: tuple[int, Path]) -> None:
    port, cert = tls_redis
    client = aioredis.Redis.from_url(_url(port, cert))
    assert client.connection_pool.connection_class is SSLConnection
    async with client.pipeline(transaction=True) as transaction:  # the projector's kind of transaction
        await transaction.watch("tls-offset")
        transaction.multi()
        transaction.set("tls-offset", 7)
        assert await transaction.execute() == [True]
    assert await client.get("tls-offset") == b"7"
    await client.aclose()
    wrong = aioredis.Redis.from_url(_url(port, cert, password="wrong-password"))
    with pytest.raises(redis.AuthenticationError):
        await wrong.ping()
    await wrong.aclose()
    plain = aioredis.Redis.from_url(f"redis://:{PASSWORD}@127.0.0.1:{port}/0", socket_timeout=2, retry_on_error=[])
    with pytest.raises((redis.ConnectionError, redis.TimeoutError)):
        await plain.ping()
    await plain.aclose()
