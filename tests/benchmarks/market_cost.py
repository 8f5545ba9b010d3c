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
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services import records as r
from services.market import MarketRules, decide, decode_state, encode_state, new_state
from services.market_state import MarketState
from services.policy import AllocationPolicy

MARKET, COUNTY = "zs-market", "zhongshan"
OFFER_TRADE, QUEUE_TRADE = "porter", "general_labourer"
T0 = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00 in Liupanshui
REQUESTS = 6
OFFERS = 1_000
SPARE = 300  # places left open across the requests, beyond the offers
BATCH = 25
RULES = MarketRules(offer_ttl=timedelta(minutes=10), policy=AllocationPolicy())  # max_fill: the default
RESULTS = Path(__file__).parent / "results"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="", help="a word for the result file's name (e.g. baseline)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--queued", type=int, nargs="*", default=[1_000, 5_000])
    args = parser.parse_args()
    rows = []
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
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    name = f"market-cost-{stamp}{'-' + args.label if args.label else ''}.json"
    result = {"stamp": stamp, "label": args.label, "cpus": os.cpu_count(), "rows": rows}
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / name}")


if __name__ == "__main__":
    main()
