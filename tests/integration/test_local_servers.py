"""The local servers (deploy.local.redis_server / kafka_broker) on free ports in tmp dirs.

Starts its own Redis and Kafka; never touches ``var/`` or the stack's default ports.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from deploy.local import kafka_broker, procs
from deploy.local.kafka_broker import KafkaBroker, KafkaError, ensure_kafka_jars
from deploy.local.redis_server import RedisError, RedisServer, ensure_redis_installed
from services.settings import Settings
from services.topics import MARKET_COMMANDS, REGISTRY, TopicSpec, topic_specs

pytestmark = pytest.mark.integration

STACK_PORTS = {16379, 19092, 19093}


def _port() -> int:
    while (port := procs.free_port()) in STACK_PORTS:
        pass
    return port


@pytest.fixture(scope="module")
def jars() -> Path:
    return ensure_kafka_jars()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, jars: Path) -> Iterator[KafkaBroker]:
    base = tmp_path_factory.mktemp("kafka")
    server = KafkaBroker(base / "data", _port(), _port(), base / "kafka.log", jars, heap="384m")
    server.start()
    try:
        server.wait_ready(timeout=90)
        yield server
    finally:
        server.stop()
    assert server.pid is not None and not procs.pid_alive(server.pid)


@pytest.fixture(scope="module")
def settings(broker: KafkaBroker) -> Settings:
    return Settings(kafka_bootstrap=broker.bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:6]}-", partitions=4)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis", _port(), tmp_path / "redis.log", executable=ensure_redis_installed())
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_redis_answers_and_stops(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.set("k", "v")
    assert client.get("k") == b"v"
    client.close()
    pid = redis_server.pid
    assert pid is not None and procs.pid_alive(pid)

    redis_server.stop()

    assert not procs.pid_alive(pid)
    redis_server.stop()  # idempotent


def test_redis_in_memory_by_default(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    assert client.config_get("appendonly") == {"appendonly": "no"}
    assert client.config_get("save") == {"save": ""}
    assert client.config_get("bind") == {"bind": "127.0.0.1"}
    client.close()


def test_persistent_redis_keeps_keys_across_restart(tmp_path: Path) -> None:
    port = _port()
    for round_ in (1, 2):
        server = RedisServer(tmp_path / "data", port, tmp_path / "redis.log", persistent=True)
        server.start()
        try:
            server.wait_ready()
            client = redis.Redis(port=port)
            if round_ == 1:
                client.set("idem", "kept")
            else:
                assert client.get("idem") == b"kept"
            client.close()
        finally:
            server.stop()


def test_redis_refuses_a_taken_port(redis_server: RedisServer, tmp_path: Path) -> None:
    other = RedisServer(tmp_path / "other", redis_server.port, tmp_path / "other.log")
    with pytest.raises(RedisError, match="in use"):
        other.start()


def test_topics_are_created_with_their_partitions(broker: KafkaBroker, settings: Settings) -> None:
    specs = topic_specs(settings)
    created = broker.create_topics(specs)
    assert sorted(created) == sorted(spec.name for spec in specs)
    assert broker.create_topics(specs) == []  # idempotent

    async def describe() -> tuple[dict[str, int], dict[str, str]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        try:
            topics = await admin.describe_topics([spec.name for spec in specs])
            configs = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, settings.topic(REGISTRY))])
        finally:
            await admin.close()
        entries = {entry[0]: entry[1] for entry in configs[0].resources[0][4]}
        return {t["topic"]: len(t["partitions"]) for t in topics}, entries

    counts, registry_config = asyncio.run(describe())
    assert counts == {spec.name: spec.partitions for spec in specs}
    assert counts[settings.topic(MARKET_COMMANDS)] == 4
    assert registry_config["cleanup.policy"] == "compact"


async def test_produce_and_consume_one_record(broker: KafkaBroker) -> None:
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    # called from inside a running event loop on purpose: create_topics must cope with that
    assert broker.create_topics([TopicSpec(topic, 3, 1)]) == [topic]

    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, b"hello", key=b"market-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        assert consumer.partitions_for_topic(topic) == {0, 1, 2}
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (record.key, record.value, record.partition) == (b"market-1", b"hello", meta.partition)


def test_auto_topic_creation_is_off(broker: KafkaBroker) -> None:
    text = broker.config_path.read_text()
    assert "auto.create.topics.enable=false" in text
    assert f"listeners=PLAINTEXT://127.0.0.1:{broker.port},CONTROLLER://127.0.0.1:" in text


def test_broker_start_failure_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "no-jars"
    empty.mkdir()
    broker = KafkaBroker(tmp_path / "data", _port(), _port(), tmp_path / "kafka.log", empty)
    with pytest.raises(KafkaError, match="formatting Kafka storage"):
        broker.start()


def test_broker_restart_keeps_topics_then_stops_cleanly(broker: KafkaBroker, settings: Settings) -> None:
    """Last test of the module: stops the shared broker, restarts it on the same data dir, stops it."""
    names = {spec.name for spec in topic_specs(settings)}
    broker.create_topics(topic_specs(settings))
    first_pid = broker.pid
    assert first_pid is not None
    cluster_id = (broker.data_dir / "log" / "meta.properties").read_text()

    broker.stop()
    assert not procs.pid_alive(first_pid)

    broker.start()
    broker.wait_ready(timeout=90)
    assert (broker.data_dir / "log" / "meta.properties").read_text() == cluster_id  # not re-formatted
    assert broker.create_topics(topic_specs(settings)) == []
    assert names

    second_pid = broker.pid
    assert second_pid is not None and second_pid != first_pid
    broker.stop()
    assert not procs.pid_alive(second_pid)


def test_jar_cache_runs_maven_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    libs = tmp_path / "libs"
    assert kafka_broker.ensure_kafka_jars(libs) == libs
    names = {path.name for path in libs.glob("*.jar")}
    assert "kafka_2.13-4.1.1.jar" in names
    assert "slf4j-api-2.0.17.jar" in names
    assert "kafka-tools-4.1.1.jar" in names  # the operator's commands (lingong kafka-tool)
    assert not any(name.startswith("slf4j-api-1.") for name in names)
    assert not any(tmp_path.glob(".libs.build")) and not any(tmp_path.glob(".libs.staging"))

    def no_maven(*args: object) -> None:
        raise AssertionError("maven must not run when the cache is complete")

    monkeypatch.setattr(kafka_broker, "_fetch_with_maven", no_maven)
    assert kafka_broker.ensure_kafka_jars(libs) == libs
    (libs / ".lingong-complete").unlink()  # an interrupted fetch leaves no marker
    with pytest.raises(AssertionError, match="must not run"):
        kafka_broker.ensure_kafka_jars(libs)
