"""A stack of a fault test's own: broker, Redis, two stream workers and a projector on free ports (loopback),
so killing any of them never disturbs the session stack the other tests share."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from deploy.local import procs
from deploy.local.demo import wait_for_credentials
from services import geography
from services.adapters.registry import register_credential
from services.settings import Settings
from services.topics import topic_specs
from tests.faults.conftest import UNTHROTTLED
from tests.support import stack


class FaultStack:
    """The processes of one fault test; stream workers can be killed (SIGKILL) and restarted."""

    def __init__(self, settings: Settings, workdir: Path, kafka: stack.KafkaBroker, redis: stack.RedisServer) -> None:
        self.settings = settings
        self.workdir = workdir
        self.kafka = kafka
        self.redis = redis
        self.workers: list[stack.PlatformProcess] = []
        self.projector: stack.PlatformProcess | None = None
        self.restarts = 0

    def kill_worker(self, index: int) -> None:
        os.killpg(self.workers[index].proc.pid, signal.SIGKILL)
        self.workers[index].proc.wait()

    async def restart_worker(self, index: int, module: str = "streams") -> None:
        """Start stream worker ``index`` again, as ``python -m module`` (a test entry point may replace streams)."""
        self.restarts += 1
        where = self.workdir / f"worker{index}-{self.restarts}"
        self.workers[index] = await asyncio.to_thread(stack.stream_worker, self.settings, where, module)

    async def restart_projector(self) -> None:
        """Start the projector again if it exited (as ``lingong up`` restarts what died)."""
        if self.projector is not None and self.projector.proc.poll() is None:
            return
        self.restarts += 1
        where = self.workdir / f"projector-{self.restarts}"
        self.projector = await asyncio.to_thread(stack.projector, self.settings, where)

    async def diagnose(self) -> str:
        """Ask each live stream worker for its consumer state (SIGUSR2, streams/diagnostics.py); their log tails."""
        for worker in self.workers:
            if worker.proc.poll() is None:
                os.kill(worker.proc.pid, signal.SIGUSR2)
        await asyncio.sleep(3)
        return "\n".join(f"--- {w.log}\n{procs.tail(w.log, 40)}" for w in self.workers)


@contextmanager
def fault_stack(workdir: Path, *, workers: int = 2, **overrides: Any) -> Iterator[FaultStack]:
    """The stack; ``overrides`` replace fields of its :class:`Settings`."""
    with stack.kafka_broker(workdir / "kafka") as kafka, stack.redis_server(workdir / "redis") as redis:
        settings = Settings(
            kafka_bootstrap=kafka.bootstrap,
            redis_url=redis.url,
            pseudonym_key=b"fault-key-" + uuid.uuid4().hex.encode(),
            partitions=3,
            streams_app_id=f"fault-{uuid.uuid4().hex[:8]}",
            produce_timeout_seconds=3.0,
            tick_interval_seconds=0,
            stream_session_timeout_seconds=10,
            stream_commit_interval_seconds=0.5,
            posting_burst_max=10**6,
            **UNTHROTTLED,
        )
        settings = dataclasses.replace(settings, **overrides)
        kafka.create_topics(topic_specs(settings))
        battery = FaultStack(settings, workdir, kafka, redis)
        battery.projector = stack.projector(settings, workdir / "projector")
        try:
            for n in range(workers):
                battery.workers.append(stack.stream_worker(settings, workdir / f"worker{n}"))
            yield battery
        finally:
            for worker in battery.workers:
                worker.stop()
            if battery.projector is not None:
                battery.projector.stop()


async def issue_credentials(settings: Settings) -> dict[str, str]:
    """A kiosk token per market, an employer token and the city administrator's (``admin``: reports and the
    dashboard city-wide), made known to the gateway through the registry topic."""
    tokens = {
        m.market_id: await register_credential(
            settings, role="kiosk", subject_id=f"kiosk-{m.market_id}", display_name="故障测试机", market_id=m.market_id
        )
        for m in geography.MARKETS
    }
    tokens["employer"] = await register_credential(
        settings, role="employer", subject_id="e-fault", display_name="故障测试用工单位"
    )
    tokens["admin"] = await register_credential(
        settings, role="admin", subject_id="a-fault", display_name="故障测试市级管理员"
    )
    await wait_for_credentials(settings, list(tokens.values()))
    return tokens
