"""The roster: one active check-in per worker across markets (services/market/roster.py)."""

from __future__ import annotations

from datetime import timedelta

from services.market import records as r
from services.market.roster import RosterState, decide_roster, decode_roster, encode_roster
from tests.unit.market_fixtures import T0, check_in


def release(checkin_id: str, n: int, commitments: tuple[r.Commitment, ...] = (), at=T0) -> r.WorkerReleased:  # type: ignore[no-untyped-def]
    return r.WorkerReleased(
        id=f"rel{n}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        worker="w_x",
        checkin_id=checkin_id,
        reason="checked_out",
        commitments=commitments,
    )


def test_first_check_in_is_admitted_and_forwarded() -> None:
    d = decide_roster(RosterState(worker="w_x"), check_in(1, worker="w_x"))
    assert isinstance(d.facts[0], r.CheckInAdmitted)
    assert [c.id for c in d.to_market] == ["c1"]


def test_concurrent_check_in_at_another_market_is_refused() -> None:
    state = RosterState(worker="w_x")
    decide_roster(state, check_in(1, worker="w_x", market="zs-market"))
    d = decide_roster(state, check_in(2, worker="w_x", market="sc-market"))
    (refused,) = d.facts
    assert isinstance(refused, r.CheckInRefused)
    assert refused.rule == "checked_in_elsewhere" and refused.active_market_id == "zs-market"
    assert d.to_market == []


def test_after_release_the_worker_may_check_in_elsewhere_with_their_jobs() -> None:
    state = RosterState(worker="w_x")
    decide_roster(state, check_in(1, worker="w_x", market="zs-market"))
    job = r.Commitment(placement_id="p1", market_id="zs-market", start=540, end=720)
    decide_roster(state, release("c1", 1, (job,)))
    d = decide_roster(state, check_in(2, worker="w_x", market="sc-market"))
    assert d.to_market[0].commitments == (job,)


def test_a_release_of_an_older_check_in_changes_nothing() -> None:
    state = RosterState(worker="w_x")
    decide_roster(state, check_in(1, worker="w_x"))
    d = decide_roster(state, release("c0", 1))
    assert d.facts == [] and state.active is not None and state.active.checkin_id == "c1"


def test_yesterdays_check_in_does_not_block_today_and_its_jobs_are_forgotten() -> None:
    state = RosterState(worker="w_x")
    decide_roster(state, check_in(1, worker="w_x"))
    d = decide_roster(state, check_in(2, worker="w_x", at=T0 + timedelta(days=1), market="sc-market"))
    assert isinstance(d.facts[0], r.CheckInAdmitted) and d.to_market[0].commitments == ()


def test_replay_is_idempotent_and_state_round_trips() -> None:
    state = RosterState(worker="w_x")
    decide_roster(state, check_in(1, worker="w_x"))
    again = decide_roster(decode_roster(encode_roster(state)), check_in(1, worker="w_x"))
    assert again.facts == [] and again.to_market == []


def test_a_command_applied_twice_is_skipped_unless_the_test_switch_turns_deduplication_off() -> None:
    state = RosterState(worker="w_x")
    decide_roster(state, check_in(1, worker="w_x"))
    assert decide_roster(state, check_in(1, worker="w_x")).facts == []
    (again,) = decide_roster(state, check_in(1, worker="w_x"), deduplicate=False).facts
    assert isinstance(again, r.CheckInRefused) and again.rule == "already_checked_in"
