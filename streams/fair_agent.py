"""The fair agent ``track_fair_quota``: single writer of each quota scope (a county, or the city).

Decode → :func:`services.fairs.decide.decide` (pure) → publish the facts to ``fair-events`` and wait for their acks →
store the scope's book in the ``fair-books`` table; the mechanics (dead letters, transient retries, facts
before state) are :class:`streams.writer.SingleWriter`'s.

The clock reaches the agent as a command: the timer ``tick_fair_quotas`` (on the leader only) sends a
:class:`~services.fairs.records.Tick` with the injected clock's time to every scope every ``TICK_SECONDS``, so
at-risk, missed and early-warning transitions happen without other traffic and are decided, in order, by the
scope's writer. A tick that changes nothing writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import faust
from faust.types import StreamT

from services import records, topics
from services.fairs import quotas
from services.fairs import records as fair_records
from services.fairs.decide import decide, decode_book, encode_book, new_book
from services.settings import Settings
from streams.tables import writer_table
from streams.writer import DirectTopic, Outgoing, SingleWriter, Step

log = logging.getLogger(__name__)

#: How often the leader ticks every scope. Quota transitions are at day granularity; a tick is cheap.
TICK_SECONDS = 15.0

Clock = Callable[[], datetime]


def ticks(scopes: Iterable[str], at: datetime) -> list[fair_records.Tick]:
    """One tick per scope at ``at``; ids derive from scope and instant, so a repeated tick is one command."""
    return [
        fair_records.Tick(id=records.derived_id("fair-tick", scope, at.isoformat()), at=at, county=scope)
        for scope in scopes
    ]


def fair_step(fair_events: Any) -> Callable[[bytes | None, fair_records.FairCommand], Step]:
    """The agent's step: the stored book and a command in, the new book and the facts to publish out."""

    def step(stored: bytes | None, command: fair_records.FairCommand) -> Step:
        book = decode_book(stored) if stored is not None else new_book(command.county)
        if book.scope != command.county:
            raise ValueError(f"command for scope {command.county!r} met the book of {book.scope!r}")
        book, facts = decide(book, command)
        if not facts and isinstance(command, fair_records.Tick) and stored is not None:
            return Step(None, [])
        key = command.county.encode()
        return Step(encode_book(book), [Outgoing(fair_events, key, fair_records.encode(fact)) for fact in facts])

    return step


def register_fair_agents(
    app: faust.App, settings: Settings, raw: Callable[[], faust.Schema[bytes, bytes]], *, clock: Clock
) -> list[SingleWriter[fair_records.FairCommand, bytes]]:
    """Add the fair topics, the ``fair-books`` table, the agent and the tick timer to ``app``; return the writer."""
    fair_commands = app.topic(settings.topic(topics.FAIR_COMMANDS), schema=raw())
    fair_events = app.topic(settings.topic(topics.FAIR_EVENTS), schema=raw())
    writer: SingleWriter[fair_records.FairCommand, bytes] = SingleWriter(
        name="track_fair_quota",
        table=writer_table(app, "fair-books", partitions=settings.partitions, schema=raw()),
        dead_letters=app.topic(settings.topic(topics.DEAD_LETTERS), schema=raw()),
        decode=fair_records.decode_command,
        key_of=lambda c: c.county.encode(),
        step=fair_step(DirectTopic(fair_events)),
    )

    @app.agent(fair_commands, name="track_fair_quota")
    async def track_fair_quota(stream: StreamT[Any]) -> None:
        """Single writer of each scope's fairs and quotas: apply every command in order, emit the facts."""
        async for event in stream.events():
            await writer.handle(event.message)

    @app.timer(TICK_SECONDS, on_leader=True, name="tick_fair_quotas")  # type: ignore[untyped-decorator]  # Faust's App.timer and App.task return a bare Callable
    async def tick_fair_quotas() -> None:
        """The quota clock: a tick for every scope, with the injected clock's time."""
        for tick in ticks(quotas.SCOPES, clock()):
            await fair_commands.send(key=tick.county.encode(), value=fair_records.encode(tick))

    return [writer]
