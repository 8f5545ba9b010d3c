"""Issue 8, fault 7: the checker checks itself. Fed records with deduplication "switched off" (a command answered
by two different decision facts, a placement started twice, a worker booked twice, a request over its headcount,
a command acknowledged but missing), it reports each; fed the same fact redelivered (same id), it counts it once."""

from __future__ import annotations

import dataclasses

from services.market import records
from tests.conftest import TEST_NOW
from tests.faults import checker

HEAD = {"at": TEST_NOW, "market_id": "zs-market", "county": "zhongshan"}


def _check_in(n: int) -> records.CheckIn:
    return records.CheckIn(
        id=f"c{n}",
        **HEAD,
        worker=f"w{n}",
        worker_masked="5202**********0000",
        kiosk_id="k",
        trades=("mason",),
        min_day_wage=100,
        available_from=420,
        available_until=1080,
    )


def _admitted(n: int, fact_id: str | None = None) -> records.CheckInAdmitted:
    return records.CheckInAdmitted(
        id=fact_id or f"a{n}",
        at=TEST_NOW,
        worker=f"w{n}",
        command_id=f"c{n}",
        checkin_id=f"c{n}",
        market_id="zs-market",
        county="zhongshan",
    )


def _job(n: int, headcount: int = 1) -> tuple[records.PostJobRequest, records.JobRequestOpened]:
    fields = {
        "employer_id": "e",
        "employer_name": "E",
        "trade": "mason",
        "headcount": headcount,
        "day_wage": 200,
        "start": 540,
        "hours": 8,
        "place": "p",
    }
    return (
        records.PostJobRequest(id=f"r{n}", **HEAD, **fields),
        records.JobRequestOpened(id=f"o{n}", **HEAD, command_id=f"r{n}", request_id=f"r{n}", **fields),
    )


def _placement(pid: str, fact_id: str, request: str, worker: str, start: int = 540) -> records.PlacementStarted:
    return records.PlacementStarted(
        id=fact_id,
        **HEAD,
        command_id="x",
        placement_id=pid,
        offer_id="of",
        request_id=request,
        checkin_id="c",
        worker=worker,
        employer_id="e",
        trade="mason",
        day_wage=200,
        start=start,
        hours=8,
    )


def _clean() -> tuple[dict[str, checker.CommandKind], checker.Facts]:
    post, opened = _job(1, headcount=2)
    facts = checker.Facts(
        worker_commands=[_check_in(1), _check_in(2)],
        market_commands=[post],
        worker_events=[_admitted(1), _admitted(2)],
        market_events=[opened, _placement("p1", "f1", "r1", "w1"), _placement("p2", "f2", "r1", "w2")],
        dead_letters=[],
    )
    return {"c1": "check_in", "c2": "check_in", "r1": "job_request"}, facts


def test_a_clean_run_is_clean_and_a_redelivered_fact_counts_once() -> None:
    accepted, facts = _clean()
    report = checker.check(accepted, facts, sent=3)
    assert report.ok and report.effects_seen == 3 and report.lost == 0 and report.placements == 2, report
    redelivered = dataclasses.replace(facts, worker_events=[*facts.worker_events, _admitted(1)])
    report = checker.check(accepted, redelivered)
    assert report.ok and report.redelivered == 1 and report.effects_seen == 3, report


def test_without_deduplication_the_duplicates_are_reported() -> None:
    accepted, facts = _clean()
    doubled = dataclasses.replace(facts, worker_events=[*facts.worker_events, _admitted(1, fact_id="a1-again")])
    report = checker.check(accepted, doubled)
    assert not report.ok and report.duplicated == 1, report
    assert any("c1" in p and "2 different decision facts" in p for p in report.problems)


def test_one_command_admitted_then_refused_under_the_same_fact_id_is_a_duplicate() -> None:
    """What a command applied twice by the roster looks like (the fact id derives from the command id)."""
    accepted, facts = _clean()
    again = records.CheckInRefused(
        id="a1",
        at=TEST_NOW,
        worker="w1",
        command_id="c1",
        checkin_id="c1",
        market_id="zs-market",
        county="zhongshan",
        active_market_id="zs-market",
        rule="already_checked_in",
        message_zh="今天已在本市场登记",
        message_en="already checked in",
    )
    report = checker.check(accepted, dataclasses.replace(facts, worker_events=[*facts.worker_events, again]))
    assert report.duplicated == 1 and report.redelivered == 0 and not report.ok, report


def test_a_placement_started_twice_a_double_booking_and_an_overfilled_request_are_reported() -> None:
    accepted, facts = _clean()
    again = _placement("p1", "f1-again", "r1", "w1")
    overlapping = _placement("p3", "f3", "r1", "w2", start=600)
    report = checker.check(accepted, dataclasses.replace(facts, market_events=[*facts.market_events, again]))
    assert report.duplicate_placements == 1 and not report.ok, report
    report = checker.check(accepted, dataclasses.replace(facts, market_events=[*facts.market_events, overlapping]))
    assert report.double_booked == 1 and report.over_headcount == 1 and not report.ok, report
    cancelled = records.PlacementCancelled(
        id="pc",
        **HEAD,
        command_id="y",
        placement_id="p3",
        request_id="r1",
        checkin_id="c",
        worker="w2",
        reason="no_show",
    )
    events = [*facts.market_events, overlapping, cancelled]
    assert checker.check(accepted, dataclasses.replace(facts, market_events=events)).ok


def test_a_lost_effect_and_a_missing_command_are_reported() -> None:
    accepted, facts = _clean()
    report = checker.check({**accepted, "c9": "check_in"}, facts)
    assert report.lost == 1 and report.commands_missing == 1 and not report.ok, report
