"""Reproducer (not collected by pytest): a stream worker killed with SIGKILL could leave a partition stalled.

Fixed by streams/faust_patches.py (three Faust races that moved the fetch position past records no agent
received); before the fix 2 runs in 3 stalled, after it 0 of 14. Kept as a quick check after a Faust upgrade.

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

from services import topics
from services.market import records
from services.people import identity
from services.records import encode
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
                sends.append(producer.send_and_wait(topic, encode(command), key=worker.encode()))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def _diagnose(settings: Settings, decided: set[str]) -> None:
    """Per worker-commands partition: end offset, the group's committed offset, commands left undecided."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    topic = settings.topic(topics.WORKER_COMMANDS)
    commands = await read_topic(settings.kafka_bootstrap, topic)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.streams_app_id)
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in sorted({m.partition for m in commands})]
        ends = await consumer.end_offsets(tps)
    finally:
        await consumer.stop()
    for tp in tps:
        undecided = [
            m.offset
            for m in commands
            if m.partition == tp.partition and records.decode_worker_command(m.value).id not in decided
        ]
        meta = committed.get(tp)
        print(
            f"{tp.topic}[{tp.partition}] end={ends[tp]} committed={meta.offset if meta else None} undecided={undecided}"
        )


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
            await _diagnose(settings, decided)
            if len(decided) < 4 * PAIRS:  # mode's workers dump every task's stack on SIGUSR1
                for worker in workers:
                    os.kill(worker.proc.pid, signal.SIGUSR2)
                await asyncio.sleep(3)
            return 0 if len(decided) == 4 * PAIRS else 1

        try:
            return asyncio.run(run())
        finally:
            for worker in workers:
                worker.stop()


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0))
