"""The matching-quality benchmark: a seeded morning rush replayed through the real pipeline.

    python -m tests.benchmarks.run_matching --seed 1 --seed 2 --seed 3 --policy max_fill:3600 \
        --out tests/benchmarks/results/

(``--policy`` may be repeated: every policy runs on every seed.) Every result counts the placements accepted
at or after the job's start plus the late-start grace (``placements_after_start_plus_grace``, also under
``checks``: must be 0), and the optimum allows a worker a job only if they checked in before that moment.

For each seed: a Kafka broker and a Redis of its own (free loopback ports, temporary directories; one
pair is shared by the seeds of one invocation, each seed with its own topic prefix), the stream worker and
the projector as real processes, and the gateway in this process (``create_app`` with a clock that follows
the trace's simulated time, ``--speedup`` times faster than real time, so that the market agent decides
with the trace's times). Every market gets the allocation policy ``--policy`` (``fcfs``, ``lottery:<seed>``,
``max_fill[:<window seconds>]``; setting ``market_policies_spec``). The stream worker's own ticker is off
(``tick_interval_seconds=0``: it would tick with the real clock); instead this runner sends every market a
``Tick`` each simulated minute, with the simulated time, until the run has settled. Check-ins (with
``groups``) and job requests go through the HTTP API in time order; offers are read live from
``market-events`` and answered as the trace says, after the trace's delay. When every window has ended,
nothing is left to answer and the log is quiet, ``market-events`` is read back, audited
(:mod:`tests.benchmarks.log_audit`) and compared with the offline optimum
(:mod:`tests.benchmarks.offline_optimum`).

Writes ``<out>/matching-<seed>-<policy>.json`` and ``.png`` (the policy with ``:`` made ``-``); nothing else
in the repository. ``--engine-only`` skips the pipeline and feeds the decision function in process (seconds;
a development aid; files are suffixed ``-engine-only``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiokafka import AIOKafkaConsumer, TopicPartition

from services import clock, geography, topics
from services.market import records
from services.policy import AllocationPolicy, parse_policies
from services.records import decode_dead_letter, derived_id, encode
from services.settings import Settings
from tests.benchmarks import engine_only, log_audit, matching_trace, offline_optimum, report

log = logging.getLogger("bench")
ROOT = Path(__file__).resolve().parents[2]
#: A market the trace does not use: one warm-up check-in there proves the stream worker applies commands.
WARM_UP_MARKET = "zs-dewu-station"
#: Simulated seconds between the ticks this runner sends every market (the engine-only run uses the same).
TICK_SECONDS = 60


def policy_of(spec: str) -> AllocationPolicy:
    """The policy a ``--policy`` value stands for; ``ValueError`` if the engine would refuse it."""
    return parse_policies(f"m={spec}")["m"]


def market_policies_spec(spec: str) -> str:
    """The ``market_policies_spec`` setting that gives every market of the city the policy ``spec``."""
    return ";".join(f"{m.market_id}={spec}" for m in geography.MARKETS)


def trace_slug(params: matching_trace.TraceParams) -> str:
    """The part of a result's file name that names a trace variant ('' for the default trace)."""
    for name, overrides in matching_trace.VARIANTS.items():
        if all(getattr(params, k) == v for k, v in overrides.items()):
            return f"-{name}"
    return f"-allday{round(params.available_all_day * 100)}" if params.available_all_day else ""


def policy_slug(spec: str) -> str:
    """``spec`` as a part of a file name: ``max_fill:3600`` → ``max_fill-3600``."""
    return re.sub(r"[^A-Za-z0-9_.]+", "-", spec).strip("-") or "default"


class WorkerNotReady(RuntimeError):
    """The stream worker dead-lettered the warm-up command (seen under load: Faust's table changelog
    metadata not yet known, ``PartitionsMismatch``); the run restarts with fresh topics."""


class SimClock:
    """Simulated UTC time: the trace's window start plus ``speedup`` × the wall time it has been running.

    The clock can be held (:meth:`hold`) while the pipeline is behind, so that a slow or loaded machine does
    not turn pipeline lag into simulated minutes (offers would expire before their answers arrive).
    """

    def __init__(self, start: datetime, speedup: float) -> None:
        self.sim_start = start
        self.speedup = speedup
        self.wall_start: float | None = None
        self.held_total = 0.0
        self.held_since: float | None = None

    def start(self) -> None:
        self.wall_start = time.monotonic()

    def running_seconds(self) -> float:
        if self.wall_start is None:
            return 0.0
        now = time.monotonic()
        held = self.held_total + (now - self.held_since if self.held_since is not None else 0.0)
        return now - self.wall_start - held

    def __call__(self) -> datetime:
        return self.sim_start + timedelta(seconds=self.running_seconds() * self.speedup)

    def hold(self, held: bool) -> None:
        if held and self.held_since is None:
            self.held_since = time.monotonic()
        elif not held and self.held_since is not None:
            self.held_total += time.monotonic() - self.held_since
            self.held_since = None

    async def until(self, at: datetime) -> None:
        """Wait until the simulated clock shows ``at``."""
        while True:
            ahead = (at - self()).total_seconds() / self.speedup
            if ahead <= 0:
                return
            await asyncio.sleep(max(ahead, 0.005))  # re-checked: the clock may have been held meanwhile


