"""Reproducer (not collected by pytest): a stream worker killed with SIGKILL can leave a partition stalled.

Found while writing the roster test (issue 3) and kept for the fault battery (issue 8). Two stream workers
share the partitions; 16 check-ins (8 workers × 2 markets) are produced at once, one worker is killed
``DELAY`` seconds later, 16 more are produced, the killed worker is restarted. Every check-in must be
admitted or refused (32 decisions). In about two runs of three with ``DELAY=0`` only 21-29 are decided after
60 s: one worker-commands partition stops being consumed by its new owner, with no error in any log; the
same run without the kill always decides all 32. Adding logging to the agent changes the timing and hides
it. Run::

    .venv/bin/python -m tests.faults.repro_kill_stall 0     # 0, 0.3, 1: seconds between produce and kill
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer

from services import identity, records, topics
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import TEST_NOW, new_id_number
from tests.support import stack
from tests.support.kafka_reader import read_topic

PAIRS = 8


async def _produce(settings: Settings) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        sends = []
        for _ in range(PAIRS):
            worker = identity.pseudonymise(new_id_number(), settings.pseudonym_key)
            for market in ("zs-market", "sc-market"):
                command = records.CheckIn(
                    id=str(uuid.uuid4()),
                    at=TEST_NOW,
                    market_id=market,
                    county="zhongshan",
                    worker=worker,
                    worker_masked="5202**********0000",
                    kiosk_id="k",
                    trades=("mason",),
                    min_day_wage=100,
                    available_from=420,
                    available_until=1080,
                )
                topic = settings.topic(topics.WORKER_COMMANDS)
                sends.append(producer.send_and_wait(topic, records.encode(command), key=worker.encode()))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


def main(delay: float) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="lingong-stall-"))
    with stack.kafka_broker(workdir / "kafka") as kafka, stack.redis_server(workdir / "redis") as redis:
        settings = Settings(
            kafka_bootstrap=kafka.bootstrap,
            redis_url=redis.url,
            partitions=3,
            streams_app_id="stall",
            tick_interval_seconds=0,
            stream_session_timeout_seconds=10,
            stream_commit_interval_seconds=0.5,
        )
        kafka.create_topics(topic_specs(settings))
        workers = [stack.stream_worker(settings, workdir / "a"), stack.stream_worker(settings, workdir / "b")]

        async def run() -> int:
            await _produce(settings)
            await asyncio.sleep(delay)
            os.killpg(workers[0].proc.pid, signal.SIGKILL)
            await _produce(settings)
            workers[0] = stack.stream_worker(settings, workdir / "a-restarted")
            began = time.monotonic()
            decided: set[str] = set()
            while time.monotonic() - began < 60 and len(decided) < 4 * PAIRS:
                facts = await read_topic(settings.kafka_bootstrap, settings.topic(topics.WORKER_EVENTS))
                decided = {records.decode_worker_event(m.value).command_id for m in facts}
                await asyncio.sleep(1)
            print(f"decided {len(decided)} of {4 * PAIRS} in {time.monotonic() - began:.0f}s; logs in {workdir}")
            return 0 if len(decided) == 4 * PAIRS else 1

        try:
            return asyncio.run(run())
        finally:
            for worker in workers:
                worker.stop()


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
