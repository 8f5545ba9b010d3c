"""Reliability records (issue 28): the figures are a recount of their events over the window, and a finding
(an overturned no-show, an upheld dispute) changes its figure exactly once, however often it is delivered.

The events are generated per placement as its market writes them (in order), interleaved with other placements'
and with the cases' findings (which may arrive before the placement's facts: another topic), with duplicates. The
expected figures come from an independent model of each placement's story, never from the fold under test."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.market import records as r
from services.trust import figures as f
from services.trust import records as tr

TODAY = date(2026, 12, 8)
WORKERS = ("w-a", "w-b", "w-c")
EMPLOYERS = ("e-1", "e-2")


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant at ``hour`` local time (Asia/Shanghai is UTC+8, no daylight saving)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@dataclasses.dataclass
class Story:
    """One placement's life, as the model sees it."""

    pid: str
    day: date
    worker: str
    employer: str
    fate: str  # "steps" | "request_cancelled" | "no_show"
    ops: list[tuple[str, str, int]]  # ("record" | "correct", step, minutes after 08:00 on ``pay_day_offset``)
    wage_day_offset: int  # the day wage steps are recorded, relative to ``day``
    findings: list[tuple[str, str]]  # (kind, finding)
    duplicates: int


STEP_ORDER = ("arrived", "completed", "wage_paid", "wage_received")


@st.composite
def stories(draw: st.DrawFn, index: int) -> Story:
    fate = draw(st.sampled_from(("steps", "steps", "request_cancelled", "no_show")))
    ops: list[tuple[str, str, int]] = []
    if fate == "steps":
        standing: list[str] = []
        for minute in range(draw(st.integers(0, 7))):
            choices = [s for s in STEP_ORDER if s not in standing and _may_stand(s, standing)]
            removable = [s for s in standing if not _rests_on(s, standing)]
            options = [("record", s) for s in choices] + [("correct", s) for s in removable]
            if not options:
                break
            op, step = draw(st.sampled_from(options))
            ops.append((op, step, minute))
            if op == "record":
                standing.append(step)
            else:
                standing.remove(step)
    kinds = st.sampled_from(tr.CASE_KINDS)
    findings = draw(
        st.lists(st.tuples(kinds, st.sampled_from(("upheld", "rejected"))), max_size=2, unique_by=lambda x: x[0])
    )
    return Story(
        pid=f"p{index}",
        day=TODAY - timedelta(days=draw(st.integers(0, 100))),
        worker=draw(st.sampled_from(WORKERS)),
        employer=draw(st.sampled_from(EMPLOYERS)),
        fate=fate,
        ops=ops,
        wage_day_offset=draw(st.integers(0, 2)),
        findings=findings,
        duplicates=draw(st.integers(0, 2)),
    )


def _may_stand(step: str, standing: list[str]) -> bool:
    return {"arrived": True, "completed": "arrived" in standing}.get(step, "completed" in standing)


def _rests_on(step: str, standing: list[str]) -> bool:
    later = {"arrived": ("completed",), "completed": ("wage_paid", "wage_received")}.get(step, ())
    return any(s in standing for s in later)


def head(story: Story, n: int, at: datetime) -> dict[str, object]:
    return {"id": f"{story.pid}-e{n}", "at": at, "market_id": "m1", "county": "c1", "command_id": f"{story.pid}-c{n}"}


def market_facts(story: Story) -> list[r.MarketEvent]:
    """The placement's facts in its market's order."""
    ids = {"placement_id": story.pid, "request_id": "q", "checkin_id": f"k-{story.worker}", "worker": story.worker}
    out: list[r.MarketEvent] = [
        r.PlacementStarted(
            **head(story, 0, at_local(story.day, 7)),  # type: ignore[arg-type]
            **ids,
            offer_id="o",
            employer_id=story.employer,
            trade="mason",
            day_wage=300,
        )
    ]
    if story.fate != "steps":
        out.append(r.PlacementCancelled(**head(story, 1, at_local(story.day, 9)), **ids, reason=story.fate))  # type: ignore[arg-type]
        return out
    standing: list[str] = []
    for version, (op, step, minute) in enumerate(story.ops, start=1):
        day = story.day + timedelta(days=story.wage_day_offset if step.startswith("wage") else 0)
        at = at_local(day, 8 + minute)
        if op == "record":
            standing.append(step)
            out.append(
                r.PlacementStepRecorded(
                    **head(story, version, at),
                    **ids,
                    step=step,
                    steps=tuple(standing),
                    version=version,  # type: ignore[arg-type]
                )
            )
        else:
            standing.remove(step)
            out.append(
                r.PlacementStepCorrected(
                    **head(story, version, at),
                    **ids,
                    step=step,
                    steps=tuple(standing),
                    version=version,  # type: ignore[arg-type]
                )
            )
    return out


