"""``python -m deploy.compose.topics``: create every topic of :func:`services.topics.topic_specs` on a cluster.

The compose file's one-shot ``topics`` service runs it before the platform starts: partitions, replication
factor (``LINGONG_REPLICATION_FACTOR``, 3 there) and topic configs come from the settings; existing topics are
left alone. Waits for the brokers (up to ``--timeout`` seconds) and exits non-zero when they do not answer.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from aiokafka.errors import KafkaError

from deploy.local.kafka_broker import KafkaBroker
from services.settings import Settings
from services.topics import topic_specs


class Cluster(KafkaBroker):
    """The admin side of :class:`KafkaBroker` (``create_topics``) for a cluster this process did not start."""

    def __init__(self, bootstrap: str) -> None:  # no process to supervise: only the bootstrap address
        self._bootstrap = bootstrap

    @property
    def bootstrap(self) -> str:
        return self._bootstrap


def create_all(settings: Settings, timeout: float) -> list[str]:
    """Create the missing topics, retrying while the cluster is still starting; returns the names created."""
    cluster = Cluster(settings.kafka_bootstrap)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return cluster.create_topics(topic_specs(settings))
        except (KafkaError, OSError) as error:
            if time.monotonic() > deadline:
                raise
            print(f"waiting for Kafka at {settings.kafka_bootstrap}: {error!r}", file=sys.stderr)
            time.sleep(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.compose.topics", description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    created = create_all(Settings.from_environ(os.environ), args.timeout)
    print(f"topics created: {', '.join(created) or 'none (all existed)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
