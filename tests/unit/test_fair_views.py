"""The fair projections: facts from the real decision function in, views out; replays change nothing."""

from __future__ import annotations

from datetime import timedelta

from services.fairs import decide as fairs
from services.fairs import records as f
from services.readmodels import fair_views
from services.readmodels.views import View
from tests.unit.test_fairs import attend, employer, hire, local, on, schedule

P = "t."


def project(events: list[f.FairEvent], store: dict[str, View | None] | None = None) -> dict[str, View | None]:
    views = fair_views.FairViews(P)
    store = {} if store is None else store
    for event in events:
        store.update(views.apply(event, {k: store.get(k) for k in views.keys_for(event)}))
    return store


def facts() -> tuple[str, str, list[f.FairEvent]]:
    book = fairs.new_book("zhongshan")
    s = schedule(local(2027, 3, 1, 8), local(2027, 3, 3, 9))
    day = local(2027, 3, 3, 9, 30)
    commands: list[f.FairCommand] = [
        s,
        employer(s.fair_id, local(2027, 3, 1, 9)),
        f.PublishFair(**on(s.fair_id, local(2027, 3, 1, 10))),  # type: ignore[arg-type]
        attend(s.fair_id, day),
        attend(s.fair_id, day),
        attend(s.fair_id, day, worker="w_2"),
        f.RecordEmployerAttendance(**on(s.fair_id, day), employer_id=employer(s.fair_id, day).employer_id),  # type: ignore[arg-type]
        hire(s.fair_id, day + timedelta(hours=1)),
        hire("nope", day),
    ]
    out: list[f.FairEvent] = []
    for command in commands:
        book, events = fairs.decide(book, command)
        out.extend(events)
    return s.fair_id, commands[-2].id, out


def test_the_fair_view_counts_people_once_and_carries_no_personal_data() -> None:
    fair_id, hire_id, events = facts()
    store = project(events)
    fair = store[fair_views.fair_key(P, fair_id)]
    assert fair is not None
    assert fair["counts"] == {
        "attendees": 2,
        "employers_registered": 1,
        "employers_attended": 1,
        "positions": 5,
        "intents": 0,
        "hires": 1,
    }
    assert (fair["status"], fair["held"], fair["week"], fair["date"], fair["start"]) == (
        "published",
        True,
        "2027-W09",
        "2027-03-03",
        "09:00",
    )
    assert "w_1" not in str(store)
    command = store[fair_views.fair_command_key(P, hire_id)]
    assert command is not None and command["status"] == "applied" and "fair_placement_started" in command["facts"]


def test_refusals_show_at_the_command_status() -> None:
    _, _, events = facts()
    refused = [e for e in events if isinstance(e, f.FairCommandRefused)]
    store = project(events)
    views = [store[fair_views.fair_command_key(P, e.command_id)] for e in refused]
    assert [v["refusal"]["rule"] for v in views if v] == ["already_attended", "fair_unknown"]


def test_projecting_every_fact_twice_gives_the_same_views() -> None:
    _, _, events = facts()
    once = project(events)
    assert project(events, dict(once)) == once
    # and re-applying an old attendance after later ones never lowers a count
    late = project([e for e in events if isinstance(e, f.AttendanceRecorded)][:1], dict(once))
    assert late == once


def test_the_board_has_the_status_and_the_weekly_progress() -> None:
    fair_id, _, events = facts()
    store = project(events)
    board = store[fair_views.quota_board_key(P)]
    index = store[fair_views.fair_index_key(P, "zhongshan")]
    assert index is not None and index["fairs"][fair_id]["held"] is True
    indexes = {"zhongshan": index}
    ids = fair_views.board_fair_ids(board, indexes, scope="zhongshan", period="2027-W09")
    assert ids == [fair_id]
    answer = fair_views.compose_board(
        board, indexes, {fair_id: store[fair_views.fair_key(P, fair_id)]}, scope="zhongshan"
    )
    (entry,) = answer["entries"]
    assert (entry["rule"], entry["period"], entry["status"], entry["previous"]) == (
        "county_week",
        "2027-W09",
        "met",
        "on_track",
    )
    assert entry["progress"]["attendees"] == {"actual": 2, "target": 200, "reached": False}
    assert entry["progress"]["hires"]["actual"] == 1 and entry["rule_zh"].startswith("各县")


def test_a_reschedule_moves_the_fair_in_the_index() -> None:
    book = fairs.new_book("zhongshan")
    s = schedule(local(2027, 3, 1), local(2027, 3, 7, 23, 59))
    moved = f.RescheduleFair(
        **on(s.fair_id, local(2027, 3, 2)), starts_at=local(2027, 3, 8), ends_at=local(2027, 3, 8, 3)
    )  # type: ignore[arg-type]
    events: list[f.FairEvent] = []
    for command in (s, moved):
        book, out = fairs.decide(book, command)
        events.extend(out)
    store = project(events)
    entry = store[fair_views.fair_index_key(P, "zhongshan")]["fairs"][s.fair_id]  # type: ignore[index]
    assert (entry["week"], entry["date"]) == ("2027-W10", "2027-03-08")
    periods = store[fair_views.quota_board_key(P)]["periods"]  # type: ignore[index]
    assert periods["county_week:zhongshan:2027-W09"]["status"] == "at_risk"
    assert periods["county_week:zhongshan:2027-W10"]["status"] == "on_track"