@dataclass
class Replay:
    """What the replay observed, in wall-clock time (``time.monotonic()``)."""

    acked: dict[str, float] = field(default_factory=dict)  # command id → when its 202 arrived
    unseen: dict[str, float] = field(default_factory=dict)  # acked, no fact seen yet: command id → ack time
    offer_seen: dict[str, tuple[str, float]] = field(default_factory=dict)  # offer id → (command id, when)
    checkin_index: dict[str, int] = field(default_factory=dict)
    request_index: dict[str, int] = field(default_factory=dict)
    http: dict[str, int] = field(default_factory=dict)  # "<kind> <status>" → count
    errors: list[str] = field(default_factory=list)
    answers_pending: int = 0
    answers_sent: int = 0
    last_event: float = 0.0
    events_seen: int = 0
    commands_seen: set[str] = field(default_factory=set)
    ticks: set[str] = field(default_factory=set)  # ids of the ticks sent (their ack time is in ``acked``)
    tick_errors: int = 0

    def count(self, kind: str, status: int | str) -> None:
        key = f"{kind} {status}"
        self.http[key] = self.http.get(key, 0) + 1


def _command_id(role: str, subject_id: str, key: str) -> str:
    """The gateway's command id for (credential, Idempotency-Key), as ``gateway.commands.command_id``."""
    from gateway.commands import command_id
    from services.people.principal import Principal

    return command_id(Principal(role, subject_id, "", None), key)  # type: ignore[arg-type]


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    token: str,
    key: str,
    body: dict[str, Any],
    replay: Replay,
    kind: str,
    *,
    retry_404_for: float = 0.0,
    expect: int = 202,
) -> dict[str, Any] | None:
    """POST with retries for 503 / 409 / connection errors (same key), and for 404 while a view catches up.

    A status other than ``expect`` is an error of the run; a 422 that was expected is counted, not an error.
    """
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    deadline = time.monotonic() + max(retry_404_for, 30.0)
    delay = 0.05
    while True:
        try:
            async with session.post(url, json=body, headers=headers) as response:
                status = response.status
                answer = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as error:
            status, answer = -1, {"error": repr(error)}
        retry = status in (-1, 409, 503) or (status == 404 and retry_404_for > 0)
        if status == 202 or not retry or time.monotonic() > deadline:
            replay.count(kind, status)
            if status != 202:
                if status == expect:
                    return None
                if len(replay.errors) < 20:
                    replay.errors.append(f"{kind} {status}: {json.dumps(answer, ensure_ascii=False)[:300]}")
                return None
            return dict(answer)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