def finding_facts(story: Story) -> list[tr.CaseFound]:
    return [
        tr.CaseFound(
            id=f"{story.pid}-f{kind}",
            at=at_local(story.day + timedelta(days=1), 10),
            county="c1",
            command_id=f"{story.pid}-cf{kind}",
            case_id=tr.case_id(story.pid, kind),
            placement_id=story.pid,
            kind=kind,  # type: ignore[arg-type]
            worker=story.worker,
            employer_id=story.employer,
            finding=finding,  # type: ignore[arg-type]
            officer_id="officer",
            note="",
            state="resolved",
        )
        for kind, finding in story.findings
    ]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Story], list[f.PlacementFact]]:
    """Stories and one delivery of their facts: each placement's market facts in order, interleaved; findings
    anywhere (another topic); some facts delivered twice."""
    n = draw(st.integers(1, 8))
    all_stories = [draw(stories(i)) for i in range(n)]
    queues: list[list[f.PlacementFact]] = []
    for story in all_stories:
        queues.append(list(market_facts(story)))
        queues.extend([fact] for fact in finding_facts(story))
    events: list[f.PlacementFact] = []
    while any(queues):
        q = draw(st.sampled_from([q for q in queues if q]))
        events.append(q.pop(0))
        if draw(st.integers(0, 9)) == 0:
            events.append(events[-1])  # a duplicate delivery
    return all_stories, events


# ---------------------------------------------------------------- the model: a recount from the stories


def model_standing(story: Story) -> tuple[list[str], dict[str, datetime]]:
    standing: list[str] = []
    last_at: dict[str, datetime] = {}
    for op, step, minute in story.ops:
        day = story.day + timedelta(days=story.wage_day_offset if step.startswith("wage") else 0)
        if op == "record":
            standing.append(step)
            last_at[step] = at_local(day, 8 + minute)
        else:
            standing.remove(step)
    return standing, {s: a for s, a in last_at.items() if s in standing}


def model_counts(stories_: list[Story], days: int) -> dict[tuple[str, str], set[str]]:
    """(person, figure) → placements (for disputes: case ids) behind it."""
    since = TODAY - timedelta(days=days - 1)
    out: dict[tuple[str, str], set[str]] = {}

    def add(person: str, figure: str, item: str) -> None:
        out.setdefault((person, figure), set()).add(item)

    for s in stories_:
        if not since <= s.day <= TODAY:
            continue
        upheld = {kind for kind, finding in s.findings if finding == "upheld"}
        standing, at = model_standing(s)
        done = s.fate == "steps" and "completed" in standing
        wage_times = [at[w] for w in ("wage_paid", "wage_received") if w in at]
        paid = min(wage_times) if wage_times else None
        add(s.employer, "filled", s.pid)
        if done:
            add(s.worker, "completed", s.pid)
            add(s.employer, "completed", s.pid)
            paid_day = (paid + timedelta(hours=8)).date() if paid else None
            if paid_day is not None or s.day < TODAY:
                add(s.employer, "pay_due", s.pid)
            if paid_day is not None and paid_day <= s.day:
                add(s.employer, "paid_on_time", s.pid)
            if paid_day is not None and paid_day > s.day:
                add(s.employer, "paid_late", s.pid)
            if paid_day is None and s.day < TODAY:
                add(s.employer, "not_paid", s.pid)
        if s.fate == "request_cancelled":
            add(s.employer, "late_cancellations", s.pid)
        if s.fate == "no_show":
            if "marked_absent" in upheld:
                add(s.employer, "no_shows_overturned", s.pid)
            else:
                add(s.worker, "no_shows", s.pid)
        for kind in upheld - {"marked_absent"}:
            add(s.employer, "disputes_upheld", tr.case_id(s.pid, kind))
    return out


