"""schemathesis against the OpenAPI document: the real gateway on a loopback port, real Kafka and Redis.

The fuzzed gateway uses topics of its own (``<prefix>fuzz.``, created here, consumed by nobody) and
credentials written to its own Redis prefix, so generated postings and check-ins never reach the markets
that other tests use.
Checks: no 5xx, status codes, content types, headers and bodies conforming to the document, required
headers enforced, unsupported methods refused. Left out: ``positive_data_acceptance`` (the parsers check what
a schema cannot: ID check characters, times not yet past, screening) and ``negative_data_rejection`` (the
parsers deliberately accept full-width digits and surrounding spaces that the document's patterns leave out).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import hypothesis
import pytest
import redis
import requests
import schemathesis
from aiohttp import web
from schemathesis.specs.openapi import checks

from gateway import openapi
from gateway.auth import token_sha256
from gateway.main import create_app, server_options
from services import records
from services.readmodels.registry_views import RegistryViews
from services.readmodels.views import dump
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import TEST_NOW
from tests.support import stack

MAX_EXAMPLES = 30
TOKENS = {
    "kiosk": "fuzz-kiosk-token-zs-market",
    "employer": "fuzz-employer-token",
    "organiser": "fuzz-organiser",
    "officer": "fuzz-officer",
    "admin": "fuzz-admin",
}


@dataclasses.dataclass
class Target:
    base_url: str
    settings: Settings


@pytest.fixture(scope="module")
def target(kafka: stack.KafkaBroker, platform: Settings) -> Iterator[Target]:
    settings = dataclasses.replace(platform, topic_prefix=f"{platform.topic_prefix}fuzz.")
    kafka.create_topics(topic_specs(settings))
    _register(settings)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(settings, clock=lambda: TEST_NOW), **server_options(settings))

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        yield Target(f"http://127.0.0.1:{port}", settings)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def _register(settings: Settings) -> None:
    """The credentials the projector would make from the registry topic, under the fuzz prefix."""
    views = RegistryViews(settings.topic_prefix)
    client = redis.Redis.from_url(settings.redis_url)
    try:
        for role, token in TOKENS.items():
            event = records.DeviceRegistered(
                id=records.derived_id("fuzz-credential", role),
                at=datetime.now(UTC),
                token_sha256=token_sha256(token),
                role=role,
                subject_id=f"fuzz-{role}",
                display_name=f"模糊测试 {role}",
                market_id="zs-market" if role == "kiosk" else None,
                county="zhongshan" if role == "officer" else None,
            )
            for key, view in views.apply(event, {}).items():
                client.set(key, dump(view) or b"")
    finally:
        client.close()


EXCLUDED = [checks.positive_data_acceptance, checks.negative_data_rejection]


def test_the_api_conforms_to_its_document(target: Target) -> None:
    document = requests.get(f"{target.base_url}/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    session = requests.Session()
    ran: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        ran[label] = _fuzz(operation, target.base_url, session)
    assert set(ran) == {f"{op.method} {op.path}" for op in openapi.OPERATIONS}
    assert all(count > 0 for count in ran.values()), ran
    print(f"schemathesis: {len(ran)} operations, {sum(ran.values())} examples: {ran}")


def _fuzz(operation: schemathesis.APIOperation, base_url: str, session: requests.Session) -> int:
    """Run one operation's examples; the number run."""
    documented = openapi.OPERATIONS_BY_ROUTE[(operation.method.upper(), operation.path)]
    headers = {"Authorization": f"Bearer {TOKENS[documented.role]}"} if documented.role else {}
    count = 0

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def call(case: schemathesis.Case) -> None:
        nonlocal count
        count += 1
        case.call_and_validate(
            base_url=base_url, session=session, headers=headers, excluded_checks=EXCLUDED, timeout=10
        )

    call()
    return count