async def _consume(
    settings: Settings,
    replay: Replay,
    on_offer: Callable[[records.OfferMade], None],
    stop: asyncio.Event,
) -> None:
    """Read market-events live; note when each OfferMade is visible and hand it to ``on_offer``."""
    from tests.support.kafka_reader import partition_ids

    topic = settings.topic(topics.MARKET_EVENTS)
    partitions = await partition_ids(settings.kafka_bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen: set[str] = set()
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for messages in batch.values():
                for message in messages:
                    replay.last_event = now
                    replay.events_seen += 1
                    try:
                        event = records.decode_event(message.value)
                    except Exception:
                        continue
                    replay.commands_seen.add(event.command_id)
                    replay.unseen.pop(event.command_id, None)
                    if isinstance(event, records.OfferMade) and event.offer_id not in seen:
                        seen.add(event.offer_id)
                        replay.offer_seen[event.offer_id] = (event.command_id, now)
                        on_offer(event)
    finally:
        await consumer.stop()


async def _tick(sim: SimClock, settings: Settings, replay: Replay) -> None:
    """The markets' clock for the pipeline run: a ``Tick`` to every market each simulated minute.

    Tick ``k`` is sent when the simulated clock shows ``start + k`` minutes and carries that instant (so the
    instants and ids are those of the engine-only run). While the clock is held (pipeline lag), no tick is
    sent, so ticks never run ahead of the gateway's clock. Ticks are not awaited as "unseen" commands: most
    change nothing and write no fact. Runs until cancelled.
    """
    from gateway.publisher import BrokerUnavailable, Publisher

    publisher = Publisher(settings)
    topic = settings.topic(topics.MARKET_COMMANDS)
    at = sim.sim_start
    try:
        while True:
            await sim.until(at)
            ticks = [
                records.Tick(
                    id=derived_id("bench-tick", m.market_id, at.isoformat()),
                    at=at,
                    market_id=m.market_id,
                    county=m.county,
                )
                for m in geography.MARKETS
            ]
            sent = await asyncio.gather(
                *(publisher.publish(topic, t.market_id.encode(), encode(t)) for t in ticks),
                return_exceptions=True,
            )
            acked = time.monotonic()
            for tick, outcome in zip(ticks, sent, strict=True):
                if isinstance(outcome, BrokerUnavailable):
                    replay.tick_errors += 1  # the next tick carries a later time: nothing is lost for good
                elif isinstance(outcome, BaseException):
                    raise outcome
                else:
                    replay.acked[tick.id] = acked
                    replay.ticks.add(tick.id)
            at += timedelta(seconds=TICK_SECONDS)
    finally:
        await publisher.close()


async def replay_trace(
    trace: matching_trace.Trace,
    settings: Settings,
    speedup: float,
    settle_timeout: float,
    window_seconds: int = 0,
    refused: set[int] | frozenset[int] = frozenset(),
    held_until: datetime | None = None,
) -> tuple[Replay, dict[str, Any]]:
    """Drive the trace through a gateway in this process; returns what was observed and phase timings.

    The run has settled when the simulated clock is past the last command plus ``window_seconds`` (every
    request's window has ended) and past ``held_until`` (``rolling``: the last moment a place becomes due),
    plus two ticks, no answer is pending and the log has been quiet for 3 s. The ``settle_timeout`` (wall
    seconds) starts when the simulated clock has reached both.
    """
    from deploy.local.demo import wait_for_credentials
    from gateway.main import create_app
    from services.adapters.registry import register_credential

    replay = Replay()
    timings: dict[str, float] = {}
    began = time.monotonic()
    markets = sorted({w.market_id for w in trace.workers} | {q.market_id for q in trace.requests})
    if WARM_UP_MARKET in markets:
        raise ValueError(f"the trace must leave {WARM_UP_MARKET} free for the warm-up check-in")
    markets.append(WARM_UP_MARKET)
    kiosk_tokens: dict[str, str] = {}
    employer_tokens: dict[int, str] = {}
    for market_id in markets:
        kiosk_tokens[market_id] = await register_credential(
            settings,
            role="kiosk",
            subject_id=f"kiosk-{market_id}-bench",
            display_name=f"{market_id} benchmark kiosk",
            market_id=market_id,
        )
    for employer in sorted({q.employer for q in trace.requests}):
        employer_tokens[employer] = await register_credential(
            settings,
            role="employer",
            subject_id=f"e-bench-{employer}",
            display_name=f"测试用工单位 {employer}",
        )
    await wait_for_credentials(settings, [*kiosk_tokens.values(), *employer_tokens.values()])
    timings["credentials_s"] = round(time.monotonic() - began, 1)

    run = uuid.uuid4().hex[:8]
    worker_key = {w.index: f"bench-{trace.seed}-{run}-w{w.index}" for w in trace.workers}
    request_key = {q.index: f"bench-{trace.seed}-{run}-r{q.index}" for q in trace.requests}
    # Known before sending, so an offer read before its 202 arrives can still be answered.
    for w in trace.workers:
        cid = _command_id("kiosk", f"kiosk-{w.market_id}-bench", worker_key[w.index])
        replay.checkin_index[cid] = w.index
    for q in trace.requests:
        replay.request_index[_command_id("employer", f"e-bench-{q.employer}", request_key[q.index])] = q.index

    sim = SimClock(trace.starts_at, speedup)
    app = create_app(settings, clock=sim)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    base = f"http://127.0.0.1:{port}"
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=48), timeout=aiohttp.ClientTimeout(total=30))
    tasks: set[asyncio.Task[None]] = set()
    stop = asyncio.Event()

    def spawn(coro: Any) -> None:
        task = asyncio.create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def answer(offer: records.OfferMade) -> None:
        try:
            w = replay.checkin_index.get(offer.checkin_id)
            q = replay.request_index.get(offer.request_id)
            if w is None or q is None:
                replay.errors.append(f"offer {offer.offer_id} for an unknown check-in or request")
                return
            decision = trace.answer(w, q)
            # the worker answers `delay` after the offer was made (simulated time); pipeline lag is not added
            await sim.until(offer.at + timedelta(seconds=decision.delay_seconds))
            key = f"bench-{run}-a-{offer.offer_id}"
            kiosk = f"kiosk-{offer.market_id}-bench"
            result = await _post(
                session,
                f"{base}/api/v1/offers/{offer.offer_id}/answer",
                kiosk_tokens[offer.market_id],
                key,
                {"answer": "accept" if decision.accept else "decline"},
                replay,
                "answer",
                retry_404_for=15.0,
            )
            if result is not None:
                answered = _command_id("kiosk", kiosk, key)
                replay.acked[answered] = time.monotonic()
                if answered not in replay.commands_seen:
                    replay.unseen[answered] = replay.acked[answered]
                replay.answers_sent += 1
        finally:
            replay.answers_pending -= 1

    def on_offer(offer: records.OfferMade) -> None:
        replay.answers_pending += 1
        spawn(answer(offer))

    async def check_in(w: matching_trace.TraceWorker) -> None:
        result = await _post(
            session,
            f"{base}/api/v1/checkins",
            kiosk_tokens[w.market_id],
            worker_key[w.index],
            w.checkin_body(),
            replay,
            "checkin",
        )
        if result is not None:
            cid = str(result.get("checkin_id"))
            replay.acked[cid] = time.monotonic()
            if cid not in replay.commands_seen:
                replay.unseen[cid] = replay.acked[cid]
            replay.checkin_index.setdefault(cid, w.index)

    async def post_request(q: matching_trace.TraceRequest) -> None:
        result = await _post(
            session,
            f"{base}/api/v1/job-requests",
            employer_tokens[q.employer],
            request_key[q.index],
            q.body(),
            replay,
            "request",
            expect=422 if q.index in refused else 202,
        )
        if result is not None and q.index in refused:
            replay.errors.append(f"request {q.index} admitted, but the gateway's parser refuses it")
        if result is not None:
            rid = str(result.get("request_id"))
            replay.acked[rid] = time.monotonic()
            if rid not in replay.commands_seen:
                replay.unseen[rid] = replay.acked[rid]
            replay.request_index.setdefault(rid, q.index)

    consumer = asyncio.create_task(_consume(settings, replay, on_offer, stop))
    try:
        await asyncio.sleep(1.0)  # the consumer is assigned before the first command
        await _warm_up(session, base, kiosk_tokens[WARM_UP_MARKET], settings, replay)
        sim.start()
        governor = asyncio.create_task(_govern(sim, replay, stop))
        ticker = asyncio.create_task(_tick(sim, settings, replay))
        started = time.monotonic()
        timeline = trace.timeline()
        windows_end = max(timeline[-1][0] + timedelta(seconds=window_seconds), held_until or timeline[-1][0])
        windows_end += timedelta(seconds=2 * TICK_SECONDS)
        for at, kind, index in timeline:
            await sim.until(at)
            if kind == "checkin":
                spawn(check_in(trace.workers[index]))
            else:
                spawn(post_request(trace.requests[index]))
        timings["replay_s"] = round(time.monotonic() - started, 1)
        if held_until is not None:
            await sim.until(held_until)  # the ticks go on; nothing else is sent
        settle_started = time.monotonic()
        quiet = 3.0
        while time.monotonic() - settle_started < settle_timeout:
            idle = time.monotonic() - max(replay.last_event, settle_started)
            if ticker.done():
                ticker.result()  # a tick that could not be sent for another reason than the broker: fail
            if sim() >= windows_end and not tasks and replay.answers_pending == 0 and idle > quiet:
                break
            await asyncio.sleep(0.2)
        else:
            replay.errors.append(f"not settled after {settle_timeout}s ({len(tasks)} tasks pending)")
        timings["settle_s"] = round(time.monotonic() - settle_started, 1)
        timings["simulated_end"] = sim().astimezone(clock.ZONE).strftime("%H:%M:%S")
        sim.hold(False)
        timings["clock_held_s"] = round(sim.held_total, 1)
        timings["ticks_sent"] = len(replay.ticks)
        timings["tick_send_failures"] = replay.tick_errors
    finally:
        stop.set()
        with contextlib.suppress(NameError):
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        await consumer
        with contextlib.suppress(NameError):
            await governor
        for task in list(tasks):
            task.cancel()
        await session.close()
        await runner.cleanup()
    return replay, timings


