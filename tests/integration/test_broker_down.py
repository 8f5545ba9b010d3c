"""With the broker stopped the gateway answers 503 with Retry-After, never a 2xx.

This module starts a broker of its own, so stopping it does not disturb the other tests.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.main import create_app
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.conftest import auth, check_in_body
from tests.support import stack


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.KafkaBroker]:
    with stack.kafka_broker(tmp_path_factory.mktemp("kafka-down")) as broker:
        yield broker


@pytest.fixture
async def gateway_on_own_broker(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    own_broker: stack.KafkaBroker,
    platform: Settings,
    credentials: dict[str, str],
) -> AsyncIterator[TestClient]:
    settings = dataclasses.replace(platform, kafka_bootstrap=own_broker.bootstrap)
    own_broker.create_topics(topic_specs(settings))
    yield await aiohttp_client(create_app(settings, clock=lambda: TEST_NOW))


async def test_stopped_broker_gives_503_with_retry_after(
    gateway_on_own_broker: TestClient, own_broker: stack.KafkaBroker, credentials: dict[str, str]
) -> None:
    token = credentials["zs-market"]
    up = await gateway_on_own_broker.post(
        "/api/v1/checkins", json=check_in_body(new_id_number(), "mason"), headers=auth(token)
    )
    assert up.status == 202

    own_broker.stop()
    statuses = []
    for _ in range(3):
        started = time.monotonic()
        response = await gateway_on_own_broker.post(
            "/api/v1/checkins", json=check_in_body(new_id_number(), "mason"), headers=auth(token)
        )
        elapsed = time.monotonic() - started
        statuses.append(response.status)
        assert response.status == 503, await response.text()
        assert response.headers["Retry-After"].isdigit()
        body = await response.json()
        assert body["error"] == "broker_unavailable" and body["message_zh"] and body["message_en"]
        assert elapsed < 10, f"503 took {elapsed:.1f}s"
    assert all(s == 503 for s in statuses)


def test_module_uses_its_own_broker(own_broker: stack.KafkaBroker, settings: Settings) -> None:
    assert own_broker.bootstrap != settings.kafka_bootstrap
    assert Path(own_broker.log_path).exists()
