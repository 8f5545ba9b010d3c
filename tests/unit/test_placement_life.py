"""services/market/placement_life.py: when each step of a placement may be recorded, corrected, or reported unpaid."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.market import placement_life as life

DAY = date(2026, 11, 26)
WHEN = life.schedule(DAY, 9 * 60, 8)  # 09:00-17:00 in Liupanshui = 01:00-09:00 UTC


def at(hh: int, mm: int = 0) -> datetime:
    """Local time ``hh:mm`` of DAY as a UTC instant."""
    return datetime(2026, 11, 26, 0, 0, tzinfo=UTC) - timedelta(hours=8) + timedelta(hours=hh, minutes=mm)


def rule(refusal: life.Refusal | None) -> str | None:
    return None if refusal is None else refusal.rule


def test_the_schedule_is_local_time_of_the_markets_day() -> None:
    assert WHEN.start == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert WHEN.end == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_arrival_from_an_hour_before_the_start() -> None:
    refusal = life.may_record("arrived", (), WHEN, at(7, 59))
    assert refusal is not None and refusal.rule == "arrival_too_early"
    assert "09:00" in refusal.message_zh and "08:00" in refusal.message_zh and "08:00" in refusal.message_en
    assert life.may_record("arrived", (), WHEN, at(8, 0)) is None
    assert life.may_record("arrived", (), WHEN, at(16, 0)) is None


def test_completion_after_arrival_or_both_at_once_after_the_start() -> None:
    assert rule(life.may_record("completed", (), WHEN, at(10))) == "completion_before_arrival"
    assert life.may_record("completed", ("arrived",), WHEN, at(8, 30)) is None
    assert rule(life.may_record("completed", (), WHEN, at(8, 59), with_arrival=True)) == "completion_before_start"
    assert life.may_record("completed", (), WHEN, at(9, 0), with_arrival=True) is None


@pytest.mark.parametrize("step", life.WAGE_STEPS)
def test_wage_steps_after_completion_or_after_the_scheduled_end(step: str) -> None:
    refusal = life.may_record(step, ("arrived",), WHEN, at(16, 59))
    assert refusal is not None and refusal.rule == "wage_before_completion" and "17:00" in refusal.message_zh
    assert life.may_record(step, ("arrived", "completed"), WHEN, at(9, 30)) is None
    assert life.may_record(step, (), WHEN, at(17, 0)) is None


def test_no_arrival_or_completion_once_a_wage_stands() -> None:
    assert rule(life.may_record("arrived", ("wage_received",), WHEN, at(18))) == "step_after_wage"
    assert rule(life.may_record("completed", ("arrived", "wage_paid"), WHEN, at(18))) == "step_after_wage"


def test_a_standing_step_is_not_refused() -> None:
    assert life.may_record("arrived", ("arrived",), WHEN, at(1)) is None


def test_no_show_after_the_start_and_never_after_arrival() -> None:
    assert rule(life.may_mark_no_show((), WHEN, at(8, 59))) == "no_show_before_start"
    assert life.may_mark_no_show((), WHEN, at(9)) is None
    assert rule(life.may_mark_no_show(("arrived",), WHEN, at(10))) == "no_show_after_arrival"
    assert rule(life.may_mark_no_show(("wage_received",), WHEN, at(18))) == "no_show_after_arrival"
    assert rule(life.may_mark_no_show((), WHEN, at(18), disputed=True)) == "no_show_disputed"


def test_unpaid_after_the_end_unless_the_wage_was_received() -> None:
    assert rule(life.may_report_unpaid(("arrived", "completed"), WHEN, at(16))) == "unpaid_before_end"
    assert life.may_report_unpaid(("arrived", "completed", "wage_paid"), WHEN, at(17)) is None
    assert rule(life.may_report_unpaid(("wage_received",), WHEN, at(18))) == "unpaid_after_received"


def test_correction_within_the_window_later_steps_first() -> None:
    recorded = {"arrived": at(8, 10), "completed": at(8, 20)}
    steps = ("arrived", "completed")
    refusal = life.may_correct("arrived", steps, recorded, at(8, 25))
    assert refusal is not None and refusal.rule == "correction_dependent_step" and "完工" in refusal.message_zh
    assert life.may_correct("completed", steps, recorded, at(8, 50)) is None
    assert rule(life.may_correct("completed", steps, recorded, at(8, 51))) == "correction_window_passed"
    assert life.may_correct("completed", steps, recorded, at(9, 20), timedelta(hours=1)) is None
    assert rule(life.may_correct("wage_paid", steps, recorded, at(8, 25))) == "correction_nothing"


def test_parties() -> None:
    assert [life.party_of(s) for s in life.STEPS] == ["employer", "employer", "employer", "worker"]


def test_known_refusals_depend_on_the_clock_alone() -> None:
    assert rule(life.known_refusal("step", "arrived", WHEN, at(7, 59))) == "arrival_too_early"
    assert rule(life.known_refusal("step", "completed", WHEN, at(7, 59))) == "completion_before_arrival"
    assert rule(life.known_refusal("step", "wage_received", WHEN, at(7, 59))) == "wage_before_completion"
    # from an hour before the start, arrival may stand: completion and wages are the market's to judge
    assert life.known_refusal("step", "completed", WHEN, at(8, 0)) is None
    assert life.known_refusal("step", "wage_received", WHEN, at(8, 30)) is None
    assert rule(life.known_refusal("no_show", "", WHEN, at(8, 59))) == "no_show_before_start"
    assert life.known_refusal("no_show", "", WHEN, at(9, 0)) is None
    assert rule(life.known_refusal("unpaid", "", WHEN, at(16, 59))) == "unpaid_before_end"
    assert life.known_refusal("unpaid", "", WHEN, at(17, 0)) is None
