"""The market agent's cost per command when a market holds a large state: pure, in process, no Kafka.

``python -m tests.benchmarks.market_cost [--label NAME] [--repeat N]``

Builds one market as the perf benchmark's pipeline phase finds it (:mod:`tests.benchmarks.perf.phases`): six
open requests of the offered trade with places to spare, ``OFFERS`` workers of that trade holding unanswered
offers, and 1,000 or 5,000 workers of a trade no request wants in the queue; every command id a uuid, as the
gateway makes them (the market remembers them). Then it times what the stream worker does per batch (streams/
writer.py): ``decide`` for each of a batch of ``BATCH`` new check-ins, then one ``encode_state`` of the market.

Two mixes: ``queue`` (check-ins of the unwanted trade: the pipeline ramp) and ``offer`` (check-ins of the
offered trade: each gets one of the spare places, the kiosk-to-offer phase). Each repetition decodes the built
state afresh, warms its derived indexes with one untimed command (the writer keeps decoded states between
batches), then times one batch. Prints and writes (tests/benchmarks/results/market-cost-<stamp>.json) the
median µs per command of ``decide`` and of the encode (the batch's encode shared by its commands), with the
load average: the machine is shared.

Then the writer (``writer`` rows): the stream worker's :class:`streams.writer.SingleWriter` with the market's
step, over an in-memory table and topics that acknowledge at once (no Kafka), fed ``WRITER_BATCHES`` consecutive
batches of queue check-ins of 5 and of 25 commands, with the whole state written every batch
(``journal_max`` 0, as before) and with the market writer's journal: µs per command of ``handle_batch`` and the
table bytes written per command (what the changelog carries).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.market import records as r
from services.market.decide import MarketRules, decide, decode_state, encode_state, new_state
from services.market.state import MarketState
from services.policy import AllocationPolicy
from services.records import encode
from services.settings import Settings
from streams.market_agent import MARKET_CODEC, market_step
from streams.writer import SingleWriter

MARKET, COUNTY = "zs-market", "zhongshan"
OFFER_TRADE, QUEUE_TRADE = "porter", "general_labourer"
T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 in Liupanshui
REQUESTS = 6
OFFERS = 1_000
SPARE = 300  # places left open across the requests, beyond the offers
BATCH = 25
RULES = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy())  # max_fill: the default
RESULTS = Path(__file__).parent / "results"
WRITER_BATCHES = 120


class _Ids:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


def _check_in(ids: _Ids, trade: str, at: datetime) -> r.CheckIn:
    command_id = ids.next()
    return r.CheckIn(
        id=command_id,
        at=at,
        market_id=MARKET,
        county=COUNTY,
        worker=f"w-{command_id}",
        worker_masked="5202**********0001",
        kiosk_id="kiosk-1",
        trades=(trade,),
        min_day_wage=150,
        available_from=7 * 60,
        available_until=18 * 60,
    )


def build(queued: int, ids: _Ids) -> tuple[MarketState, datetime]:
    """The market of the pipeline phase; returns it and the time of its last command."""
    state = new_state(MARKET, COUNTY)
    at = T0
    places = OFFERS + SPARE
    for n in range(REQUESTS):
        headcount = places // REQUESTS + (1 if n < places % REQUESTS else 0)
        job = r.PostJobRequest(
            id=ids.next(),
            at=at,
            market_id=MARKET,
            county=COUNTY,
            employer_id=f"e{n}",
            employer_name="凉都建筑",
            trade=OFFER_TRADE,
            headcount=headcount,
            day_wage=200,
            start=9 * 60,
            hours=8,
            place="钟山区",
        )
        decide(state, job, RULES)
    for _ in range(OFFERS):
        at += timedelta(milliseconds=2)
        decide(state, _check_in(ids, OFFER_TRADE, at), RULES)
    for _ in range(queued):
        at += timedelta(milliseconds=2)
        decide(state, _check_in(ids, QUEUE_TRADE, at), RULES)
    assert len(state.offers) == OFFERS, len(state.offers)
    return state, at


def measure(queued: int, mix: str, repeat: int) -> dict[str, Any]:
    ids = _Ids(seed=queued)
    state, at = build(queued, ids)
    stored = encode_state(state)
    trade = QUEUE_TRADE if mix == "queue" else OFFER_TRADE
    decide_us: list[float] = []
    encode_us: list[float] = []
    for _ in range(repeat):
        working = decode_state(stored)
        at += timedelta(milliseconds=2)
        decide(working, _check_in(ids, QUEUE_TRADE, at), RULES)  # warms the derived indexes, untimed
        batch = []
        for _ in range(BATCH):
            at += timedelta(milliseconds=2)
            batch.append(_check_in(ids, trade, at))
        started = time.perf_counter()
        for command in batch:
            decide(working, command, RULES)
        decided = time.perf_counter()
        encode_state(working)
        encoded = time.perf_counter()
        decide_us.append((decided - started) * 1e6 / BATCH)
        encode_us.append((encoded - decided) * 1e6 / BATCH)
    return {
        "queued": queued,
        "mix": mix,
        "offers": len(state.offers),
        "requests": len(state.requests),
        "recent_commands": len(state.recent_commands),
        "state_bytes": len(stored),
        "batch": BATCH,
        "repeat": repeat,
        "decide_us_per_command": round(statistics.median(decide_us), 1),
        "encode_us_per_command": round(statistics.median(encode_us), 1),
        "total_us_per_command": round(statistics.median(d + e for d, e in zip(decide_us, encode_us, strict=True)), 1),
    }


class _Message:
    def __init__(self, value: bytes, offset: int) -> None:
        self.value, self.offset, self.topic, self.partition, self.key = value, offset, "market-commands", 0, None


class _Event:
    def __init__(self, value: bytes, offset: int) -> None:
        self.message = _Message(value, offset)


class _Topic:
    """Acknowledges every send at once."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, *, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.sent += 1
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


