"""The report ledger, the kiosk's lookup view and the dashboard's alert of registered job seekers, and the reports
computed from the ledger: by grade and category, the on-time rate of "1311", placements toward the targets."""

from __future__ import annotations

from datetime import date

from services.jobseekers import records as r
from services.jobseekers.decide import decide, new_book
from services.readmodels.jobseeker_views import (
    board_key,
    ledger_key,
    overdue_alerts,
    person_key,
    person_of_key,
)
from services.reports import jobseekers as report
from tests.unit.test_jobseeker_decide import COUNTY, at, register, seen, service, tick
from tests.unit.test_jobseeker_views import PREFIX, project

TARGETS = {"reemployment_unemployed": 5000, "people_in_difficulty": 3500}


def _end(reg: str, when: object, reason: r.EndReason) -> r.EndRegistration:
    return r.EndRegistration(
        id=f"end-{reg}", at=when, county=COUNTY, registration_id=reg, officer_id="officer-1", reason=reason
    )  # type: ignore[arg-type]


def _story() -> tuple[list[r.JobseekerEvent], dict[str, str]]:
    """Four people confirmed on Wednesday 30 September 2026 ("1311" due Tuesday 13 October):

    a: everything on time; b: nothing (overdue); c: placed before the deadline (closed, not counted in the rate,
    counted toward the targets); d: a job seeker (求职登记) not owed "1311", with employment difficulty.
    """
    book = new_book(COUNTY)
    a = register(at("2026-09-30"), channel="staff", person="pa", category="basic_skills")
    b = register(at("2026-09-30"), channel="staff", person="pb", category="lacks_basic_skills", groups=("disabled",))
    c = register(at("2026-09-30"), channel="staff", person="pc", category="basic_skills")
    d = register(at("2026-09-30"), channel="staff", person="pd", kind="job_seeking", category="employment_difficulty")
    facts: list[r.JobseekerEvent] = []
    for command in (
        a,
        b,
        c,
        d,
        service(a.id, at("2026-10-08"), "briefing"),
        service(a.id, at("2026-10-08"), "guidance"),
        service(a.id, at("2026-10-09"), "training"),
        seen(a.id, at("2026-10-09"), "gig:j1"),
        seen(a.id, at("2026-10-09"), "gig:j2"),
        seen(a.id, at("2026-10-09"), "gig:j2"),  # the same job twice counts once
        seen(a.id, at("2026-10-10"), "fair:f/e/0"),
        _end(c.id, at("2026-10-09"), "placed"),
        tick(at("2026-10-14", 0)),
    ):
        facts.extend(decide(book, command)[1])
    return facts, {"a": a.id, "b": b.id, "c": c.id, "d": d.id}


def test_the_ledger_keeps_every_confirmed_registration_with_its_1311() -> None:
    facts, ids = _story()
    store = project(facts)
    ledger = store[ledger_key(PREFIX, COUNTY)]
    assert ledger is not None
    entries = ledger["registrations"]
    assert set(entries) == set(ids.values())  # the ended one stays for the reports
    assert entries[ids["a"]]["o1311"] == {
        "due": "2026-10-13", "count": 4, "met": 4, "met_on_time": 4, "overdue": 0, "closed": 0,
    }  # fmt: skip
    assert entries[ids["b"]]["o1311"]["overdue"] == 4
    assert entries[ids["c"]]["status"] == "ended" and entries[ids["c"]]["end_reason"] == "placed"
    assert "o1311" not in entries[ids["d"]]
    page = store[person_key(PREFIX, ids["a"])]
    assert page is not None and page["obligations"]  # the pages are as before


def test_the_kiosk_finds_a_person_by_pseudonym_in_the_county() -> None:
    facts, ids = _story()
    store = project(facts)
    assert store[person_of_key(PREFIX, COUNTY, "pa")] is not None
    found = store[person_of_key(PREFIX, COUNTY, "pa")]
    assert found is not None and found["registration_id"] == ids["a"] and found["status"] == "confirmed"
    ended = store[person_of_key(PREFIX, COUNTY, "pc")]
    assert ended is not None and ended["status"] == "ended"


def test_the_dashboard_alert_names_the_county_and_counts_overdue_obligations() -> None:
    facts, _ = _story()
    store = project(facts)
    alerts = overdue_alerts({COUNTY: store[board_key(PREFIX, COUNTY)], "liuzhi": None})
    assert alerts == [
        {
            "kind": "jobseeker_obligations_overdue",
            "county": COUNTY,
            "count": 4,
            "people": 1,
            "href": "/jobseekers",
            "message_zh": "钟山区：1 名登记人员有 4 项就业服务逾期未完成",
            "message_en": "Zhongshan District: 4 employment-service obligations overdue for 1 registered people",
        }
    ]
    assert overdue_alerts({}) == []


def test_reports_by_grade_and_category_on_time_and_targets() -> None:
    facts, _ = _story()
    store = project(facts)
    ledgers = {COUNTY: store[ledger_key(PREFIX, COUNTY)], "liuzhi": None}
    answer = report.build(ledgers, today=date(2026, 10, 14), year=2026, targets=TARGETS)
    grades = {(row["county"], row["grade"]): row for row in answer["grades"]}
    assert grades[(COUNTY, "short")] == {
        "county": COUNTY, "grade": "short", "basic_skills": 1, "lacks_basic_skills": 1,
        "employment_difficulty": 0, "total": 2,
    }  # fmt: skip
    assert grades[(COUNTY, "none")]["employment_difficulty"] == 1
    assert grades[("total", "short")]["total"] == 2
    assert len(answer["grades"]) == len(report.GRADES) * 3  # both counties (one empty) and the city, zeros too
    assert answer["on_time_1311"] == [
        {"county": COUNTY, "month": "2026-10", "decided": 2, "on_time": 1, "pending": 0, "late": 1, "rate": 0.5},
        {"county": "total", "month": "2026-10", "decided": 2, "on_time": 1, "pending": 0, "late": 1, "rate": 0.5},
    ]
    assert answer["targets"] == [
        {"target": "reemployment_unemployed", "year": 2026, "actual": 1, "annual_target": 5000, "share": 0.0002},
        {"target": "people_in_difficulty", "year": 2026, "actual": 0, "annual_target": 3500, "share": 0.0},
    ]
    # before the deadline, an unfinished "1311" is pending, not late
    early = report.build(ledgers, today=date(2026, 10, 12), year=2026, targets=TARGETS, county=COUNTY)
    assert early["on_time_1311"][0]["pending"] == 1 and early["on_time_1311"][0]["decided"] == 1


def test_tables_in_words_for_the_page_and_csv() -> None:
    facts, _ = _story()
    store = project(facts)
    answer = report.build(
        {COUNTY: store[ledger_key(PREFIX, COUNTY)]}, today=date(2026, 10, 14), year=2026, targets=TARGETS
    )
    headers, rows = report.table(answer, "on_time_1311")
    assert headers[0] == "区县 county"
    assert [row[headers[0]] for row in rows] == ["钟山区", "合计"]
    assert rows[0][headers[1]] == "2026年10月" and rows[0][headers[-1]] == "50.0%"
    headers, rows = report.table(answer, "grades", "en")
    assert rows[0][headers[1]] == "short-term" and rows[0][headers[0]] == "Zhongshan District"
    headers, rows = report.table(answer, "targets")
    assert rows[0][headers[0]] == "失业人员再就业" and rows[0][headers[-1]] == "0.0%"
