"""The county writer's pure decision: registrations, the handling clock, "1311" and the grade's obligations."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from services.jobseekers import records as r
from services.jobseekers.decide import CountyBook, decide, decode_book, encode_book, new_book

COUNTY = "zhongshan"
_ids: Iterator[int] = itertools.count()


def at(day: str, hh: int = 10) -> datetime:
    """``hh`` o'clock local time on ``day``, as a UTC instant."""
    return datetime.fromisoformat(day).replace(hour=hh, tzinfo=UTC) - timedelta(hours=8)


def cid() -> str:
    return f"c-{next(_ids)}"


def register(when: datetime, *, channel: r.Channel = "kiosk", person: str = "p1", **kw: object) -> r.RegisterJobseeker:
    fields: dict[str, object] = {
        "kind": "unemployed",
        "registered_on": (when + timedelta(hours=8)).date(),
        "category": "basic_skills",
        "trades": ("mason",),
    }
    fields.update(kw)
    return r.RegisterJobseeker(
        id=cid(),
        at=when,
        county=COUNTY,
        person=person,
        person_masked="5201**********1234",
        channel=channel,
        officer_id="officer-1" if channel == "staff" else None,
        **fields,  # type: ignore[arg-type]
    )


def run(book: CountyBook, command: r.JobseekerCommand) -> list[r.JobseekerEvent]:
    book2, facts = decide(book, command)
    assert book2 is book
    # the stored form decides the same
    assert decode_book(encode_book(book)) == book
    return facts


def tags(facts: list[r.JobseekerEvent]) -> list[str]:
    return [r.tag_of(f) for f in facts]


def service(reg: str, when: datetime, kind: r.StaffService) -> r.RecordService:
    return r.RecordService(id=cid(), at=when, county=COUNTY, registration_id=reg, officer_id="officer-1", service=kind)


def seen(reg: str, when: datetime, job: str) -> r.RecordRecommendationSeen:
    return r.RecordRecommendationSeen(
        id=cid(), at=when, county=COUNTY, registration_id=reg, job_ref=job, channel="kiosk"
    )


def tick(when: datetime) -> r.Tick:
    return r.Tick(id=cid(), at=when, county=COUNTY)


def test_self_service_awaits_staff_with_a_three_working_day_clock() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"))
    (applied,) = run(book, c)
    assert isinstance(applied, r.RegistrationApplied)
    assert applied.handling_due == date(2026, 10, 10)
    # no overdue through the end of 10 October (a make-up Saturday)
    assert run(book, tick(at("2026-10-10", 23))) == []
    (late,) = run(book, tick(at("2026-10-11", 0)))
    assert isinstance(late, r.RegistrationHandlingOverdue)
    assert run(book, tick(at("2026-10-12"))) == []
    facts = run(
        book, r.ConfirmRegistration(id=cid(), at=at("2026-10-12"), county=COUNTY, registration_id=c.id, officer_id="o")
    )
    confirmed = facts[0]
    assert isinstance(confirmed, r.RegistrationConfirmed)
    assert not confirmed.on_time
    assert confirmed.message_zh and confirmed.message_en


def test_confirmation_opens_1311_and_the_grade() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"))
    run(book, c)
    facts = run(
        book,
        r.ConfirmRegistration(id=cid(), at=at("2026-09-30", 15), county=COUNTY, registration_id=c.id, officer_id="o"),
    )
    assert tags(facts) == ["registration_confirmed"] + ["obligation_opened"] * 5
    confirmed = facts[0]
    assert isinstance(confirmed, r.RegistrationConfirmed) and confirmed.on_time and confirmed.grade == "short"
    opened = [f for f in facts if isinstance(f, r.ObligationOpened)]
    by = {(o.programme, o.service): o for o in opened}
    assert {k: (o.required, o.due) for k, o in by.items()} == {
        ("1311", "briefing"): (1, date(2026, 10, 13)),
        ("1311", "recommendation"): (3, date(2026, 10, 13)),
        ("1311", "guidance"): (1, date(2026, 10, 13)),
        ("1311", "training"): (1, date(2026, 10, 13)),
        ("short", "recommendation"): (3, date(2026, 10, 30)),
    }


def test_staff_entry_confirms_at_once_with_the_grade_of_its_date() -> None:
    book = new_book(COUNTY)
    facts = run(book, register(at("2026-09-30"), channel="staff", registered_on=date(2026, 3, 10)))
    confirmed = facts[0]
    assert isinstance(confirmed, r.RegistrationConfirmed) and confirmed.grade == "mid_long"
    programmes = sorted({(f.programme, f.service) for f in facts if isinstance(f, r.ObligationOpened)})
    assert ("mid_long", "training") in programmes and ("mid_long", "guidance") in programmes


def test_deliveries_meet_obligations_on_time_and_never_twice() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"), channel="staff")
    run(book, c)
    facts = run(book, service(c.id, at("2026-10-08"), "briefing"))
    assert tags(facts) == ["service_delivered", "obligation_met"]
    # a second briefing is recorded but meets nothing again
    (again,) = run(book, service(c.id, at("2026-10-08"), "briefing"))
    assert isinstance(again, r.ServiceDelivered) and again.counted_for == ()
    # three distinct jobs seen meet both recommendation obligations; the same job twice counts once
    run(book, seen(c.id, at("2026-10-09"), "job-a"))
    assert run(book, seen(c.id, at("2026-10-09"), "job-a")) == []
    run(book, seen(c.id, at("2026-10-09"), "job-b"))
    facts = run(book, seen(c.id, at("2026-10-10"), "job-c"))
    assert tags(facts) == ["service_delivered", "obligation_met", "obligation_met"]
    run(book, service(c.id, at("2026-10-12"), "guidance"))
    facts = run(book, service(c.id, at("2026-10-13", 23), "training"))
    met = [f for f in facts if isinstance(f, r.ObligationMet)]
    assert len(met) == 1 and met[0].on_time
    assert run(book, tick(at("2026-10-14"))) == []