class _Table(dict[bytes, bytes]):
    """Counts the bytes written (the changelog's load)."""

    written = 0

    def store(self, key: bytes, value: bytes, partition: int) -> None:
        self.written += len(key) + len(value)
        self[key] = value


def measure_writer(queued: int, batch: int, journal_max: int) -> dict[str, Any]:
    ids = _Ids(seed=queued)
    state, at = build(queued, ids)
    table = _Table()
    dict.__setitem__(table, MARKET.encode(), encode_state(state))  # as stored before journals: read as a snapshot
    writer: SingleWriter[r.MarketCommand, MarketState] = SingleWriter(
        name="match_market",
        table=table,
        dead_letters=_Topic(),
        decode=r.decode_command,
        key_of=lambda c: c.market_id.encode(),
        step=market_step(rules_for=lambda _: RULES, market_events=_Topic(), worker_commands=_Topic()),
        codec=MARKET_CODEC,
        journal_max=journal_max,
    )
    offset = 0

    def events(count: int) -> list[_Event]:
        nonlocal at, offset
        out = []
        for _ in range(count):
            at += timedelta(milliseconds=2)
            offset += 1
            out.append(_Event(encode(_check_in(ids, QUEUE_TRADE, at)), offset))
        return out

    async def run() -> float:
        await writer.handle_batch(events(1))  # decodes the state, warms its indexes: untimed
        table.written = 0
        batches = [events(batch) for _ in range(WRITER_BATCHES)]
        started = time.perf_counter()
        for one in batches:
            await writer.handle_batch(one)  # type: ignore[arg-type]
        return time.perf_counter() - started

    load = os.getloadavg()
    seconds = asyncio.run(run())
    commands = batch * WRITER_BATCHES
    return {
        "queued": queued,
        "mix": "writer",
        "batch": batch,
        "batches": WRITER_BATCHES,
        "journal_max": journal_max,
        "state_bytes": len(encode_state(state)),
        "handle_batch_us_per_command": round(seconds * 1e6 / commands, 1),
        "table_bytes_per_command": round(table.written / commands),
        "load_average": [round(x, 2) for x in load],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="", help="a word for the result file's name (e.g. baseline)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--queued", type=int, nargs="*", default=[1_000, 5_000])
    parser.add_argument("--no-writer", action="store_true", help="only decide and encode, not the writer")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for queued in args.queued:
        for mix in ("queue", "offer"):
            load = os.getloadavg()
            row = measure(queued, mix, args.repeat)
            row["load_average"] = [round(x, 2) for x in load]
            rows.append(row)
            print(
                f"{queued:>6} queued, {mix:>5}: decide {row['decide_us_per_command']:>8.1f} µs/cmd, "
                f"encode {row['encode_us_per_command']:>8.1f} µs/cmd (state {row['state_bytes'] / 1e6:.2f} MB, "
                f"load {row['load_average'][0]})",
                flush=True,
            )
    for queued in [] if args.no_writer else args.queued:
        for batch in (5, BATCH):
            for journal_max in (0, Settings().market_journal_max):
                row = measure_writer(queued, batch, journal_max)
                rows.append(row)
                print(
                    f"{queued:>6} queued, writer, batch {batch:>2}, journal_max {journal_max:>3}: "
                    f"{row['handle_batch_us_per_command']:>8.1f} µs/cmd, "
                    f"{row['table_bytes_per_command'] / 1e3:>8.1f} kB written/cmd (load {row['load_average'][0]})",
                    flush=True,
                )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    name = f"market-cost-{stamp}{'-' + args.label if args.label else ''}.json"
    result = {"stamp": stamp, "label": args.label, "cpus": os.cpu_count(), "rows": rows}
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / name}")


if __name__ == "__main__":
    main()