def test_a_story_with_everything_counts_as_written() -> None:
    """One worked example: completed and paid the next day (late), an upheld unpaid case."""
    story = Story(
        pid="p1",
        day=TODAY - timedelta(days=3),
        worker="w-a",
        employer="e-1",
        fate="steps",
        ops=[("record", "arrived", 0), ("record", "completed", 1), ("record", "wage_paid", 2)],
        wage_day_offset=1,
        findings=[("unpaid", "upheld")],
        duplicates=0,
    )
    records = f.fold([*market_facts(story), *finding_facts(story), *finding_facts(story)])
    employer = f.employer_figures(records.values(), TODAY, 30).figures
    assert employer["paid_late"].count == 1 and employer["paid_on_time"].count == 0
    assert employer["disputes_upheld"].count == 1
    assert f.pay_record_line(f.employer_figures(records.values(), TODAY, 30)) == (
        "近 30 天按时付薪 0/1，欠薪投诉成立 1 起",
        "paid on time 0/1 in the last 30 days, 1 wage complaints upheld",
    )
    assert f.worker_figures(records.values(), TODAY, 30).figures["completed"].placements == ("p1",)
    assert f.worker_figures(records.values(), TODAY - timedelta(days=4), 30).figures["completed"].count == 0


@settings(max_examples=300, deadline=None)
@given(histories())
def test_every_figure_is_a_recount_of_its_events_over_the_window(
    history: tuple[list[Story], list[f.PlacementFact]],
) -> None:
    stories_, events = history
    records = f.fold(events)
    for days in f.WINDOWS:
        expected = model_counts(stories_, days)
        for worker in WORKERS:
            got = f.worker_figures([p for p in records.values() if p.worker == worker], TODAY, days).figures
            for name, figure in got.items():
                assert set(figure.placements) == expected.get((worker, name), set()), (worker, name, days)
                assert figure.count == len(figure.placements)
        for employer in EMPLOYERS:
            got = f.employer_figures([p for p in records.values() if p.employer_id == employer], TODAY, days).figures
            for name, figure in got.items():
                behind = figure.cases if name == "disputes_upheld" else figure.placements
                assert set(behind) == expected.get((employer, name), set()), (employer, name, days)
                assert figure.count == len(behind)


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_a_finding_changes_its_figure_exactly_once(
    history: tuple[list[Story], list[f.PlacementFact]], data: st.DataObject
) -> None:
    """Delivered once or several times, anywhere in the stream, an upheld finding moves its figure by one."""
    stories_, events = history
    without = [e for e in events if not isinstance(e, tr.CaseFound)]
    story = data.draw(st.sampled_from(stories_))
    kind = data.draw(st.sampled_from(tr.CASE_KINDS))
    finding = tr.CaseFound(
        id="the-finding",
        at=at_local(TODAY, 10),
        county="c1",
        command_id="the-command",
        case_id=tr.case_id(story.pid, kind),
        placement_id=story.pid,
        kind=kind,
        worker=story.worker,
        employer_id=story.employer,
        finding="upheld",
        officer_id="officer",
        note="",
        state="resolved",
    )
    copies = data.draw(st.integers(1, 3))
    with_it = list(without)
    for _ in range(copies):
        with_it.insert(data.draw(st.integers(0, len(with_it))), finding)
    before, after = f.fold(without), f.fold(with_it)
    mine_before = [p for p in before.values() if p.employer_id == story.employer]
    mine_after = [p for p in after.values() if p.employer_id == story.employer]
    theirs_before = [p for p in before.values() if p.worker == story.worker]
    theirs_after = [p for p in after.values() if p.worker == story.worker]
    in_window = TODAY - timedelta(days=29) <= story.day
    e0 = f.employer_figures(mine_before, TODAY, 30).figures
    e1 = f.employer_figures(mine_after, TODAY, 30).figures
    w0 = f.worker_figures(theirs_before, TODAY, 30).figures
    w1 = f.worker_figures(theirs_after, TODAY, 30).figures
    if kind == "marked_absent":
        moved = 1 if in_window and story.fate == "no_show" else 0
        assert w0["no_shows"].count - w1["no_shows"].count == moved
        assert e1["no_shows_overturned"].count - e0["no_shows_overturned"].count == moved
        assert e1["disputes_upheld"].count == e0["disputes_upheld"].count
    else:
        assert e1["disputes_upheld"].count - e0["disputes_upheld"].count == (1 if in_window else 0)
        assert w1["no_shows"].count == w0["no_shows"].count


def test_a_finding_before_the_placement_is_kept() -> None:
    """The cases' topic may be projected ahead of the market's: the finding waits in a record of its own."""
    story = Story("p9", TODAY, "w-a", "e-1", "no_show", [], 0, [("marked_absent", "upheld")], 0)
    records = f.fold([*finding_facts(story), *market_facts(story)])
    assert f.worker_figures(records.values(), TODAY, 30).figures["no_shows"].count == 0
    assert f.employer_figures(records.values(), TODAY, 30).figures["no_shows_overturned"].count == 1
    assert f.decode_record(f.encode_record(records["p9"])) == records["p9"]