#: The simulated clock is held while a command acknowledged this long ago (wall seconds) has no fact yet.
MAX_PIPELINE_LAG_SECONDS = 0.5


async def _govern(sim: SimClock, replay: Replay, stop: asyncio.Event) -> None:
    """Hold the simulated clock while the pipeline is behind by more than MAX_PIPELINE_LAG_SECONDS."""
    while not stop.is_set():
        now = time.monotonic()
        # a command with no fact after 30 s is given up on (and reported), never holds the clock for good
        for command_id in [c for c, t in replay.unseen.items() if now - t > 30]:
            del replay.unseen[command_id]
            replay.errors.append(f"no fact for command {command_id} within 30 s")
        oldest = min(replay.unseen.values(), default=now)
        sim.hold(now - oldest > MAX_PIPELINE_LAG_SECONDS)
        await asyncio.sleep(0.02)
    sim.hold(False)


async def _warm_up(session: aiohttp.ClientSession, base: str, token: str, settings: Settings, replay: Replay) -> None:
    """One check-in at :data:`WARM_UP_MARKET`: its facts must appear and nothing may be dead-lettered."""
    from services.people import identity

    first17 = "52020119800101999"
    body = {
        "id_number": first17 + identity.check_character(first17),
        "trades": ["porter"],
        "min_day_wage": 100,
        "available_from": "06:00",
        "available_until": "23:00",
    }
    answer = await _post(
        session, f"{base}/api/v1/checkins", token, f"warm-up-{uuid.uuid4().hex}", body, replay, "warm-up"
    )
    if answer is None:
        raise WorkerNotReady(f"warm-up check-in refused: {replay.errors[-1:]}")
    deadline = time.monotonic() + 60
    while str(answer["checkin_id"]) not in replay.commands_seen:
        if time.monotonic() > deadline:
            raise WorkerNotReady("warm-up check-in not applied within 60 s")
        await asyncio.sleep(0.1)
    await asyncio.sleep(2 * settings.stream_commit_interval_seconds + 1)
    letters = await _dead_letters(settings)
    if letters:
        raise WorkerNotReady(f"{len(letters)} dead letter(s) at warm-up: {letters[0][:300]}")


