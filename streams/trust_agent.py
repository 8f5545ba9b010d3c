"""The case agent ``keep_cases`` (issue 28): single writer of each county's complaints and wage disputes.

Decode → :func:`services.trust.decide.decide` (pure) → publish the facts to ``trust-events`` and wait for their
acks → store the county's case book in the ``case-books`` table; the mechanics (dead letters, transient retries,
facts before state) are :class:`streams.writer.SingleWriter`'s, as for the job seekers.

The service clock reaches the agent as a command: the timer ``tick_cases`` (on the leader only) sends a
:class:`~services.trust.records.Tick` with the injected clock's time to every county every ``TICK_SECONDS``, so
first responses that fall due are marked overdue in order. A tick that changes nothing writes nothing. With
``tick_interval_seconds`` 0 (the shared test stack) there is no timer and the tests send the ticks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import faust
from faust.types import StreamT

from services import geography, records, topics
from services.settings import Settings
from services.trust import records as tr
from services.trust.decide import CaseRules, decide, decode_book, encode_book, new_book
from streams.tables import writer_table
from streams.writer import DirectTopic, Outgoing, SingleWriter, Step

#: How often the leader ticks every county; a first response falls due at a local midnight.
TICK_SECONDS = 60.0

Clock = Callable[[], datetime]


def ticks(counties: Iterable[str], at: datetime) -> list[tr.Tick]:
    """One tick per county at ``at``; ids derive from county and instant, so a repeated tick is one command."""
    return [tr.Tick(id=records.derived_id("case-tick", c, at.isoformat()), at=at, county=c) for c in counties]


def case_step(events: Any, rules: CaseRules) -> Callable[[bytes | None, tr.TrustCommand], Step]:
    """The agent's step: the stored book and a command in, the new book and the facts to publish out."""

    def step(stored: bytes | None, command: tr.TrustCommand) -> Step:
        book = decode_book(stored) if stored is not None else new_book(command.county)
        book, facts = decide(book, command, rules)
        if not facts and isinstance(command, tr.Tick) and stored is not None:
            return Step(None, [])
        key = command.county.encode()
        return Step(encode_book(book), [Outgoing(events, key, tr.encode(fact)) for fact in facts])

    return step


def register_trust_agents(
    app: faust.App, settings: Settings, raw: Callable[[], faust.Schema[bytes, bytes]], *, clock: Clock
) -> list[SingleWriter[tr.TrustCommand, bytes]]:
    """Add the case topics, the ``case-books`` table, the agent and its tick timer to ``app``."""
    commands = app.topic(settings.topic(topics.TRUST_COMMANDS), schema=raw())
    events = app.topic(settings.topic(topics.TRUST_EVENTS), schema=raw())
    rules = CaseRules(first_response_days=settings.case_response_working_days)
    writer: SingleWriter[tr.TrustCommand, bytes] = SingleWriter(
        name="keep_cases",
        table=writer_table(app, "case-books", partitions=settings.partitions, schema=raw()),
        dead_letters=app.topic(settings.topic(topics.DEAD_LETTERS), schema=raw()),
        decode=tr.decode_command,
        key_of=lambda c: c.county.encode(),
        step=case_step(DirectTopic(events), rules),
    )

    @app.agent(commands, name="keep_cases")
    async def keep_cases(stream: StreamT[Any]) -> None:
        """Single writer of each county's cases: apply every command in order, emit the facts."""
        async for event in stream.events():
            await writer.handle(event.message)

    if settings.tick_interval_seconds > 0:

        @app.timer(TICK_SECONDS, on_leader=True, name="tick_cases")  # type: ignore[untyped-decorator]  # Faust's App.timer and App.task return a bare Callable
        async def tick_cases() -> None:
            """The service clock: a tick for every county, with the injected clock's time."""
            for tick in ticks((c.code for c in geography.COUNTIES), clock()):
                await commands.send(key=tick.county.encode(), value=tr.encode(tick))

    return [writer]
