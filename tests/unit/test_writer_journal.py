"""``SingleWriter`` with a journal (``journal_max``): a batch writes a segment of its own commands and the
journal's head, not the whole state; a new snapshot goes to the other snapshot key before the journal names it; a
writer that starts afresh (restart, rebalance) restores the same state and decides the same."""

from __future__ import annotations

from typing import Any

import msgspec

from services.market import records as r
from services.market.decide import MarketRules
from services.records import derived_id, encode
from streams.market_agent import MARKET_CODEC, market_step
from streams.writer import (
    JOURNAL_SUFFIX,
    SNAPSHOT_SUFFIX,
    Head,
    SingleWriter,
    encode_head,
    encode_segment,
    journal_of,
    segment_key,
)
from tests.unit.market_fixtures import FCFS, T0, answer, check_in, job
from tests.unit.test_writer_batch import Event, Journal, Table, Topic
from tests.unit.test_writer_cache import Counted, Words, batch, words_writer

JOURNAL = b"a" + JOURNAL_SUFFIX


def journal_writer(journal: Journal, table: Table, counted: Counted, journal_max: int = 3) -> SingleWriter[Any, Words]:
    """The words writer of tests/unit/test_writer_cache.py on ``table``, with a journal."""
    return words_writer(journal, counted, table, journal_max)[0]


def facts(journal: Journal) -> list[bytes]:
    return [payload[1] for kind, payload in journal.entries if kind == "send" and payload[0] == "facts"]


async def test_a_batch_writes_its_commands_to_the_journal_until_a_snapshot_is_due() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    writer = journal_writer(journal, table, counted)

    await writer.handle_batch(batch(b"a:1", b"a:2"))
    assert set(table) == {JOURNAL, segment_key(b"a", 0)} and journal_of(table, b"a") == (0, [b"a:1", b"a:2"])
    assert counted.encodes == 0

    await writer.handle_batch(batch(b"a:3", b"a:4"))  # 4 commands > 3: a snapshot, in the other key
    assert table[b"a" + SNAPSHOT_SUFFIX] == b'{"words":["1","2","3","4"]}'
    assert journal_of(table, b"a") == (1, [])
    writes = [payload[0] for kind, payload in journal.entries if kind == "write"]
    assert writes[-2:] == [b"a" + SNAPSHOT_SUFFIX, JOURNAL]  # the journal, the commit point, last

    await writer.handle_batch(batch(b"a:5"))
    await writer.handle_batch(batch(b"a:6", b"a:7", b"a:8"))  # and the next snapshot in the first key again
    assert table[b"a"] == b'{"words":["1","2","3","4","5","6","7","8"]}' and journal_of(table, b"a") == (0, [])
    assert facts(journal)[-1] == b"1,2,3,4,5,6,7,8"
    assert counted.decodes == 0 and counted.encodes == 2


async def test_a_batch_writes_only_its_own_commands_however_long_the_journal() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    writer = journal_writer(journal, table, counted, journal_max=100)
    for n in range(5):
        await writer.handle_batch(batch(f"a:{n}".encode()))

    writes = [payload[:2] for kind, payload in journal.entries if kind == "write"]
    assert writes[-2:] == [(segment_key(b"a", 4), encode_segment([b"a:4"])), (JOURNAL, encode_head(Head(0, 5, 5)))]
    assert journal_of(table, b"a") == (0, [b"a:0", b"a:1", b"a:2", b"a:3", b"a:4"])


async def test_a_segment_the_head_does_not_count_is_ignored() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    writer = journal_writer(journal, table, counted, journal_max=100)
    await writer.handle_batch(batch(b"a:1"))
    before = table[JOURNAL]
    await writer.handle_batch(batch(b"a:2"))  # segment 1 written, then the head ...
    dict.__setitem__(table, JOURNAL, before)  # ... which the changelog never got

    restarted_journal = Journal()
    restarted = journal_writer(restarted_journal, table, Counted(), journal_max=100)
    await restarted.handle_batch(batch(b"a:2"))  # Kafka delivers the batch again

    assert facts(restarted_journal) == [b"1,2"] and journal_of(table, b"a") == (0, [b"a:1", b"a:2"])


async def test_a_fresh_writer_restores_snapshot_and_journal_and_decides_the_same() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    running = journal_writer(journal, table, counted)
    for words in ((b"a:1", b"a:2"), (b"a:3", b"a:4"), (b"a:5",)):
        await running.handle_batch(batch(*words))
    copy = Table(Journal())
    dict.update(copy, table)

    await running.handle_batch(batch(b"a:6"))
    fresh_journal = Journal()
    fresh = journal_writer(fresh_journal, copy, Counted())
    await fresh.handle_batch(batch(b"a:6"))

    assert facts(fresh_journal) == facts(journal)[-1:] == [b"1,2,3,4,5,6"]
    assert dict(copy) == dict(table)