async def _dead_letters(settings: Settings) -> list[str]:
    from tests.support.kafka_reader import read_topic

    found = await read_topic(settings.kafka_bootstrap, settings.topic(topics.DEAD_LETTERS))
    out = []
    for message in found:
        try:
            out.append(decode_dead_letter(message.value).reason)
        except Exception:
            out.append("(undecodable dead letter)")
    return out


def _held_until(trace: matching_trace.Trace, policy: AllocationPolicy, refused: set[int]) -> datetime | None:
    """``rolling``: the last moment one of the admitted requests' places becomes due (its start minus the lead
    time); ``None`` for the other policies."""
    if policy.within_tier != "rolling":
        return None
    starts = [q.start for q in trace.requests if q.index not in refused]
    return trace.at_minutes(max(starts) - policy.lead_minutes) if starts else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _latencies(replay: Replay) -> tuple[list[float], int, int]:
    """Wall ms from the ack of the command that caused each offer (a 202, or a tick's broker ack) to the
    OfferMade being read; the offers clamped to 0; the offers caused by a tick."""
    out: list[float] = []
    negative = 0
    by_tick = 0
    for command_id, seen in replay.offer_seen.values():
        acked = replay.acked.get(command_id)
        if acked is None:
            continue
        by_tick += command_id in replay.ticks
        ms = (seen - acked) * 1000
        if ms < 0:
            negative += 1
            ms = 0.0
        out.append(ms)
    return out, negative, by_tick


