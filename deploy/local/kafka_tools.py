"""Kafka's own operator commands (kafka-tools, fetched with the broker's jars) against the platform's cluster.

``lingong kafka-tool <command> [arguments]`` runs one of :data:`COMMANDS` with the jars of
:func:`deploy.local.kafka_broker.ensure_kafka_jars`, adding ``--bootstrap-server`` (the stack's bootstrap) when the
arguments do not name one: ``lingong kafka-tool topics --list``, ``lingong kafka-tool groups --describe --all-groups``
(consumer lag per partition), ``lingong kafka-tool quorum describe --status`` (the KRaft controllers).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from deploy.local.kafka_broker import ensure_kafka_jars, java_executable

#: The short names an operator types, and the tool class each runs (Apache Kafka 4.x, kafka-tools).
COMMANDS: dict[str, str] = {
    "topics": "org.apache.kafka.tools.TopicCommand",
    "groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "quorum": "org.apache.kafka.tools.MetadataQuorumCommand",
    "offsets": "org.apache.kafka.tools.GetOffsetShell",
    "log-dirs": "org.apache.kafka.tools.LogDirsCommand",
    "cluster": "org.apache.kafka.tools.ClusterTool",
}


def command_line(tool: str, arguments: Sequence[str], bootstrap: str, libs: Path, java: str) -> list[str]:
    """The ``java`` command line that runs ``tool`` (a key of :data:`COMMANDS`) against ``bootstrap``."""
    if tool not in COMMANDS:
        raise ValueError(f"unknown tool {tool!r}: one of {', '.join(COMMANDS)}")
    named = any(a == "--bootstrap-server" or a.startswith("--bootstrap-server=") for a in arguments)
    extra = [] if named or tool == "cluster" else ["--bootstrap-server", bootstrap]
    return [java, "-cp", f"{libs}/*", COMMANDS[tool], *extra, *arguments]


def run(tool: str, arguments: Sequence[str], bootstrap: str) -> int:
    """Run ``tool`` in the foreground; its exit status."""
    line = command_line(tool, arguments, bootstrap, ensure_kafka_jars(), java_executable())
    return subprocess.run(line, check=False).returncode