def test_an_unmet_obligation_is_overdue_exactly_after_its_day() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"), channel="staff")
    run(book, c)
    assert run(book, tick(at("2026-10-13", 23))) == []
    facts = run(book, tick(at("2026-10-14", 0)))
    assert tags(facts) == ["obligation_overdue"] * 4
    # late delivery still meets it, not on time
    facts = run(book, service(c.id, at("2026-10-15"), "briefing"))
    (met,) = [f for f in facts if isinstance(f, r.ObligationMet)]
    assert not met.on_time


def test_graduates_may_take_a_traineeship_instead_of_training() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"), channel="staff", kind="job_seeking", graduate=True)
    facts = run(book, c)
    assert sorted(f.service for f in facts if isinstance(f, r.ObligationOpened)) == [
        "briefing",
        "guidance",
        "recommendation",
        "training",
    ]
    facts = run(book, service(c.id, at("2026-10-08"), "traineeship"))
    assert tags(facts) == ["service_delivered", "obligation_met"]


def test_a_job_seeker_not_willing_to_move_is_owed_nothing() -> None:
    book = new_book(COUNTY)
    facts = run(book, register(at("2026-09-30"), channel="staff", kind="job_seeking"))
    assert tags(facts) == ["registration_confirmed"]


def test_grade_crossing_at_local_midnight_opens_the_next_grade() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-01-31"), channel="staff", registered_on=date(2026, 1, 31))
    run(book, c)
    # "1311" (due 6 February) lapsed; the short-term recommendations are due through 28 February
    assert tags(run(book, tick(at("2026-02-28", 23)))) == ["obligation_overdue"] * 4
    # 16:00 UTC on 28 February is local midnight of 1 March
    facts = run(book, tick(datetime(2026, 2, 28, 16, 0, tzinfo=UTC)))
    assert tags(facts) == ["grade_crossed", "obligation_opened", "obligation_opened", "obligation_overdue"]
    crossed = facts[0]
    assert isinstance(crossed, r.GradeCrossed)
    assert (crossed.previous, crossed.grade, crossed.on) == ("short", "mid_short", date(2026, 3, 1))
    opened = [f for f in facts if isinstance(f, r.ObligationOpened)]
    assert {(o.service, o.due) for o in opened} == {
        ("recommendation", date(2026, 7, 31)),
        ("guidance", date(2026, 7, 31)),
    }
    assert run(book, tick(datetime(2026, 2, 28, 16, 1, tzinfo=UTC))) == []


def test_refusals() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"))
    run(book, c)
    (again,) = run(book, register(at("2026-09-30")))
    assert isinstance(again, r.JobseekerCommandRefused) and again.rule == "already_registered"
    (unknown,) = run(book, service("nope", at("2026-09-30"), "briefing"))
    assert isinstance(unknown, r.JobseekerCommandRefused) and unknown.rule == "registration_unknown"
    (early,) = run(book, service(c.id, at("2026-09-30"), "briefing"))
    assert isinstance(early, r.JobseekerCommandRefused) and early.rule == "registration_not_confirmed"
    refused = run(
        book,
        r.RefuseRegistration(
            id=cid(), at=at("2026-10-08"), county=COUNTY, registration_id=c.id, officer_id="o", reason="户籍信息不符"
        ),
    )
    assert isinstance(refused[0], r.RegistrationRefused) and "户籍信息不符" in refused[0].message_zh
    (twice,) = run(
        book, r.ConfirmRegistration(id=cid(), at=at("2026-10-08"), county=COUNTY, registration_id=c.id, officer_id="o")
    )
    assert isinstance(twice, r.JobseekerCommandRefused) and twice.rule == "registration_handled"


def test_ending_closes_unmet_obligations() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"), channel="staff")
    run(book, c)
    facts = run(
        book,
        r.EndRegistration(
            id=cid(), at=at("2026-10-08"), county=COUNTY, registration_id=c.id, officer_id="o", reason="placed"
        ),
    )
    assert tags(facts) == ["registration_ended"] + ["obligation_closed"] * 5
    assert run(book, tick(at("2026-12-01"))) == []


def test_a_deadline_past_the_calendar_is_pending_not_guessed() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-12-30"), channel="staff")
    facts = run(book, c)
    assert {f.due for f in facts if isinstance(f, r.ObligationOpened) and f.programme == "1311"} == {None}
    # ticks do not make a pending deadline overdue
    assert [f for f in run(book, tick(at("2026-12-31"))) if isinstance(f, r.ObligationOverdue)] == []


def test_a_redelivered_command_changes_nothing() -> None:
    book = new_book(COUNTY)
    c = register(at("2026-09-30"), channel="staff")
    run(book, c)
    assert run(book, c) == []


def test_a_command_for_another_county_is_an_error() -> None:
    import pytest

    with pytest.raises(ValueError):
        decide(new_book("liuzhi"), register(at("2026-09-30")))
