"""The processes of one benchmark namespace: gateways, stream workers, the projector, started like the tests do.

A namespace is a :class:`Settings` with its own topic prefix and Faust application id on the run's shared
Kafka and Redis (started by :mod:`tests.support.stack` on free ports). Every process is a real
``python -m ...`` child; :func:`peak_rss_mib` reads its resident-set high-water mark (``VmHWM``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import time
import uuid
from pathlib import Path

import aiohttp

from deploy.local import procs
from deploy.local.demo import wait_for_credentials
from services import geography
from services.adapters.registry import register_credential
from services.settings import Settings
from services.topics import topic_specs
from tests.benchmarks.perf.profile import Profile
from tests.support import stack

#: Kiosks per market and employers registered for each namespace (the "many concurrent" clients).
KIOSKS_PER_MARKET = 8
EMPLOYERS = 4


@dataclasses.dataclass
class Credentials:
    """Bearer tokens: kiosk tokens by market, and employer tokens."""

    kiosks: dict[str, list[tuple[str, str]]]  # market -> [(subject_id, token)]
    employers: list[tuple[str, str]]  # [(subject_id, token)]


def namespace(kafka: stack.KafkaBroker, redis: stack.RedisServer, name: str, **overrides: object) -> Settings:
    """Fresh settings (prefix, app id, gateway port) on the shared broker and Redis; topics are created."""
    run = uuid.uuid4().hex[:6]
    settings = Settings(
        kafka_bootstrap=kafka.bootstrap,
        redis_url=redis.url,
        pseudonym_key=b"perf-pseudonym-key-" + run.encode(),
        topic_prefix=f"perf-{name}-{run}.",
        streams_app_id=f"lingong-perf-{name}-{run}",
        projector_group="projector",
        gateway_port=procs.free_port(),
        **overrides,  # type: ignore[arg-type]
    )
    kafka.create_topics(topic_specs(settings))
    return settings


class Platform:
    """The running processes of one namespace; :meth:`stop` ends them all (each by its own process group)."""

    def __init__(self, settings: Settings, workdir: Path) -> None:
        self.settings = settings
        self.workdir = workdir
        self.processes: dict[str, stack.PlatformProcess] = {}

    def start_projector(self) -> None:
        self.processes["projector"] = stack.projector(self.settings, self.workdir)

    def start_workers(self, count: int) -> None:
        # Started one after the other: the second joins the group after the first is ready (one rebalance).
        for n in range(count):
            worker = stack.PlatformProcess(
                f"streams-{n}",
                [sys.executable, "-m", "streams", "worker", "-l", "info"],
                self.settings,
                self.workdir,
            )
            self.processes[worker.name] = worker
            worker.wait_for_log("Worker ready", timeout=180)

    def start_gateways(self, count: int) -> None:
        """``count`` gateway processes on one port (``SO_REUSEPORT``: the kernel spreads connections)."""
        for n in range(count):
            gateway = stack.PlatformProcess(
                f"gateway-{n}", [sys.executable, "-m", "gateway"], self.settings, self.workdir
            )
            self.processes[gateway.name] = gateway
            gateway.wait_for_log("Running on", timeout=60)

    def start_bare_http(self, port: int) -> None:
        argv = [sys.executable, "-m", "tests.benchmarks.perf.bare_http", str(port)]
        bare = stack.PlatformProcess("bare-aiohttp", argv, self.settings, self.workdir)
        self.processes[bare.name] = bare
        bare.wait_for_log("bare aiohttp ready", timeout=60)
        wait_port(port)

    def profile(self, name: str, seconds: float) -> Profile | None:
        """A py-spy recording of process ``name`` for ``seconds`` (None when ``seconds`` is 0)."""
        if not seconds:
            return None
        return Profile(self.processes[name].proc.pid, self.workdir / f"{name}.pyspy.txt", seconds)

    def stop(self, names: list[str] | None = None) -> None:
        for name in list(self.processes) if names is None else names:
            process = self.processes.get(name)
            if process is not None and process.proc.poll() is None:
                process.stop()

    def pids(self) -> dict[str, int]:
        """The pid of each process still running."""
        return {name: p.proc.pid for name, p in self.processes.items() if p.proc.poll() is None}

    def peak_rss(self) -> dict[str, float]:
        """``VmHWM`` in MiB of each process still running (read before stopping)."""
        return {name: peak_rss_mib(p.proc.pid) for name, p in self.processes.items() if p.proc.poll() is None}


class CpuMeter:
    """CPU time per event of each named process between :meth:`start` and :meth:`per_event`.

    Unlike a throughput, this figure does not depend on what else the machine is doing: it says where the
    cycles of one event go (gateway, stream worker, projector, Kafka, Redis), and their sum bounds the rate
    the machine's cores can carry.
    """

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.started: dict[str, float] = {}

    def start(self) -> None:
        self.started = {name: cpu_ms(pid) for name, pid in self.pids.items()}

    def per_event(self, events: int) -> dict[str, float]:
        """Milliseconds of CPU per event of each process since :meth:`start`, and their ``total``."""
        used = {name: cpu_ms(pid) - self.started[name] for name, pid in self.pids.items()}
        out = {name: round(ms / events, 3) if events else float("nan") for name, ms in used.items()}
        out["total"] = round(sum(v for v in out.values() if v == v), 3)
        return out


def peak_rss_mib(pid: int) -> float:
    """The resident-set high-water mark of ``pid`` in MiB (NaN when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int | None) -> float:
    """User + system CPU time of ``pid`` so far, in milliseconds (NaN when unknown)."""
    if not pid:
        return float("nan")
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat.rpartition(")")[2].split()  # after "pid (comm)": state is fields[0], utime is field 14
    return (int(fields[11]) + int(fields[12])) * _TICK_MS


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while procs.port_free(port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on {port}")
        time.sleep(0.1)


async def register(settings: Settings) -> Credentials:
    """Kiosk and employer tokens through the real registry topic, projected to Redis by the projector."""
    kiosk_specs = [(m, f"kiosk-{m.market_id}-{n}") for m in geography.MARKETS for n in range(KIOSKS_PER_MARKET)]
    kiosk_tokens = await asyncio.gather(
        *(
            register_credential(
                settings, role="kiosk", subject_id=sid, display_name=f"{m.name_zh} 压测机", market_id=m.market_id
            )
            for m, sid in kiosk_specs
        )
    )
    employer_ids = [f"e-perf-{n}" for n in range(EMPLOYERS)]
    employer_tokens = await asyncio.gather(
        *(
            register_credential(settings, role="employer", subject_id=e, display_name=f"压测单位{e}")
            for e in employer_ids
        )
    )
    await wait_for_credentials(settings, [*kiosk_tokens, *employer_tokens])
    kiosks: dict[str, list[tuple[str, str]]] = {}
    for (market, sid), token in zip(kiosk_specs, kiosk_tokens, strict=True):
        kiosks.setdefault(market.market_id, []).append((sid, token))
    return Credentials(kiosks, list(zip(employer_ids, employer_tokens, strict=True)))


async def wait_healthy(port: int, timeout: float = 60) -> None:
    """Until ``/healthz`` of the gateway on ``port`` answers 200 (Kafka and Redis connected)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200 and (await response.json()).get("kafka"):
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"gateway on {port} not healthy")
            await asyncio.sleep(0.2)
