"""The measurements of one run, each a coroutine returning a JSON-ready dict.

* :func:`http_ceiling` — the gateway's check-in endpoint and a bare aiohttp handler, ramped step by step at
  the same fixed arrival rates, back to back: throughput, latency percentiles, the ratio.
* :func:`kiosk_to_offer` — check-ins at 500/s against open job requests; latency from each check-in's
  scheduled send time to the moment its ticket view in Redis (the status URL's read model) says ``offered``.
* :func:`pipeline_ramp` — check-in records fed straight to ``worker-commands`` at rising rates; the
  end-to-end lag (records in, minus ``worker_queued`` facts out) per step; bounded or not.
* :func:`stream_ceiling` — the same pre-loaded commands through the matcher agent and through a bare Faust
  agent that only decodes and counts: events per second of each, the ratio.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import hiredis
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.consumer import AIOKafkaConsumer

from services import topics
from services.market import records
from services.readmodels import keys
from services.records import encode
from services.settings import Settings
from services.topics import TopicSpec
from tests.benchmarks.perf import workload
from tests.benchmarks.perf.loadgen import Outcome, Pool, clock, percentiles, run_open_loop, summarise
from tests.benchmarks.perf.platform import CpuMeter, Credentials, Platform
from tests.benchmarks.perf.platform import cpu_ms as process_cpu_ms
from tests.support import stack
from tests.support.kafka_reader import read_topic

#: A step is saturated when less than this share of the offered rate completes, or p99 exceeds the bound.
SATURATED_SHARE = 0.9
SATURATED_P99_MS = 1000.0
#: Keep-alive connections of the load generator: the kiosks on the market floors (each one request at a time).
CONNECTIONS = 256
#: Requests of each server's warm-up before the HTTP ramp.
WARMUP_COUNT = 300


def _saturated(summary: dict[str, Any]) -> bool:
    offered = summary["offered_per_s"]
    return (
        summary["ok"] < SATURATED_SHARE * summary["sent"]
        or summary["achieved_per_s"] < SATURATED_SHARE * offered
        or not summary["p99_ms"] <= SATURATED_P99_MS
    )


async def http_ceiling(
    gateway_port: int,
    bare_port: int,
    credentials: Credentials,
    rates: list[int],
    step_seconds: float,
    cpu_pids: dict[str, int | None] | None = None,
) -> dict[str, Any]:
    """Ramp both servers through ``rates``; each step of each target runs right after the other's. Each step
    records the CPU milliseconds per request it cost every process of ``cpu_pids`` (servers, Kafka, Redis) and
    this process (``load_generator``), from the step's start to the end of the pause after it."""
    pids = {**(cpu_pids or {}), LOAD_GENERATOR: os.getpid()}
    kiosks = workload.Kiosks(credentials.kiosks, "127.0.0.1", gateway_port)
    pools = {
        "gateway": Pool("127.0.0.1", gateway_port, CONNECTIONS),
        "bare_aiohttp": Pool("127.0.0.1", bare_port, CONNECTIONS),
    }
    for pool in pools.values():
        await pool.open()
    counter = iter(range(10**9))
    accepted: list[str] = []

    def make(_: int) -> tuple[bytes, object]:
        return kiosks.check_in(next(counter), workload.QUEUE_TRADE)

    steps: dict[str, list[dict[str, Any]]] = {name: [] for name in pools}
    try:
        for name, pool in pools.items():  # warm up: connections, the producer, Redis
            outcomes = await run_open_loop(pool, make, rate=200, count=WARMUP_COUNT)
            accepted += _accepted_ids(outcomes) if name == "gateway" else []
        live = set(pools)
        for rate in rates:
            for name in [n for n in pools if n in live]:
                before = {n: process_cpu_ms(pid) for n, pid in pids.items()}
                outcomes = await run_open_loop(pools[name], make, rate=rate, count=int(rate * step_seconds))
                if name == "gateway":
                    accepted += _accepted_ids(outcomes)
                summary = summarise(outcomes, rate)
                summary["saturated"] = _saturated(summary)
                steps[name].append(summary)
                print(f"  http {name:12s} {_line(summary)}", flush=True)
                if summary["saturated"]:
                    live.discard(name)
                await asyncio.sleep(1.0)  # let queues drain before the other side's step
                summary["cpu_ms_per_request"] = {
                    n: round((process_cpu_ms(pid) - before[n]) / max(1, summary["sent"]), 4) for n, pid in pids.items()
                }
            if not live:
                break
    finally:
        for pool in pools.values():
            pool.close()
    result: dict[str, Any] = {"steps": steps, "accepted_checkins": accepted}
    result.update(score_http(steps))
    return result


