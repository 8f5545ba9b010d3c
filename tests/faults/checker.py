"""The fault battery's independent checker: what is really on the topics, read from the beginning.

It trusts nothing the platform says about itself (no read model, no agent state): it reads the command topics,
the two fact topics and ``dead-letters`` with a consumer of its own and checks, for the commands a test saw
acknowledged with a 2xx,

- every one has its **effect**, the decision fact that answers it (``CheckInAdmitted`` / ``CheckInRefused`` for a
  check-in, ``JobRequestOpened`` / ``CommandRefused`` for a job request), matched by ``command_id``;
- no command has two *different* decision facts (a fact seen twice with the same id and type is one fact
  redelivered, counted once; the same id on a fact of another type — e.g. ``CheckInAdmitted`` and then
  ``CheckInRefused`` for one command applied twice — is two decisions);
- no placement id is started twice under different fact ids;
- no worker holds two overlapping placements that stand (started and not cancelled);
- no request has more standing placements than its headcount.

The pure part (:func:`check`) takes decoded facts, so the checker is itself tested on records it is fed
(``test_checker_checks_itself.py``); :func:`settle` polls the broker until every effect is seen or time runs out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from services import topics
from services.market import records
from services.records import DeadLetter, decode_dead_letter
from services.settings import Settings
from tests.support.kafka_reader import read_topic

CommandKind = Literal["check_in", "job_request"]
RESULTS = Path(__file__).resolve().parent / "results"


@dataclasses.dataclass(frozen=True)
class Facts:
    """Everything decodable on the topics (undecodable records are only counted)."""

    worker_commands: list[records.WorkerCommand]
    market_commands: list[records.MarketCommand]
    worker_events: list[records.WorkerEvent]
    market_events: list[records.MarketEvent]
    dead_letters: list[DeadLetter]
    undecodable: int = 0


@dataclasses.dataclass
class Report:
    """The figures of a run. ``ok`` is true when nothing is lost, doubled, double-booked or over headcount."""

    sent: int = 0
    accepted: int = 0
    effects_seen: int = 0
    lost: int = 0
    duplicated: int = 0
    redelivered: int = 0
    commands_on_topic: int = 0
    commands_missing: int = 0
    placements: int = 0
    duplicate_placements: int = 0
    double_booked: int = 0
    over_headcount: int = 0
    dead_letters: int = 0
    seconds_to_settle: float | None = None
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.lost or self.duplicated or self.duplicate_placements or self.double_booked or self.over_headcount
        )

    def figures(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["problems"] = out["problems"][:20]
        return out


def _decode_all(values: Iterable[bytes], decode: Any) -> tuple[list[Any], int]:
    out, bad = [], 0
    for value in values:
        try:
            out.append(decode(value))
        except (msgspec.DecodeError, msgspec.ValidationError):
            bad += 1
    return out, bad


async def read_facts(settings: Settings) -> Facts:
    """Read the five topics from the beginning (own consumer, no group)."""

    async def values(name: str) -> list[bytes]:
        return [m.value for m in await read_topic(settings.kafka_bootstrap, settings.topic(name))]

    wc, b1 = _decode_all(await values(topics.WORKER_COMMANDS), records.decode_worker_command)
    mc, b2 = _decode_all(await values(topics.MARKET_COMMANDS), records.decode_command)
    we, b3 = _decode_all(await values(topics.WORKER_EVENTS), records.decode_worker_event)
    me, b4 = _decode_all(await values(topics.MARKET_EVENTS), records.decode_event)
    dl, b5 = _decode_all(await values(topics.DEAD_LETTERS), decode_dead_letter)
    return Facts(wc, mc, we, me, dl, b1 + b2 + b3 + b4 + b5)


def _identity(fact: Any) -> tuple[str, str]:
    """What makes two facts the same fact: their id and their type."""
    return fact.id, type(fact).__name__


def _decisions(facts: Facts) -> dict[str, set[tuple[str, str]]]:
    """command id → the distinct identities of the decision facts answering it."""
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for w in facts.worker_events:
        if isinstance(w, records.CheckInAdmitted | records.CheckInRefused):
            out[w.command_id].add(_identity(w))
    for e in facts.market_events:
        if isinstance(e, records.JobRequestOpened) or (
            isinstance(e, records.CommandRefused) and e.command_type == "post_job_request"
        ):
            out[e.command_id].add(_identity(e))
    return out


def check(accepted: Mapping[str, CommandKind], facts: Facts, *, sent: int = 0) -> Report:
    """Check the invariants for the ``accepted`` commands (command id → kind) against ``facts``."""
    report = Report(sent=sent, accepted=len(accepted), dead_letters=len(facts.dead_letters))
    decisions = _decisions(facts)
    fact_ids = Counter([_identity(f) for f in facts.worker_events] + [_identity(e) for e in facts.market_events])
    report.redelivered = sum(n - 1 for n in fact_ids.values() if n > 1)

    on_topic = {c.id for c in facts.worker_commands if isinstance(c, records.CheckIn)} | {
        c.id for c in facts.market_commands if isinstance(c, records.PostJobRequest)
    }
    for command_id, kind in accepted.items():
        if command_id in on_topic:
            report.commands_on_topic += 1
        else:
            report.commands_missing += 1
            report.problems.append(f"{kind} {command_id}: acknowledged but not on its command topic")
        found = decisions.get(command_id, set())
        if found:
            report.effects_seen += 1
        else:
            report.lost += 1
            report.problems.append(f"{kind} {command_id}: no decision fact")
        if len(found) > 1:
            report.duplicated += len(found) - 1
            report.problems.append(f"{kind} {command_id}: {len(found)} different decision facts")

    _check_placements(facts, report)
    return report


def _check_placements(facts: Facts, report: Report) -> None:
    started: dict[str, records.PlacementStarted] = {}
    cancelled: set[str] = set()
    headcount: dict[str, int] = {}
    for e in facts.market_events:
        if isinstance(e, records.JobRequestOpened):
            headcount[e.request_id] = e.headcount
        elif isinstance(e, records.PlacementCancelled):
            cancelled.add(e.placement_id)
        elif isinstance(e, records.PlacementStarted):
            earlier = started.get(e.placement_id)
            if earlier is not None and earlier.id != e.id:
                report.duplicate_placements += 1
                report.problems.append(f"placement {e.placement_id} started twice ({earlier.id}, {e.id})")
            started.setdefault(e.placement_id, e)
    report.placements = len(started)
    standing = [p for p in started.values() if p.placement_id not in cancelled]
    per_request = Counter(p.request_id for p in standing)
    for request_id, n in per_request.items():
        if request_id in headcount and n > headcount[request_id]:
            report.over_headcount += 1
            report.problems.append(f"request {request_id}: {n} placements for headcount {headcount[request_id]}")
    per_worker: dict[str, list[records.PlacementStarted]] = defaultdict(list)
    for p in standing:
        per_worker[p.worker].append(p)
    for worker, jobs in per_worker.items():
        jobs.sort(key=lambda p: p.start)
        for a, b in itertools.pairwise(jobs):
            if b.start < a.start + max(a.hours, 1) * 60:
                report.double_booked += 1
                report.problems.append(
                    f"worker {worker[:8]}…: placements {a.placement_id} and {b.placement_id} overlap"
                )


async def settle(
    settings: Settings, accepted: Mapping[str, CommandKind], *, sent: int, timeout: float, since: float | None = None
) -> Report:
    """Poll the topics until every accepted command has its effect (or ``timeout``); the final report.

    ``seconds_to_settle`` is measured from ``since`` (a ``time.monotonic()``; default: now).
    """
    began = time.monotonic() if since is None else since
    deadline = time.monotonic() + timeout
    while True:
        report = check(accepted, await read_facts(settings), sent=sent)
        if report.lost == 0 or time.monotonic() > deadline:
            if report.lost == 0:
                report.seconds_to_settle = round(time.monotonic() - began, 1)
            return report
        await asyncio.sleep(1)


def save(name: str, figures: Mapping[str, Any]) -> None:
    """Print the figures (``pytest -s``) and keep them in ``tests/faults/results/<name>.json``."""
    text = json.dumps(dict(figures), indent=2, ensure_ascii=False, default=str)
    print(f"\n[fault battery] {name}: {text}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(text + "\n", encoding="utf-8")
