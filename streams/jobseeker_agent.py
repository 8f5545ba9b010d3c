"""The job-seeker agent ``keep_jobseekers``: single writer of each county's registrations and obligations.

Decode → :func:`services.jobseekers.decide.decide` (pure) → publish the facts to ``jobseeker-events`` and wait
for their acks → store the county's book in the ``jobseeker-books`` table; the mechanics (dead letters, transient
retries, facts before state) are :class:`streams.writer.SingleWriter`'s, as for the fairs.

The clock reaches the agent as a command: the timer ``tick_jobseekers`` (on the leader only) sends a
:class:`~services.jobseekers.records.Tick` with the injected clock's time to every county every ``TICK_SECONDS``,
so grade crossings at local midnight and lapsed deadlines are decided, in order, by the county's writer. A tick
that changes nothing writes nothing. With ``tick_interval_seconds`` 0 (the shared test stack, whose time is the
gateway's injected clock) there is no timer and the tests send the ticks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import faust
from faust.types import StreamT

from services import geography, records, topics
from services.jobseekers import records as js
from services.jobseekers.decide import decide, decode_book, encode_book, new_book
from services.settings import Settings
from streams.tables import writer_table
from streams.writer import DirectTopic, Outgoing, SingleWriter, Step

#: How often the leader ticks every county; deadlines and grades change at local midnight.
TICK_SECONDS = 15.0

Clock = Callable[[], datetime]


def ticks(counties: Iterable[str], at: datetime) -> list[js.Tick]:
    """One tick per county at ``at``; ids derive from county and instant, so a repeated tick is one command."""
    return [js.Tick(id=records.derived_id("jobseeker-tick", c, at.isoformat()), at=at, county=c) for c in counties]


def jobseeker_step(events: Any) -> Callable[[bytes | None, js.JobseekerCommand], Step]:
    """The agent's step: the stored book and a command in, the new book and the facts to publish out."""

    def step(stored: bytes | None, command: js.JobseekerCommand) -> Step:
        book = decode_book(stored) if stored is not None else new_book(command.county)
        book, facts = decide(book, command)
        if not facts and isinstance(command, js.Tick) and stored is not None:
            return Step(None, [])
        key = command.county.encode()
        return Step(encode_book(book), [Outgoing(events, key, js.encode(fact)) for fact in facts])

    return step


def register_jobseeker_agents(
    app: faust.App, settings: Settings, raw: Callable[[], faust.Schema[bytes, bytes]], *, clock: Clock
) -> list[SingleWriter[js.JobseekerCommand, bytes]]:
    """Add the job-seeker topics, the ``jobseeker-books`` table, the agent and its tick timer to ``app``."""
    commands = app.topic(settings.topic(topics.JOBSEEKER_COMMANDS), schema=raw())
    events = app.topic(settings.topic(topics.JOBSEEKER_EVENTS), schema=raw())
    writer: SingleWriter[js.JobseekerCommand, bytes] = SingleWriter(
        name="keep_jobseekers",
        table=writer_table(app, "jobseeker-books", partitions=settings.partitions, schema=raw()),
        dead_letters=app.topic(settings.topic(topics.DEAD_LETTERS), schema=raw()),
        decode=js.decode_command,
        key_of=lambda c: c.county.encode(),
        step=jobseeker_step(DirectTopic(events)),
    )

    @app.agent(commands, name="keep_jobseekers")
    async def keep_jobseekers(stream: StreamT[Any]) -> None:
        """Single writer of each county's job seekers: apply every command in order, emit the facts."""
        async for event in stream.events():
            await writer.handle(event.message)

    if settings.tick_interval_seconds > 0:  # 0: time is the test's, sent as ticks by the test (as for markets)

        @app.timer(TICK_SECONDS, on_leader=True, name="tick_jobseekers")  # type: ignore[untyped-decorator]  # Faust's App.timer and App.task return a bare Callable
        async def tick_jobseekers() -> None:
            """The service clock: a tick for every county, with the injected clock's time."""
            for tick in ticks((c.code for c in geography.COUNTIES), clock()):
                await commands.send(key=tick.county.encode(), value=js.encode(tick))

    return [writer]