def score_http(steps: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per target: throughput = the highest achieved rate of any step (at a saturated step: its capacity), the
    highest offered rate it sustained unsaturated, and the step the throughput comes from; the ratio."""
    result: dict[str, Any] = {}
    for name, runs in steps.items():
        best = max(runs, key=lambda s: s["achieved_per_s"])
        sustained = [s["offered_per_s"] for s in runs if not s["saturated"]]
        result[name] = {
            "throughput_per_s": best["achieved_per_s"],
            "sustained_rate_per_s": max(sustained, default=0),
            "at_step": best,
        }
    gateway, bare = result["gateway"], result["bare_aiohttp"]
    result["ratio"] = gateway["throughput_per_s"] / bare["throughput_per_s"] if bare["throughput_per_s"] else None
    result["cpu_model"] = cpu_model(steps)
    return result


#: The name of this process (the open-loop load generator) in a step's ``cpu_ms_per_request``.
LOAD_GENERATOR = "load_generator"


def cpu_model(
    steps: dict[str, list[dict[str, Any]]], cores: int | None = None, target: float = 0.6
) -> dict[str, Any] | None:
    """What the CPU per request explains of the two throughputs, and what the gateway could reach at best.

    From each target's highest unsaturated step: the CPU milliseconds per request of its server processes
    (``gateway-*`` / ``bare-aiohttp``) and of everything else measured (Kafka, Redis, the load generator). A
    target's throughput is bounded by the machine (``cores`` × 1,000 ms per second over the sum) and by its
    server processes (each a single thread: 1,000 ms per second each). ``bound_ratio_if_gateway_cost_bare``
    is the ratio if the gateway's own CPU per request were the bare handler's, everything else as measured:
    what Kafka, Redis and the load generator sharing the machine leave for any gateway that durably accepts.
    ``gateway_cpu_ms_per_request_for_target``: the most CPU per request the gateway may spend for a predicted
    ratio of ``target``, the rest as measured.
    """
    cores = cores or os.cpu_count() or 1
    tops: dict[str, dict[str, float]] = {}
    for name, runs in steps.items():
        measured = [s for s in runs if not s["saturated"] and s.get("cpu_ms_per_request")]
        if not measured:
            return None
        tops[name] = dict(max(measured, key=lambda s: s["offered_per_s"])["cpu_ms_per_request"])

    def server_names(name: str, cpu: dict[str, float]) -> list[str]:
        prefix = "gateway-" if name == "gateway" else "bare-aiohttp"
        return [n for n in cpu if n.startswith(prefix)]

    def capacity(server_ms: float, servers: int, total_ms: float) -> float:
        return min(cores * 1000 / total_ms, servers * 1000 / server_ms)

    out: dict[str, Any] = {"cores": cores}
    for name, cpu in tops.items():
        servers = server_names(name, cpu)
        server_ms = sum(cpu[n] for n in servers)
        others = {n: ms for n, ms in cpu.items() if not any(n.startswith(p) for p in ("gateway-", "bare-aiohttp"))}
        total = server_ms + sum(others.values())
        out[name] = {
            "server_cpu_ms_per_request": round(server_ms, 4),
            "other_cpu_ms_per_request": {n: round(ms, 4) for n, ms in others.items()},
            "machine_cpu_ms_per_request": round(total, 4),
            "predicted_per_s": round(capacity(server_ms, len(servers), total)),
        }
    gateway, bare = out["gateway"], out["bare_aiohttp"]
    out["predicted_ratio"] = round(gateway["predicted_per_s"] / bare["predicted_per_s"], 3)
    servers = len(server_names("gateway", tops["gateway"]))
    as_bare = bare["server_cpu_ms_per_request"]
    best = capacity(as_bare, servers, as_bare + sum(gateway["other_cpu_ms_per_request"].values()))
    out["bound_ratio_if_gateway_cost_bare"] = round(best / bare["predicted_per_s"], 3)
    needed = target * bare["predicted_per_s"]
    others = sum(gateway["other_cpu_ms_per_request"].values())
    allowed = min(servers * 1000 / needed, cores * 1000 / needed - others)
    out["gateway_cpu_ms_per_request_for_target"] = {"target": target, "ms": round(allowed, 4)}
    return out


def _accepted_ids(outcomes: list[Outcome]) -> list[str]:
    return [o.tag[1] for o in outcomes if o.status == 202]  # type: ignore[index]


def _line(s: dict[str, Any]) -> str:
    return (
        f"offered {s['offered_per_s']:6.0f}/s achieved {s['achieved_per_s']:7.1f}/s errors {s['errors']:5d} "
        f"p50 {s['p50_ms']:7.1f} p99 {s['p99_ms']:7.1f} p99.9 {s['p999_ms']:7.1f} ms"
        f" (sender lag ≤ {s.get('send_lag_max_ms', 0.0):.0f} ms)" + (" SATURATED" if s.get("saturated") else "")
    )


# ---------------------------------------------------------------- kiosk to offer


async def post_jobs(settings: Settings, credentials: Credentials, per_market: int, headcount: int) -> list[str]:
    """Open ``per_market`` requests of ``headcount`` places in every market; wait until all are projected."""
    base = f"http://127.0.0.1:{settings.gateway_port}"
    now = workload.utc_now()
    ids: list[str] = []
    async with aiohttp.ClientSession() as session:
        n = 0
        for market in workload.MARKETS:
            for _ in range(per_market):
                _, token = credentials.employers[n % len(credentials.employers)]
                n += 1
                body = workload.job_body(market, workload.OFFER_TRADE, headcount, now)
                headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": os.urandom(12).hex()}
                async with session.post(f"{base}/api/v1/job-requests", json=body, headers=headers) as response:
                    answer = await response.json()
                    if response.status != 202:
                        raise RuntimeError(f"job request refused: {response.status} {answer}")
                    ids.append(answer["request_id"])
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        deadline = time.monotonic() + 120
        names = [keys.job_request(settings.topic_prefix, i) for i in ids]
        while await redis.exists(*names) < len(names):
            if time.monotonic() > deadline:
                raise TimeoutError("job requests were not projected in time")
            await asyncio.sleep(0.2)
    finally:
        await redis.aclose()
    return ids


class _ChangeFeed(asyncio.Protocol):
    """A raw RESP connection subscribed to one channel pattern; hands each notified channel to ``on_change``.

    Cheaper per notice than redis-py's pub/sub (one hiredis parse, no task switch), so that the watcher takes
    little CPU from the platform it measures."""

    def __init__(self, pattern: bytes, on_change: Callable[[bytes], None]) -> None:
        self.pattern, self.on_change = pattern, on_change
        self.reader = hiredis.Reader()
        self.transport: asyncio.Transport | None = None
        self.subscribed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio's classes
        transport.write(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(self.pattern), self.pattern))

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            if reply[0] == b"pmessage":
                self.on_change(reply[2])
            elif reply[0] == b"psubscribe" and not self.subscribed.done():
                self.subscribed.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(ConnectionError(f"change feed lost: {exc!r}"))


class OfferWatch:
    """Notes when each watched check-in's ticket view turns ``offered``.

    The projector publishes a notice on the view's change channel in the same transaction as the write. The
    watcher gathers the notices of watched check-ins not yet offered and reads their views with one ``MGET``
    per gathering; a view that says ``offered`` is stamped with the clock at that reply (at most one Redis
    round trip after the write)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis = aioredis.Redis.from_url(settings.redis_url)
        self.scheduled: dict[str, float] = {}
        self.offered: dict[str, float] = {}
        self.prefix = keys.changes_channel(settings.topic_prefix, keys.ticket(settings.topic_prefix, ""))
        self.pending: set[str] = set()
        self.notified = asyncio.Event()
        self.transport: asyncio.BaseTransport | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        url = self.redis.connection_pool.connection_kwargs
        feed = _ChangeFeed((self.prefix + "*").encode(), self._changed)
        self.transport, _ = await asyncio.get_running_loop().create_connection(
            lambda: feed, url.get("host", "127.0.0.1"), url.get("port", 6379)
        )
        await feed.subscribed
        self.task = asyncio.get_running_loop().create_task(self._read_views())

    def sent(self, _: int, scheduled: float, tag: object) -> None:
        self.scheduled[tag[1]] = scheduled  # type: ignore[index]

    def _changed(self, channel: bytes) -> None:
        checkin_id = channel.decode()[len(self.prefix) :]
        if checkin_id in self.scheduled and checkin_id not in self.offered:
            self.pending.add(checkin_id)
            self.notified.set()

    async def _read_views(self) -> None:
        ticket = keys.ticket
        while True:
            await self.notified.wait()
            self.notified.clear()
            ids, self.pending = list(self.pending), set()
            views: list[bytes | None] = await self.redis.mget([ticket(self.settings.topic_prefix, i) for i in ids])
            now = clock()
            for checkin_id, raw in zip(ids, views, strict=True):
                if raw is not None and b'"status":"offered"' in raw.replace(b" ", b""):
                    self.offered.setdefault(checkin_id, now)

    async def wait(self, ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while any(i not in self.offered for i in ids) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        if self.task is not None:
            self.task.cancel()
            await asyncio.wait({self.task}, timeout=5)
        await self.redis.aclose()


async def kiosk_to_offer(
    settings: Settings,
    credentials: Credentials,
    rate: int,
    seconds: float,
    first_worker: int,
    cpu: CpuMeter | None = None,
) -> dict[str, Any]:
    """Check-ins at ``rate``/s for ``seconds`` against enough open places; the offer latency of each, and (with
    ``cpu``) each process's CPU milliseconds per accepted check-in until the last offer; the same for this
    process (building the requests, sending them, watching for offers), outside the platform's total."""
    count = int(rate * seconds)
    per_market = math.ceil(count / len(workload.MARKETS) / 200) + 1
    request_ids = await post_jobs(settings, credentials, per_market, 200)
    await asyncio.sleep(2)
    kiosks = workload.Kiosks(credentials.kiosks, "127.0.0.1", settings.gateway_port)
    watch = OfferWatch(settings)
    await watch.start()
    pool = Pool("127.0.0.1", settings.gateway_port, CONNECTIONS)
    await pool.open()
    if cpu is not None:
        cpu.start()
    own_before = process_cpu_ms(os.getpid())  # this process: the load generator and the offer watcher
    try:
        outcomes = await run_open_loop(
            pool,
            lambda i: kiosks.check_in(first_worker + i, workload.OFFER_TRADE),
            rate=rate,
            count=count,
            on_sent=watch.sent,
        )
        accepted = _accepted_ids(outcomes)
        await watch.wait(accepted, timeout=60)
        cpu_ms = cpu.per_event(len(accepted)) if cpu is not None else None
        own_ms = round((process_cpu_ms(os.getpid()) - own_before) / max(1, len(accepted)), 3)
    finally:
        pool.close()
        await watch.close()
    seen = {i: (watch.scheduled[i], watch.offered[i]) for i in accepted if i in watch.offered}
    latencies = [offered - scheduled for scheduled, offered in seen.values()]
    wall = time.time() - clock()  # this process's monotonic clock to the wall clock of the broker's timestamps
    hops = await hop_latencies(
        settings,
        {i: watch.scheduled[i] + wall for i in accepted},
        {i: offered + wall for i, (_, offered) in seen.items()},
    )

    http = summarise(outcomes, rate)
    result = {
        "rate_per_s": rate,
        "seconds": seconds,
        "http": http,
        "accepted": len(accepted),
        "offered": len(latencies),
        "offer_latency": percentiles(latencies),
        "offer_latency_p99_by_second": p99_by_second(list(seen.values())),
        "hops": hops,
        "cpu_ms_per_checkin": cpu_ms,
        "load_generator_cpu_ms_per_checkin": own_ms,
        "latencies_ms": sorted(round(x * 1000, 2) for x in latencies),
        "request_ids": request_ids,
        "accepted_checkins": accepted,
    }
    print(f"  kiosk→offer at {rate}/s: {len(latencies)}/{len(accepted)} offered, {result['offer_latency']}", flush=True)
    print(f"  (check-in HTTP at {rate}/s: {_line(http)})", flush=True)
    for hop, figures in hops.items():
        print(f"    {hop:44s} {_percentile_line(figures)}", flush=True)
    print(f"    offer p99 by second of the step (ms): {result['offer_latency_p99_by_second']}", flush=True)
    print(f"  CPU ms per check-in: {cpu_ms}; the load generator and watcher (this process): {own_ms}", flush=True)
    return result


#: The hops of a check-in on its way to an offer, each between two broker timestamps (``CreateTime``: the moment
#: the producing process handed the record to its producer) or the load generator's clock.
HOPS = (
    "kiosk → worker-commands (gateway)",
    "worker-commands → market-commands (roster)",
    "market-commands → offer_made (market)",
    "offer_made → ticket view offered (projector)",
)


async def hop_latencies(
    settings: Settings, scheduled: dict[str, float], offered: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Where the time from kiosk to offer goes: for each check-in of ``scheduled`` (id → scheduled send, wall-clock
    seconds) that was ``offered`` (id → seen offered), the time between its records' broker timestamps on
    ``worker-commands``, ``market-commands`` and its ``offer_made`` on ``market-events``; percentiles per hop."""
    bootstrap = settings.kafka_bootstrap
    stamps: dict[str, dict[str, float]] = {}

    async def note(topic: str, decode: Callable[[bytes], Any], kind: type, field: str, slot: str) -> None:
        for message in await read_topic(bootstrap, settings.topic(topic)):
            record = decode(message.value or b"")
            if isinstance(record, kind) and (checkin_id := getattr(record, field)) in scheduled:
                stamps.setdefault(checkin_id, {}).setdefault(slot, message.timestamp / 1000)

    await note(topics.WORKER_COMMANDS, records.decode_worker_command, records.CheckIn, "id", "worker_commands")
    await note(topics.MARKET_COMMANDS, records.decode_command, records.CheckIn, "id", "market_commands")
    await note(topics.MARKET_EVENTS, records.decode_event, records.OfferMade, "checkin_id", "offer_made")
    spans: dict[str, list[float]] = {hop: [] for hop in HOPS}
    for checkin_id, seen in offered.items():
        at = stamps.get(checkin_id, {})
        if len(at) < 3:
            continue
        points = (scheduled[checkin_id], at["worker_commands"], at["market_commands"], at["offer_made"], seen)
        for hop, start, end in zip(HOPS, points, points[1:], strict=False):
            spans[hop].append(end - start)
    return {hop: percentiles(values) for hop, values in spans.items()}


def p99_by_second(pairs: list[tuple[float, float]]) -> list[float]:
    """The p99 of ``(scheduled, offered)`` latencies (ms) of the check-ins scheduled in each second of a step."""
    if not pairs:
        return []
    first = min(s for s, _ in pairs)
    seconds: dict[int, list[float]] = {}
    for scheduled, seen in pairs:
        seconds.setdefault(int(scheduled - first), []).append(seen - scheduled)
    return [round(percentiles(v)["p99_ms"]) for _, v in sorted(seconds.items())]


def _percentile_line(p: dict[str, float]) -> str:
    return " ".join(f"{k.removesuffix('_ms')} {p[k]:6.1f}" for k in ("p50_ms", "p99_ms", "p999_ms", "max_ms") if k in p)


# ---------------------------------------------------------------- pipeline ramp


async def end_offsets(bootstrap: str, topic: str, partitions: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)])
        return sum(ends.values())
    finally:
        await consumer.stop()


class _Offsets:
    """Sum of a topic's end offsets, with one long-lived consumer."""

    def __init__(self, bootstrap: str, topic: str, partitions: int) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.tps = [TopicPartition(topic, p) for p in range(partitions)]

    async def __aenter__(self) -> _Offsets:
        await self.consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def total(self) -> int:
        return sum((await self.consumer.end_offsets(self.tps)).values())


def _producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5, max_batch_size=256 * 1024
    )


async def pipeline_ramp(
    settings: Settings,
    rates: list[int],
    step_seconds: float,
    first_worker: int,
    drain_timeout: float = 30,
    cpu: CpuMeter | None = None,
    stop_unbounded: bool = True,
) -> dict[str, Any]:
    """Feed check-ins to ``worker-commands`` at each rate; lag = acknowledged inputs − facts out. With ``cpu``,
    each step also gives each process's CPU milliseconds per fact put out during the step."""
    now = workload.utc_now()
    source = settings.topic(topics.WORKER_COMMANDS)
    producer = _producer(settings.kafka_bootstrap)
    await producer.start()
    acked = 0
    fed: list[str] = []

    def done(_: Any) -> None:
        nonlocal acked
        acked += 1

    steps: list[dict[str, Any]] = []
    n = first_worker
    async with _Offsets(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS), settings.partitions) as out:
        base = await out.total()
        try:
            for rate in rates:
                samples: list[tuple[float, int, int]] = []
                start = clock()
                sent = 0
                next_sample = start
                if cpu is not None:
                    cpu.start()
                while (elapsed := clock() - start) < step_seconds:
                    due = int(elapsed * rate)
                    while sent < due:
                        market = workload.MARKETS[n % len(workload.MARKETS)]
                        record = workload.check_in_record(n, market, workload.QUEUE_TRADE, settings.pseudonym_key, now)
                        future = await producer.send(source, encode(record), key=record.worker.encode())
                        future.add_done_callback(done)
                        fed.append(record.id)
                        n += 1
                        sent += 1
                    if clock() >= next_sample:
                        samples.append((clock() - start, acked, await out.total() - base))
                        next_sample += 0.5
                    await asyncio.sleep(0.01)
                step = _lag_step(rate, samples, step_seconds)
                if cpu is not None:
                    step["cpu_ms_per_fact"] = cpu.per_event(samples[-1][2] - samples[0][2])
                steps.append(step)
                print(
                    f"  pipeline offered {rate:5d}/s out {step['output_per_s']:7.1f}/s lag end {step['lag_end']:6d} "
                    f"slope {step['lag_slope_per_s']:7.1f}/s {'bounded' if step['bounded'] else 'UNBOUNDED'} "
                    f"cpu ms/fact {step.get('cpu_ms_per_fact')}",
                    flush=True,
                )
                if stop_unbounded and not step["bounded"]:
                    break
            await producer.flush()
            drain_start = clock()
            while await out.total() - base < acked and clock() - drain_start < drain_timeout:
                await asyncio.sleep(0.5)
            drained = await out.total() - base >= acked
            drain_seconds = clock() - drain_start
        finally:
            await producer.stop()
    bounded = [s for s in steps if s["bounded"]]
    return {
        "steps": steps,
        "throughput_per_s": max((s["offered_per_s"] for s in bounded), default=0),
        "max_output_per_s": max((s["output_per_s"] for s in steps), default=0.0),
        "drained": drained,
        "drain_seconds": drain_seconds,
        "fed_checkins": fed,
    }


def _lag_step(rate: int, samples: list[tuple[float, int, int]], step_seconds: float) -> dict[str, Any]:
    """Bounded: the lag's slope over the step's second half is under 10% of the rate and its end under 2 s."""
    lags = [(t, a - o) for t, a, o in samples]
    half = [(t, lag) for t, lag in lags if t >= step_seconds / 2] or lags
    slope = _slope(half)
    first, last = samples[0], samples[-1]
    output = (last[2] - first[2]) / (last[0] - first[0]) if last[0] > first[0] else 0.0
    lag_end = lags[-1][1]
    return {
        "offered_per_s": rate,
        "output_per_s": output,
        "lag_end": lag_end,
        "lag_slope_per_s": slope,
        "bounded": slope < 0.1 * rate and lag_end <= 2 * rate,
        "lag_samples": lags,
    }


def _slope(points: list[tuple[float, int]]) -> float:
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (y - mean_y) for t, y in points) / var if var else 0.0


