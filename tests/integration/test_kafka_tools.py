"""``lingong kafka-tool``: Kafka's own operator commands run against the session's real broker, with the jars
fetched beside the broker's (deploy/local/kafka_tools.py)."""

from __future__ import annotations

import subprocess

import pytest

from deploy.local import kafka_tools
from deploy.local.kafka_broker import ensure_kafka_jars, java_executable
from services import topics
from services.settings import Settings

pytestmark = pytest.mark.integration


def _output(tool: str, *arguments: str, settings: Settings) -> str:
    line = kafka_tools.command_line(tool, arguments, settings.kafka_bootstrap, ensure_kafka_jars(), java_executable())
    done = subprocess.run(line, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_an_operator_lists_the_topics_and_reads_the_stream_worker_s_lag(platform: Settings) -> None:
    listed = _output("topics", "--list", settings=platform).split()
    assert platform.topic(topics.MARKET_COMMANDS) in listed
    groups = _output("groups", "--describe", "--group", platform.streams_app_id, settings=platform)
    assert "LAG" in groups and platform.topic(topics.MARKET_COMMANDS) in groups


def test_an_operator_sees_the_kraft_quorum(platform: Settings) -> None:
    status = _output("quorum", "describe", "--status", settings=platform)
    assert "LeaderId" in status and "CurrentVoters" in status


def test_an_unknown_tool_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="topics, groups, quorum"):
        kafka_tools.command_line("rm-rf", [], "127.0.0.1:9092", ensure_kafka_jars(), "java")