def code_digest() -> str:
    """SHA-256 over the platform's Python sources (services, streams, gateway): which engine was measured,
    also when the work tree has uncommitted changes."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(p for d in ("services", "streams", "gateway") for p in (ROOT / d).rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


#: The platform's code as this process imported it (the engine-only run calls it in process).
CODE_AT_IMPORT = code_digest()


def _git() -> dict[str, Any]:
    def run(*args: str) -> str | None:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    status = run("status", "--porcelain", "--", "services", "streams", "gateway")
    return {
        "head": run("rev-parse", "--short", "HEAD"),
        "engine_code_modified": bool(status) if status is not None else None,
    }


def _write(
    out: Path,
    name: str,
    trace: matching_trace.Trace,
    optimum: offline_optimum.Optimum,
    decoded: log_audit.Decoded,
    checkin_index: dict[str, int],
    request_index: dict[str, int],
    latencies: list[float] | None,
    negative: int,
    meta: dict[str, Any],
    title: str,
    refused: dict[int, str],
    optimum_all_posted: offline_optimum.Optimum,
) -> dict[str, Any]:
    groups = {cid: trace.workers[i].groups for cid, i in checkin_index.items()}
    audit = log_audit.audit(decoded.events, lambda cid: groups.get(cid, ()), fact_tiers=decoded.fact_tiers)
    summary = report.summarise(
        trace,
        optimum,
        audit,
        checkin_index=checkin_index,
        request_index=request_index,
        latencies_ms=latencies,
        negative_clamped=negative,
        refused=refused,
        optimum_all_posted=optimum_all_posted,
    )
    rules: dict[str, int] = {}
    for event in decoded.events:
        if isinstance(event, records.OfferMade):
            rules[event.rule] = rules.get(event.rule, 0) + 1
    meta = dict(meta)
    code_sha256 = meta.pop("code_sha256")
    document = {
        "benchmark": "matching",
        "seed": trace.seed,
        **meta,
        "engine": {"offer_rules": rules, "source": str(ROOT), "git": _git(), "code_sha256": code_sha256},
        **summary,
        "log": {**summary["log"], "undecodable_records": decoded.undecodable},
        "trace": {"params": trace.params.as_dict(), "summary": trace.describe()},
        "optimum": optimum.as_dict(trace),
        "refused_requests": {str(q): rule for q, rule in sorted(refused.items())},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n")
    report.plot(trace, optimum, audit, summary, latencies, out / f"{name}.png", title)
    return document


def run_engine_only(seed: int, out: Path, params: matching_trace.TraceParams, note: str, policy: str) -> dict[str, Any]:
    began = time.monotonic()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    trace = matching_trace.generate(seed, params)
    settings = Settings(market_policies_spec=market_policies_spec(policy))
    refused = dict(engine_only.gateway_refusals(trace, settings))
    admitted = {q.index for q in trace.requests} - set(refused)
    optimum = offline_optimum.optimum(trace, admitted)
    optimum_all_posted = offline_optimum.optimum(trace)
    run = engine_only.run(trace, settings, admitted)
    decoded = log_audit.decode_all(encode(e) for e in run.events)
    meta = {
        "code_sha256": CODE_AT_IMPORT,  # the engine this process imported
        "mode": "engine_only",
        "policy": policy,
        "market_policies_spec": settings.market_policies_spec,
        "note": note,
        "run": {
            "wall_seconds": round(time.monotonic() - began, 1),
            "tick_simulated_seconds": 60,
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "decide_ms": {
            **report.percentiles([s * 1000 for s in run.decide_seconds], (50, 99)),
            "max": round(max(run.decide_seconds, default=0.0) * 1000, 1),
            "n": len(run.decide_seconds),
        },
    }
    return _write(
        out,
        f"matching-{seed}-{policy_slug(policy)}{trace_slug(params)}-engine-only",
        trace,
        optimum,
        decoded,
        run.checkin_ids,
        run.request_ids,
        None,
        0,
        meta,
        f"seed {seed}, {policy} (engine only)",
        refused,
        optimum_all_posted,
    )


async def _read_events(settings: Settings) -> log_audit.Decoded:
    from tests.support.kafka_reader import read_topic

    found = await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))
    found.sort(key=lambda m: (m.partition, m.offset))
    return log_audit.decode_all(m.value for m in found)


def run_pipeline(
    seed: int,
    out: Path,
    params: matching_trace.TraceParams,
    note: str,
    broker: Any,
    redis: Any,
    workdir: Path,
    speedup: float,
    settle_timeout: float,
    policy: str = "max_fill",
    attempts: int = 3,
) -> dict[str, Any]:
    from services.topics import topic_specs
    from tests.support import stack

    began = time.monotonic()
    trace = matching_trace.generate(seed, params)
    code_at_start = code_digest()
    refused = dict(engine_only.gateway_refusals(trace, Settings()))
    optimum = offline_optimum.optimum(trace, {q.index for q in trace.requests} - set(refused))
    optimum_all_posted = offline_optimum.optimum(trace)
    restarts: list[str] = []
    for attempt in range(1, attempts + 1):
        run = uuid.uuid4().hex[:8]
        settings = Settings(
            kafka_bootstrap=broker.bootstrap,
            redis_url=redis.url,
            pseudonym_key=b"bench-pseudonym-key-" + run.encode(),
            topic_prefix=f"b{seed}-{run}.",
            partitions=3,
            streams_app_id=f"lingong-bench-{seed}-{run}",
            projector_group="projector",
            produce_timeout_seconds=5.0,
            stream_commit_interval_seconds=0.5,
            market_policies_spec=market_policies_spec(policy),
            tick_interval_seconds=0,  # this runner ticks the markets with the simulated clock (_tick)
            # One kiosk per market and every worker's answers from this one address, at 60x a real morning's
            # rate: the gateway's per-kiosk, per-account and per-address limits (issue 7) are not measured here.
            kiosk_requests_max=10**9,
            account_requests_max=10**9,
            address_requests_max=10**9,
        )
        broker.create_topics(topic_specs(settings))
        seed_dir = workdir / f"seed-{seed}-{run}"
        seed_dir.mkdir(parents=True)
        log.info("seed %s: starting the projector and the stream worker (attempt %d)", seed, attempt)
        attempt_began = time.monotonic()
        projector = stack.projector(settings, seed_dir)
        try:
            worker = stack.stream_worker(settings, seed_dir)
            try:
                timings: dict[str, Any] = {
                    "processes_s": round(time.monotonic() - attempt_began, 1),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                }
                log.info(
                    "seed %s: replaying %d check-ins and %d requests at %gx",
                    seed,
                    len(trace.workers),
                    len(trace.requests),
                    speedup,
                )
                try:
                    replay, replay_timings = asyncio.run(
                        replay_trace(
                            trace,
                            settings,
                            speedup,
                            settle_timeout,
                            policy_of(policy).window_seconds,
                            set(refused),
                            _held_until(trace, policy_of(policy), set(refused)),
                        )
                    )
                except WorkerNotReady as error:
                    log.warning("seed %s: %s; starting again with fresh topics", seed, error)
                    restarts.append(str(error)[:300])
                    continue
                timings.update(replay_timings)
                decoded = asyncio.run(_read_events(settings))
                letters = asyncio.run(_dead_letters(settings))
            finally:
                worker.stop()
        finally:
            projector.stop()
        break
    else:
        raise RuntimeError(f"seed {seed}: the stream worker never became ready: {restarts}")
    latencies, negative, by_tick = _latencies(replay)
    if code_digest() != code_at_start:
        replay.errors.append("the platform's code changed during the run (engine.code_sha256 is the start's)")
    timings["wall_seconds"] = round(time.monotonic() - began, 1)
    meta = {
        "code_sha256": code_at_start,  # the stream worker started after this; checked again at the end
        "mode": "pipeline",
        "policy": policy,
        "market_policies_spec": settings.market_policies_spec,
        "valid": not letters and not replay.errors and not replay.tick_errors,
        "note": note,
        "run": {
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "speedup": speedup,
            "offer_ttl_seconds": settings.offer_ttl_seconds,
            "partitions": settings.partitions,
            "tick_simulated_seconds": TICK_SECONDS,
            "offers_caused_by_ticks": by_tick,
            **timings,
            "http": dict(sorted(replay.http.items())),
            "answers_sent": replay.answers_sent,
            "events_seen_live": replay.events_seen,
            "dead_letters": len(letters),
            "dead_letter_reasons": sorted({reason[:200] for reason in letters})[:5],
            "restarts": restarts,
            "errors": replay.errors,
        },
    }
    if letters:
        log.warning("seed %s: %d dead letters: the figures are not valid", seed, len(letters))
    return _write(
        out,
        f"matching-{seed}-{policy_slug(policy)}{trace_slug(params)}",
        trace,
        optimum,
        decoded,
        replay.checkin_index,
        replay.request_index,
        latencies,
        negative,
        meta,
        f"seed {seed}, {policy}",
        refused,
        optimum_all_posted,
    )


@contextlib.contextmanager
def _stack(workdir: Path) -> Iterator[tuple[Any, Any]]:
    from tests.support import stack

    with stack.kafka_broker(workdir / "kafka") as broker, stack.redis_server(workdir / "redis") as redis:
        yield broker, redis


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.run_matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, action="append", help="trace seed (repeat for several)")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "benchmarks" / "results")
    parser.add_argument("--speedup", type=float, default=60.0, help="simulated seconds per wall second")
    parser.add_argument("--settle-timeout", type=float, default=120.0, help="wall seconds after the last command")
    parser.add_argument("--workers", type=int, help="workers in the trace (default 1500)")
    parser.add_argument("--positions", type=int, help="positions in the trace (default 1300)")
    parser.add_argument(
        "--available-all-day",
        type=float,
        help="share of workers who declare hours from the window's start whenever they arrive (default 0; the "
        "late arrivals then fit jobs already started; result files get -allday<percent>)",
    )
    parser.add_argument(
        "--trace",
        choices=sorted(matching_trace.VARIANTS),
        help="a named variant of the trace (matching_trace.VARIANTS; result files get -<name>)",
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="skip the pipeline: call services.market.decide.decide"
    )
    parser.add_argument(
        "--policy",
        action="append",
        help="allocation policy of every market: fcfs, lottery:<seed>, max_fill[:<window seconds>], "
        "rolling[:<lead minutes>] (default max_fill, window 0); repeat for several, each run on every seed",
    )
    parser.add_argument(
        "--family",
        type=int,
        help="draw this many traces from the family of mornings (matching_family.draw, seeds 1..N; engine only) "
        "and write one result, results/matching-family-<N>[-x<scale>]-engine-only.json",
    )
    parser.add_argument(
        "--family-scale", type=float, default=1.0, help="multiply the family's workers and positions (CPU budget)"
    )
    parser.add_argument("--note", default="", help="free text stored in the results (e.g. which engine)")
    args = parser.parse_args(argv)
    policies = args.policy or ["max_fill"]
    for policy in policies:
        try:
            policy_of(policy)
        except ValueError as error:
            parser.error(f"--policy {policy}: {error}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    if args.family:
        return _family(args.family, policies, args.family_scale, args.out, args.note)
    seeds = args.seed or [1]
    overrides = {
        k: v
        for k, v in (
            ("workers", args.workers),
            ("positions", args.positions),
            ("available_all_day", args.available_all_day),
        )
        if v
    }
    params = matching_trace.TraceParams(**{**(matching_trace.VARIANTS[args.trace] if args.trace else {}), **overrides})
    began = time.monotonic()
    documents = []
    if args.engine_only:
        documents = [
            run_engine_only(seed, args.out, params, args.note, policy) for policy in policies for seed in seeds
        ]
    else:
        with (
            tempfile.TemporaryDirectory(prefix="lingong-bench-") as tmp,
            _stack(Path(tmp)) as (broker, redis),
        ):
            for policy, seed in ((p, s) for p in policies for s in seeds):
                documents.append(
                    run_pipeline(
                        seed,
                        args.out,
                        params,
                        args.note,
                        broker,
                        redis,
                        Path(tmp),
                        args.speedup,
                        args.settle_timeout,
                        policy,
                    )
                )
    for document in documents:
        r = document["results"]
        latency = r["time_to_offer_ms"] or {}
        waited = r["time_to_offer_simulated_seconds"]
        print(
            f"seed {document['seed']} [{document['mode']}, {document['policy']}]: fill {r['fill_rate']:.3f} "
            f"filled/optimum {r['filled_over_optimum']:.3f} ({r['filled']}/{r['offline_optimum']}) "
            f"simulated wait p50 {waited['p50']} s p90 {waited['p90']} s "
            f"time-to-offer p50 {latency.get('p50')} ms p99 {latency.get('p99')} ms "
            f"tier inversions {r['tier_inversions']} within-tier reorderings {r['within_tier_reorderings']} "
            f"(passed over, never placed: {r['workers_passed_over_never_placed']}) "
            f"placed after start+{r['grace_minutes']} min: {r['placements_after_start_plus_grace']} "
            f"(after start, within the grace: {r['placements_after_start']})"
            + (f" decide ms {document['decide_ms']}" if "decide_ms" in document else "")
            + ("" if document.get("valid", True) else "  [NOT VALID: see run.dead_letters / run.errors]")
        )
    print(f"total {time.monotonic() - began:.0f}s; results in {args.out}")
    return 0


def _family(count: int, policies: list[str], scale: float, out: Path, note: str) -> int:
    """``--family N``: every policy (and first-come greedy) on N drawn mornings, one JSON and one PNG."""
    from tests.benchmarks import matching_family

    document = matching_family.run_family(count, policies, scale, progress=lambda line: print(line, flush=True))
    document = {"code_sha256": CODE_AT_IMPORT, "git": _git(), "note": note, **document}
    name = f"matching-family-{count}" + (f"-x{scale:g}" if scale != 1.0 else "") + "-engine-only"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n")
    report.plot_family(document, out / f"{name}.png")
    for policy in document["policies"]:
        t = document["total"][policy]
        print(
            f"{policy}: filled / reachable optimum median {t['filled_over_optimum']['median']} "
            f"min {t['filled_over_optimum']['min']}; >= greedy on {t['traces_at_least_greedy']} of {t['traces']}; "
            f"tier inversions {t['tier_inversions']}; after start+grace {t['placements_after_start_plus_grace']}; "
            f"first word min p50 (median) {t['minutes_to_first_word_p50_median']} "
            f"p90 (worst) {t['minutes_to_first_word_p90_max']} (placements told after 10 min, pooled: "
            f"{t['first_word_over_10_min_pooled']}); firm offer min p50 (median) "
            f"{t['minutes_to_firm_offer_p50_median']}; tentative released {t['tentative_offers_released']}; "
            f"meets the bar: {t['meets_the_bar']}; decide ms p99 max {t['decide_ms_p99_max']} max {t['decide_ms_max']}"
        )
    print(f"results in {out / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
