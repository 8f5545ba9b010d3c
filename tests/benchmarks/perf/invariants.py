"""The run's invariants, checked on what is really on the broker (an independent consumer, no group).

* the gateway's promise: every check-in answered 202 is on ``worker-commands``, exactly once;
* nothing lost: every accepted check-in (through the gateway or fed to the pipeline) was admitted by the
  roster (``check_in_admitted`` / ``check_in_refused``) and queued by its market (``worker_queued`` /
  ``command_refused``);
* nothing counted twice: no check-in has two different ``worker_queued`` facts (the same fact re-sent after a
  retry has the same id and is deduplicated by its consumers: counted apart, as ``resent``);
* no worker double-booked: a worker never holds two open offers at once (replaying ``market-events`` in order);
* headcount respected: no request has more offers (open or taken) than its headcount.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from typing import Any

from services import topics
from services.market import records
from services.settings import Settings
from tests.support.kafka_reader import read_topic


async def commands_on_broker(settings: Settings, accepted: list[str]) -> dict[str, Any]:
    """Every 202 check-in id is on ``worker-commands`` exactly once."""
    on_broker = Counter(
        records.decode_worker_command(m.value).id
        for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.WORKER_COMMANDS))
    )
    missing = [i for i in accepted if on_broker[i] == 0]
    twice = [i for i in accepted if on_broker[i] > 1]
    return {
        "accepted": len(accepted),
        "missing": len(missing),
        "duplicated": len(twice),
        "ok": not missing and not twice,
    }


async def pipeline_effects(settings: Settings, accepted: list[str]) -> dict[str, Any]:
    """The effect, exactly-once, double-booking and headcount checks over the namespace's facts."""
    worker_facts = [
        records.decode_worker_event(m.value)
        for m in await read_topic(settings.kafka_bootstrap, settings.topic(topics.WORKER_EVENTS))
    ]
    market_messages = await read_topic(settings.kafka_bootstrap, settings.topic(topics.MARKET_EVENTS))
    market_facts = [records.decode_event(m.value) for m in market_messages]
    dead = await read_topic(settings.kafka_bootstrap, settings.topic(topics.DEAD_LETTERS))

    admitted = {f.checkin_id for f in worker_facts if isinstance(f, records.CheckInAdmitted | records.CheckInRefused)}
    queued: dict[str, set[str]] = defaultdict(set)
    refused = set()
    fact_ids = Counter(f.id for f in market_facts)
    for fact in market_facts:
        if isinstance(fact, records.WorkerQueued):
            queued[fact.checkin_id].add(fact.id)
        elif isinstance(fact, records.CommandRefused):
            refused.add(fact.subject_id)
    not_admitted = [i for i in accepted if i not in admitted]
    not_queued = [i for i in accepted if i not in queued and i not in refused]
    counted_twice = [i for i, ids in queued.items() if len(ids) > 1]

    double_booked, over_headcount, offers = _offers(market_messages, market_facts)
    return {
        "accepted": len(accepted),
        "not_admitted": len(not_admitted),
        "not_queued": len(not_queued),
        "counted_twice": len(counted_twice),
        "resent_facts": sum(c - 1 for c in fact_ids.values() if c > 1),
        "offers": offers,
        "double_booked_workers": len(double_booked),
        "requests_over_headcount": len(over_headcount),
        "dead_letters": len(dead),
        "ok": not (not_admitted or not_queued or counted_twice or double_booked or over_headcount or dead),
    }


async def settled_effects(settings: Settings, accepted: list[str], timeout: float) -> dict[str, Any]:
    """:func:`pipeline_effects` once every accepted check-in has its effects, or after ``timeout`` seconds.

    A backlog still being processed is not a loss: the check is repeated until nothing is missing (the
    double-booking, counted-twice and headcount checks are final at any time); ``settle_seconds`` says how
    long the pipeline took to catch up after the load stopped.
    """
    started = time.monotonic()
    while True:
        result = await pipeline_effects(settings, accepted)
        settled = not (result["not_admitted"] or result["not_queued"])
        if settled or time.monotonic() - started > timeout:
            result["settled"] = settled
            result["settle_seconds"] = round(time.monotonic() - started, 1)
            return result
        await asyncio.sleep(5)


_CLOSING = (records.OfferAccepted, records.OfferDeclined, records.OfferExpired, records.OfferWithdrawn)


def _offers(messages: list[Any], facts: list[Any]) -> tuple[set[str], set[str], int]:
    """Replay offers per partition in offset order (a market is one partition: its order is the truth)."""
    ordered = sorted(zip(messages, facts, strict=True), key=lambda mf: (mf[0].partition, mf[0].offset))
    seen: set[str] = set()
    open_offer: dict[str, str] = {}  # worker -> offer id
    offer_worker: dict[str, str] = {}
    headcount: dict[str, int] = {}
    given: dict[str, set[str]] = defaultdict(set)
    double_booked: set[str] = set()
    for _, fact in ordered:
        if fact.id in seen:
            continue  # a re-sent fact (same id): its consumers deduplicate it
        seen.add(fact.id)
        if isinstance(fact, records.JobRequestOpened):
            headcount[fact.request_id] = fact.headcount
        elif isinstance(fact, records.OfferMade):
            if fact.worker in open_offer:
                double_booked.add(fact.worker)
            open_offer[fact.worker] = fact.offer_id
            offer_worker[fact.offer_id] = fact.worker
            given[fact.request_id].add(fact.offer_id)
        elif isinstance(fact, _CLOSING):
            worker = offer_worker.get(fact.offer_id)
            if worker is not None and open_offer.get(worker) == fact.offer_id:
                del open_offer[worker]
            if not isinstance(fact, records.OfferAccepted):
                given[fact.request_id].discard(fact.offer_id)
    over = {r for r, offers in given.items() if len(offers) > headcount.get(r, 0)}
    return double_booked, over, sum(len(o) for o in given.values())
