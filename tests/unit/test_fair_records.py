"""Every fair record has an example that decodes to itself; tags are stable; bad records are refused."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import msgspec
import pytest

from services.fairs import records as f
from services.market import records
from services.records import derived_id
from services.reports import placements

AT = datetime(2027, 3, 3, 1, 0, tzinfo=UTC)
HEAD = {"id": "11111111-1111-4111-8111-111111111111", "at": AT, "county": "zhongshan"}
FACT = {**HEAD, "command_id": "22222222-2222-4222-8222-222222222222"}
POSITION = f.FairPosition(trade="porter", headcount=3, wage_min=150, wage_max=200, wage_unit="day")
PERSON = {"worker": "w_" + "a" * 32, "worker_masked": "5202**********123X"}

COMMANDS: list[f.FairCommand] = [
    f.ScheduleFair(
        **HEAD,
        fair_id="fa",
        organiser_id="o",
        level="county",
        kind="comprehensive",
        title="t",
        venue="v",
        venue_county="zhongshan",
        starts_at=AT,
        ends_at=AT,
        capacity=10,
    ),
    f.RegisterFairEmployer(**HEAD, fair_id="fa", employer_id="X", employer_name="n", booth="A1", positions=(POSITION,)),
    f.PublishFair(**HEAD, fair_id="fa"),
    f.RescheduleFair(**HEAD, fair_id="fa", starts_at=AT, ends_at=AT),
    f.CancelFair(**HEAD, fair_id="fa", reason="r"),
    f.RecordAttendance(**HEAD, fair_id="fa", **PERSON),
    f.RecordEmployerAttendance(**HEAD, fair_id="fa", employer_id="X"),
    f.RecordIntent(**HEAD, fair_id="fa", **PERSON, employer_id="X", trade="porter"),
    f.RecordHire(**HEAD, fair_id="fa", **PERSON, employer_id="X", trade="porter", wage=200, wage_unit="day"),
    f.SetQuotaPolicy(**HEAD, officer_id="of", policy=f.QuotaPolicy()),
    f.Tick(**HEAD),
]

EVENTS: list[f.FairEvent] = [
    f.FairScheduled(
        **FACT,
        fair_id="fa",
        organiser_id="o",
        level="city",
        kind="campus",
        title="t",
        venue="v",
        venue_county="shuicheng",
        starts_at=AT,
        ends_at=AT,
        capacity=10,
    ),
    f.FairEmployerRegistered(
        **FACT,
        fair_id="fa",
        employer_id="X",
        employer_name="n",
        booth="A1",
        positions=(POSITION,),
        employers=1,
        positions_total=3,
    ),
    f.FairPublished(**FACT, fair_id="fa"),
    f.FairRescheduled(
        **FACT, fair_id="fa", starts_at=AT, ends_at=AT, venue="v", previous_starts_at=AT, previous_ends_at=AT
    ),
    f.FairCancelled(**FACT, fair_id="fa", reason="r"),
    f.FairHeld(**FACT, fair_id="fa"),
    f.AttendanceRecorded(**FACT, fair_id="fa", **PERSON, attendees=1),
    f.EmployerAttended(**FACT, fair_id="fa", employer_id="X", employers_attended=1),
    f.IntentRecorded(**FACT, fair_id="fa", intent_id="i", **PERSON, employer_id="X", trade="porter", intents=1),
    f.FairPlacementStarted(
        **FACT,
        placement_id="p",
        fair_id="fa",
        venue_county="zhongshan",
        **PERSON,
        employer_id="X",
        trade="porter",
        wage=4000,
        wage_unit="month",
        day_wage=None,
        hires=1,
    ),
    f.FairCommandRefused(
        **FACT,
        command_type="record_hire",
        fair_id="fa",
        rule="worker_not_attended",
        message_zh="z",
        message_en="e",
    ),
    f.QuotaPolicySet(**FACT, officer_id="of", policy=f.QuotaPolicy(warn_hour=9)),
    f.QuotaStatusChanged(
        **FACT,
        rule="county_week",
        period="2027-W09",
        period_start=AT,
        period_end=AT,
        status="met",
        previous=None,
        held=1,
        pending=0,
        target=1,
    ),
    f.QuotaEarlyWarning(**FACT, rule="county_week", period="2027-W09", warn_at=AT, held=0, pending=0, target=1),
]


def test_every_command_and_event_type_has_an_example() -> None:
    assert {type(c) for c in COMMANDS} == set(typing.get_args(f.FairCommand))
    assert {type(e) for e in EVENTS} == set(typing.get_args(f.FairEvent))


@pytest.mark.parametrize("command", COMMANDS, ids=f.tag_of)
def test_commands_round_trip(command: f.FairCommand) -> None:
    data = f.encode(command)
    assert f.decode_command(data) == command
    assert msgspec.json.decode(data)["type"] == f.tag_of(command) and b'"v":1' in data


@pytest.mark.parametrize("event", EVENTS, ids=f.tag_of)
def test_events_round_trip(event: f.FairEvent) -> None:
    assert f.decode_event(f.encode(event)) == event


def test_tags_are_unique_and_never_class_names() -> None:
    tags = [f.tag_of(r) for r in [*COMMANDS, *EVENTS]]
    assert len(tags) == len(set(tags))
    assert all(t == t.lower() for t in tags)


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b'{"type":"check_in","v":1}',
        b'{"type":"record_attendance","id":"x","at":"2027-03-03T01:00:00Z","county":"zhongshan"}',
        b'{"type":"publish_fair","id":"x","at":"not a time","county":"zhongshan","fair_id":"f"}',
    ],
)
def test_bad_commands_raise_for_the_dead_letter_queue(data: bytes) -> None:
    with pytest.raises((msgspec.DecodeError, msgspec.ValidationError)):
        f.decode_command(data)


def test_a_fair_hire_and_a_gig_match_are_one_placement_shape() -> None:
    fair = next(e for e in EVENTS if isinstance(e, f.FairPlacementStarted))
    gig = records.PlacementStarted(
        **{k: v for k, v in FACT.items()},
        market_id="zs-market",
        placement_id="q",
        offer_id="o",
        request_id="r",
        checkin_id="c",
        worker=PERSON["worker"],
        employer_id="e",
        trade="porter",
        day_wage=220,
    )  # type: ignore[call-arg]
    found = [placements.placement_of(e) for e in (fair, gig, EVENTS[0])]
    assert found[2] is None
    assert [(p.source, p.placement_id, p.county) for p in found if p] == [
        ("job_fair", "p", "zhongshan"),
        ("gig_market", "q", "zhongshan"),
    ]
    assert derived_id("placement", "x") != derived_id("fair-placement", "x")
