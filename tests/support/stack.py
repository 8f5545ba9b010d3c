"""The real stack for tests: a Kafka broker and a Redis of the test session's own, plus platform processes.

Never touches a user's running stack: fresh temporary directories, free ports, a unique topic prefix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local import procs
from deploy.local.kafka_broker import KafkaBroker, ensure_kafka_jars
from deploy.local.redis_server import RedisServer, ensure_redis_installed
from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

#: Every log file the test stack writes (platform processes, broker, Redis, the in-process gateway): the leak
#: test scans them all.
LOG_FILES: list[Path] = []


@contextmanager
def kafka_broker(workdir: Path) -> Iterator[KafkaBroker]:
    broker = KafkaBroker(
        data_dir=workdir / "data",
        port=procs.free_port(),
        controller_port=procs.free_port(),
        log_path=workdir / "kafka.log",
        jars=ensure_kafka_jars(),
    )
    LOG_FILES.append(workdir / "kafka.log")
    broker.start()
    try:
        broker.wait_ready(timeout=120)
        yield broker
    finally:
        broker.stop()


@contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(
        data_dir=workdir / "data",
        port=procs.free_port(),
        log_path=workdir / "redis.log",
        executable=ensure_redis_installed(),
    )
    LOG_FILES.append(workdir / "redis.log")
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


class PlatformProcess:
    """A platform process (``python -m <module>``) started with the test settings; its log is kept."""

    def __init__(self, name: str, argv: list[str], settings: Settings, workdir: Path) -> None:
        self.name = name
        self.log = workdir / f"{name}.log"
        LOG_FILES.append(self.log)
        env = {**os.environ, **settings.to_environ(), "PYTHONUNBUFFERED": "1"}
        # Faust keeps its table directory ("<app id>-data") under the working directory, never in the checkout.
        if "F_DATADIR" not in env:
            (workdir / "faust").mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
            env["F_DATADIR"] = str(workdir / "faust" / "{conf.name}-data")
        self.proc: subprocess.Popen[bytes] = procs.spawn(argv, self.log, env=env, cwd=ROOT)

    def wait_for_log(self, needle: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self.proc.returncode}:\n{procs.tail(self.log, 60)}")
            if needle in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name}: {needle!r} not seen in {timeout}s:\n{procs.tail(self.log, 60)}")

    def stop(self, timeout: float = 20) -> None:
        procs.terminate_group(self.proc.pid, timeout=timeout)


def stream_worker(settings: Settings, workdir: Path, module: str = "streams") -> PlatformProcess:
    """A stream worker, ``python -m streams`` (or the test entry point ``module`` that runs one)."""
    worker = PlatformProcess("streams", [sys.executable, "-m", module, "worker", "-l", "info"], settings, workdir)
    worker.wait_for_log("Worker ready")
    return worker


def projector(settings: Settings, workdir: Path) -> PlatformProcess:
    process = PlatformProcess("projector", [sys.executable, "-m", "projector"], settings, workdir)
    process.wait_for_log("projector started")
    return process