# ---------------------------------------------------------------- the stream ceiling


async def _preload(settings: Settings, topic_names: list[str], count: int, first: int = 0) -> None:
    """The same ``count`` check-in commands (keyed by market; workers ``first``, ``first + 1``…) on each of
    ``topic_names``."""
    now = workload.utc_now()
    producer = _producer(settings.kafka_bootstrap)
    await producer.start()
    try:
        for n in range(first, first + count):
            market = workload.MARKETS[n % len(workload.MARKETS)]
            record = workload.check_in_record(n, market, workload.QUEUE_TRADE, settings.pseudonym_key, now)
            value = encode(record)
            for name in topic_names:
                await producer.send(name, value, key=market.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def _output_rate(
    settings: Settings, expect: int, timeout: float, since_ms: float = 0
) -> tuple[float, int, int, list[int]]:
    """Events/s of the matcher from its ``worker_queued`` facts' broker timestamps (first to last; only facts
    stamped at or after ``since_ms``, ms since the epoch), the facts counted, and how many of them carry a
    timestamp within 5 ms of the first (the first batch's: their records' time is not in the window, so a large
    first batch flatters a short run), and the five longest gaps (ms) between consecutive facts (where the run
    waited). Waits until the topic holds ``expect`` records (all facts, also those before ``since_ms``)."""
    topic = settings.topic(topics.MARKET_EVENTS)
    async with _Offsets(settings.kafka_bootstrap, topic, settings.partitions) as out:
        deadline = time.monotonic() + timeout
        while await out.total() < expect and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
    facts = await read_topic(settings.kafka_bootstrap, topic)
    stamps = sorted(m.timestamp for m in facts if m.timestamp >= since_ms and b'"worker_queued"' in (m.value or b""))
    if len(stamps) < 2:
        return 0.0, len(stamps), len(stamps), []
    first_burst = sum(1 for t in stamps if t - stamps[0] <= 5)
    gaps = sorted((b - a for a, b in itertools.pairwise(stamps)), reverse=True)[:5]
    return (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000), len(stamps), first_burst, gaps


#: Check-ins a first worker puts through the matcher's topics before the measured run (one full batch: every
#: partition of its output topics gets more than one write).
MATCHER_WARM_UP = 2000


def stream_ceiling(
    kafka: stack.KafkaBroker,
    settings: Settings,
    workdir: Path,
    count: int,
    run: Callable[..., Any],
    profile_seconds: float = 0,
) -> dict[str, Any]:
    """Matcher (``match_market``) and the bare agent, stock and tuned, over the same ``count`` pre-loaded commands,
    back to back. ``ratio`` is against stock Faust (the target's ceiling), ``ratio_tuned`` against Faust with the
    worker's own changes to it (:func:`streams.app.tune_framework`).

    The matcher is measured in steady state, as a long-lived deployment runs: a first worker puts
    :data:`MATCHER_WARM_UP` other check-ins through the same topics and stops; the measured worker then starts on
    the ``count`` commands. Without it, the run measured the broker's first writes to each new partition: the
    first index entry of a fresh partition waited 35-45 ms on the filesystem (the broker's request log: appends
    of 43-47 ms for one partition, 170-178 ms for five, against 0.1-0.7 ms), two pauses of ~270 and ~170 ms in
    a 0.4 s run. The bare agent writes nothing, so it has nothing to warm."""
    bare_topic, tuned_topic = settings.topic("bare-commands"), settings.topic("bare-tuned-commands")
    kafka.create_topics(
        [TopicSpec(name, settings.partitions, settings.replication_factor) for name in (bare_topic, tuned_topic)]
    )
    run(_preload(settings, [settings.topic(topics.MARKET_COMMANDS)], MATCHER_WARM_UP, first=count))
    warm_up = Platform(settings, workdir / "warm-up")
    try:
        warm_up.start_workers(1)
        run(_output_rate(settings, MATCHER_WARM_UP, timeout=300))
    finally:
        warm_up.stop()
    run(_preload(settings, [settings.topic(topics.MARKET_COMMANDS), bare_topic, tuned_topic], count))
    matcher = Platform(settings, workdir)
    try:
        since_ms = time.time() * 1000
        matcher.start_workers(1)
        profile = matcher.profile("streams-0", profile_seconds)
        rate, seen, first_burst, gaps = run(
            _output_rate(settings, MATCHER_WARM_UP + count, timeout=300, since_ms=since_ms)
        )
        memory = matcher.peak_rss()
        profiled = profile.summary() if profile else None
    finally:
        matcher.stop()
    bare_rate = _bare_rate(settings, workdir, bare_topic, count, tuned=False, memory=memory)
    tuned_rate = _bare_rate(settings, workdir, tuned_topic, count, tuned=True, memory=memory)
    print(
        f"  matcher {rate:.0f} events/s ({seen} facts, {first_burst} in the first 5 ms, gaps {gaps} ms), "
        f"bare Faust {bare_rate:.0f} events/s, bare Faust as the worker runs it {tuned_rate:.0f} events/s",
        flush=True,
    )
    return {
        "count": count,
        "matcher_warm_up": MATCHER_WARM_UP,
        "matcher_per_s": rate,
        "matcher_facts": seen,
        "matcher_first_burst_facts": first_burst,
        "matcher_longest_gaps_ms": gaps,
        "bare_faust_per_s": bare_rate,
        "ratio": rate / bare_rate if bare_rate else None,
        "bare_faust_tuned_per_s": tuned_rate,
        "ratio_tuned": rate / tuned_rate if tuned_rate else None,
        "peak_rss_mib": memory,
        "profile_matcher": profiled,
    }


def _bare_rate(
    settings: Settings, workdir: Path, topic: str, count: int, *, tuned: bool, memory: dict[str, float]
) -> float:
    """Run the bare agent (stock Faust, or with the worker's own changes) over ``topic``; its records per second."""
    name = "bare-faust-tuned" if tuned else "bare-faust"
    os.environ["PERF_BARE_TOPIC"], os.environ["PERF_BARE_EXPECT"] = topic, str(count)
    os.environ["PERF_BARE_TUNED"] = "1" if tuned else "0"
    argv = [sys.executable, "-m", "tests.benchmarks.perf.bare_faust", "worker", "-l", "info"]
    bare = stack.PlatformProcess(name, argv, settings, workdir)
    try:
        bare.wait_for_log("bare: ", timeout=300)
        memory[name] = _rss(bare)
        found = re.search(r"bare: (\d+) records in ([0-9.]+) s", bare.log.read_text())
        assert found is not None
        return (int(found.group(1)) - 1) / float(found.group(2))
    finally:
        bare.stop()


def _rss(process: stack.PlatformProcess) -> float:
    from tests.benchmarks.perf.platform import peak_rss_mib

    return peak_rss_mib(process.proc.pid)
