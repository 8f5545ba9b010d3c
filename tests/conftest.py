"""Session fixtures: the real Kafka broker and Redis, the stream worker and the projector.

Integration tests get these only when they ask for them; unit tests start nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deploy.local import procs
from deploy.local.demo import wait_for_credentials
from services import geography, trades
from services.adapters.registry import register_credential
from services.people import identity
from services.settings import Settings
from services.topics import topic_specs
from tests.support import stack

#: 08:30 in Liupanshui on a Thursday: the tests' "now" (the gateway's clock is injected).
TEST_NOW = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def gateway_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The in-process gateways' log (``lingong.*`` and aiohttp's access log, INFO), kept in a file for the leak
    test like the platform processes' logs."""
    path = tmp_path_factory.mktemp("gateway") / "gateway.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.setLevel(logging.INFO)
    loggers = [logging.getLogger(name) for name in ("lingong", "aiohttp", "gateway")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    stack.LOG_FILES.append(path)
    try:
        yield path
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.KafkaBroker]:
    with stack.kafka_broker(tmp_path_factory.mktemp("kafka")) as broker:
        yield broker


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.RedisServer]:
    with stack.redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def settings(kafka: stack.KafkaBroker, redis_server: stack.RedisServer) -> Settings:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        kafka_bootstrap=kafka.bootstrap,
        redis_url=redis_server.url,
        pseudonym_key=b"test-pseudonym-key-" + run.encode(),
        topic_prefix=f"t{run}.",
        partitions=3,
        streams_app_id=f"lingong-test-{run}",
        projector_group="projector",
        produce_timeout_seconds=3.0,
        stream_commit_interval_seconds=0.5,
        stream_session_timeout_seconds=10,
        tick_interval_seconds=0,  # time in the shared stack is the gateway's fixed clock; see test_ticker.py
        market_journal_max=64,  # snapshots, segments and restores all happen within the tests' traffic
        # every test client comes from 127.0.0.1: per-address limits are tested with their own small values
        signin_per_address_max=10_000,
        registration_per_address_max=10_000,
        malformed_per_address_max=10_000,
        # each process's /metrics on a free port (tests/integration/test_metrics.py scrapes them)
        gateway_metrics_port=procs.free_port(),
        streams_metrics_port=procs.free_port(),
        projector_metrics_port=procs.free_port(),
    )
    kafka.create_topics(topic_specs(settings))
    return settings


@pytest.fixture(scope="session")
def platform(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The stream worker and the projector, running as real processes against the session's stack."""
    workdir = tmp_path_factory.mktemp("platform")
    projector = stack.projector(settings, workdir)
    worker = stack.stream_worker(settings, workdir)
    try:
        yield settings
    finally:
        worker.stop()
        projector.stop()


_lanes = list(itertools.product([m.market_id for m in geography.MARKETS], [t.code for t in trades.TRADES]))
_taken_lanes: set[tuple[str, str]] = set()


def take_lane(market_id: str | None = None) -> tuple[str, str]:
    """A (market, trade) pair no other test uses (at ``market_id`` if given)."""
    found = next(x for x in _lanes if x not in _taken_lanes and market_id in (None, x[0]))
    _taken_lanes.add(found)
    return found


@pytest.fixture
def lane() -> tuple[str, str]:
    """A (market, trade) pair no other test uses, so queues left by earlier tests never interfere."""
    return take_lane()


@pytest.fixture(scope="session")
def credentials(platform: Settings) -> dict[str, str]:
    """A kiosk token per market and one employer token, registered through the real registry topic."""

    async def issue() -> dict[str, str]:
        tokens: dict[str, str] = {}
        for market in geography.MARKETS:
            tokens[market.market_id] = await register_credential(
                platform,
                role="kiosk",
                subject_id=f"kiosk-{market.market_id}",
                display_name=f"{market.name_zh} 测试机",
                market_id=market.market_id,
            )
        tokens["employer"] = await register_credential(
            platform, role="employer", subject_id="e-test", display_name="测试用工单位"
        )
        tokens["organiser"] = await register_credential(
            platform, role="organiser", subject_id="o-test", display_name="测试招聘会组织者"
        )
        # "officer": city-wide staff (the city administrator's role, which may act as any staff role).
        tokens["officer"] = await register_credential(
            platform, role="admin", subject_id="of-test", display_name="测试市人社局工作人员"
        )
        tokens["admin"] = await register_credential(
            platform, role="admin", subject_id="admin-test", display_name="测试市级管理员"
        )
        for county in ("panzhou", "shuicheng"):
            tokens[f"officer_{county}"] = await register_credential(
                platform, role="officer", subject_id=f"of-{county}", display_name=f"测试{county}工作人员", county=county
            )
        await wait_for_credentials(platform, list(tokens.values()))
        return tokens

    return asyncio.run(issue())


_used_numbers: set[str] = set()


_rng = random.Random()


def new_id_number(rng: random.Random = _rng) -> str:
    """A synthetic valid resident ID number (钟山区, born 1970-1999), unique within the session."""
    while True:
        first17 = (
            f"520201{rng.randint(1970, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        number = first17 + identity.check_character(first17)
        if number not in _used_numbers:
            _used_numbers.add(number)
            return number


@pytest.fixture
def id_number() -> str:
    return new_id_number()


@pytest.fixture(scope="session")
def issued_id_numbers() -> set[str]:
    """Every raw ID number the session generated (for the "never stored anywhere" check)."""
    return _used_numbers


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parts[-2] == "integration":
            item.add_marker(pytest.mark.integration)
