"""The job-seeker read models: built from the county writer's facts, idempotent, masked, and the board's
classification on a local date."""

from __future__ import annotations

from datetime import date

from services.jobseekers import records as r
from services.jobseekers.decide import decide, new_book
from services.readmodels.jobseeker_views import JobseekerViews, board_key, compose_board, person_key
from services.readmodels.views import View
from tests.unit.test_jobseeker_decide import COUNTY, at, register, seen, service, tick

PREFIX = "t."


def project(facts: list[r.JobseekerEvent], store: dict[str, View | None] | None = None) -> dict[str, View | None]:
    views = JobseekerViews(PREFIX)
    store = {} if store is None else store
    for fact in facts:
        keys = views.keys_for(fact)
        store.update(views.apply(fact, {k: store.get(k) for k in keys}))
    return store


def _facts() -> tuple[list[r.JobseekerEvent], str, str]:
    book = new_book(COUNTY)
    facts: list[r.JobseekerEvent] = []
    a = register(at("2026-09-30"), channel="staff", person="pa")
    b = register(at("2026-09-30"), channel="staff", person="pb")
    for command in (
        a,
        b,
        service(a.id, at("2026-10-08"), "briefing"),
        service(a.id, at("2026-10-08"), "guidance"),
        service(a.id, at("2026-10-09"), "training"),
        seen(a.id, at("2026-10-09"), "j1"),
        seen(a.id, at("2026-10-09"), "j2"),
        seen(a.id, at("2026-10-09"), "j3"),
        tick(at("2026-10-14", 0)),
    ):
        facts.extend(decide(book, command)[1])
    return facts, a.id, b.id


def test_board_and_pages() -> None:
    facts, a, b = _facts()
    store = project(facts)
    page_a = store[person_key(PREFIX, a)]
    assert page_a is not None and page_a["status"] == "confirmed" and page_a["grade"] == "short"
    assert {o["status"] for o in page_a["obligations"].values()} == {"met"}
    assert "person" not in page_a  # the pseudonym stays out of the page
    board = compose_board(store[board_key(PREFIX, COUNTY)], date(2026, 10, 14))
    assert {row["registration_id"] for row in board["done"]} == {a}
    assert sorted(row["service"] for row in board["overdue"]) == ["briefing", "guidance", "recommendation", "training"]
    assert {row["registration_id"] for row in board["overdue"]} == {b}
    assert board["due_today"] == []
    # before the tick, on its deadline's day (13 October), each of B's open obligations is due today
    before_tick = [f for f in facts if not isinstance(f, r.ObligationOverdue)]
    early = compose_board(project(before_tick)[board_key(PREFIX, COUNTY)], date(2026, 10, 13))
    assert sorted((row["registration_id"], row["service"]) for row in early["due_today"]) == [
        (b, "briefing"),
        (b, "guidance"),
        (b, "recommendation"),
        (b, "training"),
    ]
    assert early["overdue"] == []


def test_applying_facts_again_changes_nothing() -> None:
    facts, _, _ = _facts()
    once = project(facts)
    twice = project(facts, {k: (dict(v) if v is not None else None) for k, v in once.items()})
    assert twice == once


def test_an_ended_registration_leaves_the_board() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"), channel="staff")
    facts = decide(book, c)[1]
    facts += decide(
        book,
        r.EndRegistration(
            id="end-1", at=at("2026-10-08"), county=COUNTY, registration_id=c.id, officer_id="o", reason="placed"
        ),
    )[1]
    store = project(facts)
    board = store[board_key(PREFIX, COUNTY)]
    assert board is not None and board["registrations"] == {}
    page = store[person_key(PREFIX, c.id)]
    assert page is not None and page["status"] == "ended" and page["end_reason"] == "placed"