async def test_a_crash_between_the_snapshot_and_the_journal_leaves_the_previous_state_in_force() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    writer = journal_writer(journal, table, counted)
    await writer.handle_batch(batch(b"a:1", b"a:2"))
    before = table[JOURNAL]
    await writer.handle_batch(batch(b"a:3", b"a:4"))  # snapshot written, then the journal ...
    dict.__setitem__(table, JOURNAL, before)  # ... which the changelog never got

    restarted_journal = Journal()
    restarted = journal_writer(restarted_journal, table, Counted())
    await restarted.handle_batch(batch(b"a:3", b"a:4"))  # Kafka delivers the batch again

    assert facts(restarted_journal) == [b"1,2,3", b"1,2,3,4"]


async def test_a_key_written_before_journals_is_read_as_its_snapshot() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    table[b"a"] = b'{"words":["x"]}'
    writer = journal_writer(journal, table, counted)

    await writer.handle_batch(batch(b"a:1"))

    assert facts(journal) == [b"x,1"]
    assert table[b"a"] == b'{"words":["x"]}' and journal_of(table, b"a") == (0, [b"a:1"])


async def test_a_journal_replaced_in_the_table_is_restored_again() -> None:
    journal, counted = Journal(), Counted()
    table = Table(journal)
    writer = journal_writer(journal, table, counted)
    await writer.handle_batch(batch(b"a:1"))
    dict.__setitem__(table, JOURNAL, bytes(bytearray(table[JOURNAL])))  # a changelog recovery: equal, not same

    await writer.handle_batch(batch(b"a:2"))

    assert facts(journal) == [b"1", b"1,2"] and journal_of(table, b"a") == (0, [b"a:1", b"a:2"])


async def test_a_failed_step_with_a_journal_rolls_back_to_the_batch_so_far() -> None:
    journal = Journal()
    table = Table(journal)
    writer = journal_writer(journal, table, Counted(), journal_max=10)
    await writer.handle_batch(batch(b"a:0"))

    await writer.handle_batch(batch(b"a:1", b"a:boom", b"a:2"))

    assert journal_of(table, b"a") == (0, [b"a:0", b"a:1", b"a:2"])
    assert facts(journal) == [b"0", b"0,1", b"0,1,2"]


async def test_one_by_one_handling_keeps_the_journal_too() -> None:
    journal = Journal()
    table = Table(journal)
    writer = journal_writer(journal, table, Counted(), journal_max=1)
    for n, raw in enumerate((b"a:1", b"a:2", b"a:3")):
        await writer.handle(Event(raw, n).message)

    assert facts(journal) == [b"1", b"1,2", b"1,2,3"]
    assert table[b"a" + SNAPSHOT_SUFFIX] == b'{"words":["1","2"]}' and journal_of(table, b"a") == (1, [b"a:3"])


# ---------------------------------------------------------------- the market writer


def market_writer(journal: Journal, table: Table) -> SingleWriter[r.MarketCommand, Any]:
    rules = MarketRules(offer_ttl=FCFS.offer_ttl, policy=FCFS.policy)
    return SingleWriter(
        name="match_market",
        table=table,
        dead_letters=Topic("dead-letters", journal),
        decode=r.decode_command,
        key_of=lambda c: c.market_id.encode(),
        step=market_step(
            rules_for=lambda _: rules,
            market_events=Topic("market-events", journal),
            worker_commands=Topic("worker-commands", journal),
        ),
        codec=MARKET_CODEC,
        journal_max=4,
    )


def market_batch(*commands: r.MarketCommand) -> list[Event]:
    return [Event(encode(c), n) for n, c in enumerate(commands)]


def sent(journal: Journal) -> list[bytes]:
    return [payload[1] for kind, payload in journal.entries if kind == "send"]


async def test_a_market_restored_from_snapshot_and_journal_decides_like_the_running_writer() -> None:
    journal = Journal()
    table = Table(journal)
    running = market_writer(journal, table)
    batches = [
        (job(1, headcount=2), check_in(1), check_in(2)),
        (check_in(3), check_in(4, trades=("porter",))),
        (answer(derived_id("offer", "j1", "c1"), "c1", "decline", 1),),
        (r.Tick(id="t1", at=T0, market_id="zs-market", county="zhongshan"), check_in(5)),
    ]
    for n, commands in enumerate(batches):
        copy = Table(Journal())
        dict.update(copy, table)
        before = len(sent(journal))
        await running.handle_batch(market_batch(*commands))
        fresh_journal = Journal()
        await market_writer(fresh_journal, copy).handle_batch(market_batch(*commands))
        assert sent(fresh_journal) == sent(journal)[before:], f"batch {n} decided differently after a restart"
        assert dict(copy) == dict(table)
    assert msgspec.json.decode(table[b"zs-market" + SNAPSHOT_SUFFIX])["next_ticket"] == 5  # a snapshot was taken
