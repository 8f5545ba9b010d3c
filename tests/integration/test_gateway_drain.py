"""The gateway's drain (gateway/drain.py), in process: while draining, ``/healthz`` and any new request answer
503 ``draining`` with ``Retry-After`` and close the connection; before, they are served. The whole stop under load
(SIGTERM to ``python -m gateway``) is tests/faults/test_gateway_sigterm.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from gateway import drain
from gateway.main import create_app
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.conftest import auth, check_in_body


async def test_while_draining_every_new_request_is_answered_503_and_the_connection_closed(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    app = create_app(platform, clock=lambda: TEST_NOW)
    draining = drain.install(app)
    client = await aiohttp_client(app)
    assert (await client.get("/healthz")).status == 200
    draining.draining = True
    health = await client.get("/healthz")
    assert health.status == 503 and (await health.json())["error"] == "draining"
    assert health.headers["Retry-After"] == "1" and health.headers["Connection"] == "close"
    post = await client.post(
        "/api/v1/checkins",
        json=check_in_body(new_id_number(), "mason"),
        headers=auth(credentials["zs-market"]),
    )
    answer = await post.json()
    assert post.status == 503 and answer["error"] == "draining" and answer["message_zh"], answer
    assert draining.refused_while_draining == 2 and draining.in_flight == 0
