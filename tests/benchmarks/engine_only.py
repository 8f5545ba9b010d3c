"""The trace fed straight into the market's decision function (``services.market.decide.decide``), in process.

No Kafka, no gateway, no Faust: a quick look at matching quality while changing the engine (seconds instead of
minutes). The real benchmark (:mod:`tests.benchmarks.run_matching`) goes through the whole pipeline; this is a
development aid, and its results are labelled ``engine_only``.

Requests the gateway would refuse (:func:`gateway_refusals`, the gateway's own parser: e.g. a day wage below
the legal minimum) are not sent, and a request needs a certificate when the gateway would say so (by default,
for trades that have one); workers declare the certificates of their trades, as in their check-in body.

Commands carry the trace's times as ``at`` (the gateway would stamp them with its clock); each offer is
answered after the trace's delay, as in the real run. Every market gets a ``Tick`` each simulated minute (what the
benchmark's runner sends in the pipeline run), and its rules come from ``settings`` for that market
(``market_policies_spec``), as in the stream worker.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services import geography
from services.errors import InvalidInput
from services.market import decide as market
from services.market import records
from services.market.job_request import certificate_required, parse_job_request
from services.records import derived_id
from services.screening import postings as screening
from services.settings import Settings
from tests.benchmarks.matching_trace import Trace


@dataclass(frozen=True, slots=True)
class EngineRun:
    events: list[records.MarketEvent]
    checkin_ids: dict[str, int]  # checkin_id → worker index
    request_ids: dict[str, int]  # request_id → request index
    #: CPU seconds (this thread) of each ``decide`` call, in command order
    decide_seconds: list[float]


def checkin_id(trace: Trace, index: int) -> str:
    return derived_id("bench-engine-only", str(trace.seed), "w", str(index))


def request_id(trace: Trace, index: int) -> str:
    return derived_id("bench-engine-only", str(trace.seed), "r", str(index))


def gateway_refusals(trace: Trace, settings: Settings) -> Mapping[int, str]:
    """Request index → the rule(s) for which the gateway answers 422 to its body at its posting time."""
    policy = screening.Policy.from_settings(settings)
    out: dict[int, str] = {}
    for q in trace.requests:
        try:
            parse_job_request(q.body(), now=q.posted_at, policy=policy)
        except InvalidInput as error:
            out[q.index] = ",".join(sorted({e.rule for e in error.errors}))
    return out


def run(trace: Trace, settings: Settings | None = None, requests: Collection[int] | None = None) -> EngineRun:
    """Feed the trace to the engine; only the requests with index in ``requests`` (default: all)."""
    settings = settings or Settings()
    rules: dict[str, market.MarketRules] = {}

    def rules_for(market_id: str) -> market.MarketRules:
        if market_id not in rules:
            rules[market_id] = market.MarketRules.from_settings(settings, market_id)
        return rules[market_id]

    states: dict[str, market.MarketState] = {}
    queue: list[tuple[datetime, int, records.MarketCommand]] = []
    counter = 0
    checkin_ids = {checkin_id(trace, w.index): w.index for w in trace.workers}
    request_ids = {request_id(trace, q.index): q.index for q in trace.requests}
    with_groups = "groups" in records.CheckIn.__struct_fields__

    def push(at: datetime, command: records.MarketCommand) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(queue, (at, counter, command))

    for w in trace.workers:
        extra: dict[str, Any] = {"groups": w.groups, "certificates": w.certificates} if with_groups else {}
        m = geography.market(w.market_id)
        push(
            w.arrive_at,
            records.CheckIn(
                id=checkin_id(trace, w.index),
                at=w.arrive_at,
                market_id=m.market_id,
                county=m.county,
                worker=f"w_bench{trace.seed}_{w.index}",
                worker_masked="5202**********000X",
                kiosk_id=f"kiosk-{m.market_id}",
                trades=w.trades,
                min_day_wage=w.min_day_wage,
                available_from=w.available_from,
                available_until=w.available_until,
                **extra,
            ),
        )
    for q in trace.requests:
        if requests is not None and q.index not in requests:
            continue
        m = geography.market(q.market_id)
        push(
            q.posted_at,
            records.PostJobRequest(
                id=request_id(trace, q.index),
                at=q.posted_at,
                market_id=m.market_id,
                county=m.county,
                employer_id=f"e-bench-{q.employer}",
                employer_name=f"测试用工单位 {q.employer}",
                trade=q.trade,
                headcount=q.headcount,
                day_wage=q.day_wage,
                start=q.start,
                hours=q.hours,
                place=q.place,
                certificate_required=certificate_required(q.body(), q.trade),
            ),
        )
    # The markets' clock, as the benchmark's runner sends it in the pipeline run: every minute of simulated
    # time from the start of the morning window (the same instants and tick ids as the pipeline run).
    first = min(trace.starts_at, min(at for at, _, _ in queue))
    last = max(at for at, _, _ in queue) + timedelta(hours=4)
    tick_at = first
    while tick_at <= last:
        for m in geography.MARKETS:
            push(
                tick_at,
                records.Tick(
                    id=derived_id("bench-tick", m.market_id, tick_at.isoformat()),
                    at=tick_at,
                    market_id=m.market_id,
                    county=m.county,
                ),
            )
        tick_at += timedelta(seconds=60)
    events: list[records.MarketEvent] = []
    decide_seconds: list[float] = []
    while queue:
        at, _, command = heapq.heappop(queue)
        state = states.get(command.market_id) or market.new_state(command.market_id, command.county)
        market_rules = rules_for(command.market_id)
        began = time.thread_time()
        decision = market.decide(state, command, market_rules)
        decide_seconds.append(time.thread_time() - began)
        if isinstance(decision, tuple):  # the first engine returned (state, facts)
            state, facts = decision
        else:
            state, facts = decision.state, decision.facts
        states[command.market_id] = state
        events.extend(facts)
        for fact in facts:
            if isinstance(fact, records.OfferMade):
                answer = trace.answer(checkin_ids[fact.checkin_id], request_ids[fact.request_id])
                when = at + timedelta(seconds=answer.delay_seconds)
                push(
                    when,
                    records.AnswerOffer(
                        id=derived_id("bench-engine-only-answer", fact.offer_id),
                        at=when,
                        market_id=fact.market_id,
                        county=fact.county,
                        offer_id=fact.offer_id,
                        checkin_id=fact.checkin_id,
                        answer="accept" if answer.accept else "decline",
                    ),
                )
    return EngineRun(events=events, checkin_ids=checkin_ids, request_ids=request_ids, decide_seconds=decide_seconds)
