"""deploy/compose/compose.yaml: valid against the compose specification, and consistent with the platform.

Docker does not run here, so the file is checked, not started: the compose-spec JSON schema (vendored in
deploy/compose/schema/), then what the schema cannot know — every ``LINGONG_*`` name is a field of
:class:`Settings` and every field is set (each is documented in docs/operations.md: test_settings_table.py), the
settings parse, the KRaft quorum is one and the same on all three brokers, replication 3 with min.insync.replicas 2,
healthchecks and ordered start-up.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose"
PLATFORM = ("gateway", "streams", "projector", "topics")
BROKERS = ("kafka-1", "kafka-2", "kafka-3")
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    return loaded


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` against ``environ``."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        if environ.get(name):
            return environ[name]
        if op and op.endswith("?"):
            raise KeyError(f"{name}: {arg}")
        return arg

    return _VARIABLE.sub(one, value)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_the_file_is_valid_against_the_compose_spec_schema(compose: dict[str, Any]) -> None:
    schema = json.loads((COMPOSE / "schema" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_every_lingong_variable_is_a_setting_and_every_setting_is_set(compose: dict[str, Any]) -> None:
    fields = {f"LINGONG_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    for name in PLATFORM:
        env = environment(compose["services"][name])
        unknown = {k for k in env if k.startswith("LINGONG_")} - fields
        assert not unknown, f"{name}: not settings: {unknown}"
        assert fields <= set(env), f"{name}: settings without a variable: {fields - set(env)}"


def test_the_platform_settings_parse_with_the_defaults_and_a_secret(compose: dict[str, Any]) -> None:
    secret = {"LINGONG_PSEUDONYM_KEY": "a-production-secret-of-32-bytes!"}
    for name in PLATFORM:
        env = {k: interpolate(v, secret) for k, v in environment(compose["services"][name]).items()}
        settings = Settings.from_environ(env)
        assert settings.dev_mode is False and settings.replication_factor == 3
        assert settings.kafka_bootstrap.split(",") == [f"{b}:9092" for b in BROKERS]
        assert settings.redis_url == "redis://redis:6379/0"


def test_the_pseudonym_key_has_no_default(compose: dict[str, Any]) -> None:
    env = environment(compose["services"]["gateway"])
    with pytest.raises(KeyError, match="LINGONG_PSEUDONYM_KEY"):
        interpolate(env["LINGONG_PSEUDONYM_KEY"], {})


def test_three_kraft_brokers_share_one_quorum_with_rf_3_and_min_isr_2(compose: dict[str, Any]) -> None:
    voters: set[str] = set()
    ids = []
    for name in BROKERS:
        service = compose["services"][name]
        env = environment(service)
        assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
        voters.add(env["KAFKA_CONTROLLER_QUORUM_VOTERS"])
        ids.append(env["KAFKA_NODE_ID"])
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2"
        assert env["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"
        assert env["CLUSTER_ID"]
    (quorum,) = voters
    assert sorted(ids) == ["1", "2", "3"]
    assert quorum.split(",") == [f"{n}@kafka-{n}:9093" for n in ids]
    listeners = environment(compose["services"]["kafka-1"])["KAFKA_LISTENERS"]
    assert "CONTROLLER://:9093" in listeners


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name == "topics":
            assert service["restart"] == "no"  # a one-shot job: it exits when the topics exist
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"


def test_start_up_order_brokers_then_topics_then_the_platform(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {b: {"condition": "service_healthy"} for b in BROKERS} == services["topics"]["depends_on"]
    for name in ("gateway", "streams", "projector"):
        depends = services[name]["depends_on"]
        assert depends["topics"] == {"condition": "service_completed_successfully"}
        assert depends["redis"] == {"condition": "service_healthy"}
    assert services["front"]["depends_on"]["gateway"] == {"condition": "service_healthy"}


def test_gateways_and_stream_workers_scale_and_share_one_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("gateway", "streams"):
        replicas = interpolate(str(services[name]["deploy"]["replicas"]), {})
        assert int(replicas) >= 2
    images = {services[n]["image"] for n in PLATFORM}
    assert len(images) == 1
    assert all(services[n]["build"]["dockerfile"] == "Dockerfile" for n in PLATFORM)
    assert (ROOT / services["gateway"]["build"]["context"].replace("../..", "") / "Dockerfile").is_file() or (
        ROOT / "Dockerfile"
    ).is_file()


def test_every_service_command_is_a_module_of_the_image(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) ", dockerfile, flags=re.MULTILINE))
    for name in PLATFORM:
        command = compose["services"][name]["command"]
        assert command[:2] == ["python", "-m"]
        module = command[2]
        assert module.split(".")[0] in copied, f"{name}: {module} is not copied into the image"
        path = ROOT / Path(*module.split("."))
        assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), module
    assert "USER lingong" in dockerfile  # not root


def test_the_front_config_points_at_the_gateway_service() -> None:
    conf = (COMPOSE / "nginx.conf").read_text()
    assert "server gateway:8080" in conf and "listen 8080" in conf
