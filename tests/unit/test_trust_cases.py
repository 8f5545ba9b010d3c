"""Cases (issue 28): the county writer's rules, the service clock in working days, the posting rule, and the
read models the projector builds from the facts (idempotent, the finding corrects the records once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.market import records as r
from services.readmodels import trust_views as tv
from services.readmodels.views import View
from services.trust import figures, rules
from services.trust import records as tr
from services.trust.decide import CaseRules, decide, decode_book, encode_book, first_response_due, new_book

# Wednesday 2026-09-30 10:00 local; the next working day is Thursday 2026-10-08 (国庆 holidays in between)
OPENED = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
RULES = CaseRules(first_response_days=1)


def facts(pid: str = "p1", employer: str = "e1", worker: str = "w1") -> tr.PlacementFacts:
    return tr.PlacementFacts(
        placement_id=pid,
        market_id="zs-market",
        request_id="q1",
        checkin_id="k1",
        worker=worker,
        worker_masked="5202**********0001",
        employer_id=employer,
        employer_name="凉都建筑",
        trade="mason",
        day_wage=300,
        day="2026-09-30",
        start=8 * 60,
        hours=1,
        steps=(tr.StepEvidence(step="arrived", at="2026-09-30T00:00:00+00:00"),),
    )


def open_case(n: int, kind: tr.CaseKind = "unpaid", at: datetime = OPENED, pid: str = "p1") -> tr.OpenCase:
    return tr.OpenCase(id=f"open{n}", at=at, county="zhongshan", kind=kind, placement=facts(pid))


def act(n: int, action: tr.StaffAction, case_id: str, at: datetime = OPENED) -> tr.ActOnCase:
    return tr.ActOnCase(
        id=f"act{n}",
        at=at,
        county="zhongshan",
        case_id=case_id,
        officer_id="officer-1",
        action=action,
        note="已电话核实",
    )


def run(*commands: tr.TrustCommand) -> tuple[list[tr.TrustEventT], object]:
    book = new_book("zhongshan")
    out: list[tr.TrustEventT] = []
    for c in commands:
        book, found = decide(decode_book(encode_book(book)), c, RULES)
        out.extend(found)
    return out, book


def test_the_first_response_is_due_by_the_end_of_the_next_working_day() -> None:
    due = first_response_due(OPENED, 1)
    assert due == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)  # the local midnight after Thursday 8 October
    assert first_response_due(OPENED, 2) == datetime(2026, 10, 9, 16, 0, tzinfo=UTC)
    assert first_response_due(datetime(2031, 1, 1, tzinfo=UTC), 1) is None  # the calendar does not know 2031


def test_a_report_opens_one_case_and_a_second_report_changes_nothing() -> None:
    facts_out, _ = run(open_case(1), open_case(2), open_case(1))
    assert [type(f) for f in facts_out] == [tr.CaseOpened]
    opened = facts_out[0]
    assert isinstance(opened, tr.CaseOpened)
    assert opened.case_id == tr.case_id("p1", "unpaid")
    assert opened.first_response_due == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)


def test_an_unanswered_case_is_overdue_once_after_its_due_time() -> None:
    cid = tr.case_id("p1", "unpaid")
    ticks = [tr.Tick(id=f"t{i}", at=OPENED + timedelta(days=i), county="zhongshan") for i in (1, 8, 9, 10)]
    out, _ = run(open_case(1), *ticks)
    overdue = [f for f in out if isinstance(f, tr.CaseOverdue)]
    assert [o.at for o in overdue] == [OPENED + timedelta(days=9)]  # 2026-10-09 10:00 local, past 10-08's end
    responded, _ = run(open_case(1), act(1, "respond", cid, OPENED + timedelta(hours=2)), *ticks)
    assert not [f for f in responded if isinstance(f, tr.CaseOverdue)]


def test_a_late_response_says_so() -> None:
    cid = tr.case_id("p1", "unpaid")
    out, _ = run(open_case(1), act(1, "respond", cid, OPENED + timedelta(days=10)))
    assert [f.late for f in out if isinstance(f, tr.CaseResponded)] == [True]


def test_an_upheld_wage_case_stays_upheld_until_resolved_and_blocks_posting_meanwhile() -> None:
    cid = tr.case_id("p1", "unpaid")
    out, book = run(open_case(1), act(1, "uphold", cid), act(2, "resolve", cid))
    kinds = [type(f) for f in out]
    assert kinds == [tr.CaseOpened, tr.CaseResponded, tr.CaseFound, tr.CaseResolved]
    found = out[2]
    assert isinstance(found, tr.CaseFound) and found.state == "upheld" and found.finding == "upheld"
    assert rules.may_post({cid: {"kind": "unpaid", "state": "upheld"}}) is not None
    refusal = rules.may_post({cid: {"kind": "unpaid", "state": "upheld"}})
    assert refusal is not None and refusal.rule == "employer_unpaid_wage_dispute"
    assert "欠薪" in refusal.message_zh and "rule" in refusal.message_en
    assert rules.may_post({cid: {"kind": "unpaid", "state": "resolved"}}) is None
    assert rules.may_post({cid: {"kind": "not_as_described", "state": "upheld"}}) is None


def test_other_findings_close_the_case_and_a_second_finding_is_refused() -> None:
    cid = tr.case_id("p1", "marked_absent")
    out, _ = run(open_case(1, "marked_absent"), act(1, "uphold", cid), act(2, "reject", cid), act(3, "resolve", cid))
    found = [f for f in out if isinstance(f, tr.CaseFound)]
    assert [f.state for f in found] == ["resolved"]
    assert [f.rule for f in out if isinstance(f, tr.CaseRefused)] == ["case_found", "case_not_upheld"]


def test_only_the_placements_employer_may_answer() -> None:
    cid = tr.case_id("p1", "underpaid")
    answer = tr.AnswerCase(id="ans1", at=OPENED, county="zhongshan", case_id=cid, employer_id="e1", answer="已补发")
    stranger = tr.AnswerCase(id="ans2", at=OPENED, county="zhongshan", case_id=cid, employer_id="e9", answer="x")
    out, _ = run(open_case(1, "underpaid"), answer, stranger)
    assert [type(f) for f in out] == [tr.CaseOpened, tr.CaseAnswered, tr.CaseRefused]
    assert [f.rule for f in out if isinstance(f, tr.CaseRefused)] == ["case_unknown"]


def test_records_round_trip_on_the_wire() -> None:
    out, _ = run(open_case(1), act(1, "uphold", tr.case_id("p1", "unpaid")))
    for fact in out:
        assert tr.decode_event(tr.encode(fact)) == fact
    assert tr.decode_command(tr.encode(open_case(1))) == open_case(1)


def test_the_pause_rule_counts_no_shows_over_30_days_and_lasts_the_day() -> None:
    today = OPENED.date()
    ago = [(today - timedelta(days=d)).isoformat() for d in (0, 3, 29, 30, 45)]
    assert rules.no_shows_on_days(ago, today) == 3
    paused = rules.pause(ago, today, 2)
    assert paused is not None and paused.rule == "worker_paused_no_shows" and "30" in paused.message_zh
    assert rules.pause(ago, today, 3) is None
    assert rules.pause(ago, today, -1) is None
    assert rules.pause(ago[1:], today, 1) is None  # no no-show today: tomorrow they may come back
    assert rules.pause(ago, today + timedelta(days=1), 1) is None


# ---------------------------------------------------------------- the read models


def project(events: list[object], *projections: object) -> dict[str, View | None]:
    """Apply ``events`` as the projector does (each projection over the same current views, then stored); the
    case views read only the cases' topic."""
    store: dict[str, View | None] = {}
    for event in events:
        for projection in projections:
            if isinstance(projection, tv.CaseViews) and not isinstance(event, tr.TrustEvent):
                continue
            wanted = projection.keys_for(event)  # type: ignore[attr-defined]
            current = {k: store.get(k) for k in wanted}
            store.update(projection.apply(event, current))  # type: ignore[attr-defined]
    return store


def market_start(pid: str, worker: str, at: datetime) -> r.PlacementStarted:
    return r.PlacementStarted(
        id=f"start-{pid}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        command_id=f"c-{pid}",
        placement_id=pid,
        offer_id="o",
        request_id="q1",
        checkin_id="k1",
        worker=worker,
        employer_id="e1",
        trade="mason",
        day_wage=300,
        start=8 * 60,
        hours=1,
    )


def no_show(pid: str, worker: str, at: datetime) -> r.PlacementCancelled:
    return r.PlacementCancelled(
        id=f"ns-{pid}",
        at=at,
        market_id="zs-market",
        county="zhongshan",
        command_id=f"cn-{pid}",
        placement_id=pid,
        request_id="q1",
        checkin_id="k1",
        worker=worker,
        reason="no_show",
    )


def test_the_views_keep_the_queue_the_lists_and_correct_the_records_once() -> None:
    prefix = ""
    case_events, _ = run(open_case(1, "marked_absent"), act(1, "uphold", tr.case_id("p1", "marked_absent")))
    market = [market_start("p1", "w1", OPENED), no_show("p1", "w1", OPENED + timedelta(hours=1))]
    both = (tv.CaseViews(prefix), tv.ReliabilityViews(prefix))
    before = project(market, tv.ReliabilityViews(prefix))
    assert tv.no_show_days(before[tv.worker_key(prefix, "w1")]) == ["2026-09-30"]
    store = project([*market, *case_events, *case_events], tv.ReliabilityViews(prefix), tv.CaseViews(prefix))
    store2 = project([*case_events, *market, *case_events], *both)
    for s in (store, store2):
        assert tv.no_show_days(s[tv.worker_key(prefix, "w1")]) == []
        record = tv.record_of(s[tv.placement_key(prefix, "p1")])
        assert record is not None and record.overturned_by == tr.case_id("p1", "marked_absent")
        employer = figures.employer_figures([record], OPENED.date(), 30).figures
        assert employer["no_shows_overturned"].count == 1
    cid = tr.case_id("p1", "marked_absent")
    queue = store[tv.queue_key(prefix, "zhongshan")]
    assert queue is not None and queue["cases"][cid]["state"] == "resolved"
    assert queue["cases"][cid]["worker_masked"] == "5202**********0001"
    case = store[tv.case_key(prefix, cid)]
    assert case is not None and [h["what"] for h in case["history"]] == ["opened", "responded", "upheld"]
    assert tv.cases_of(store[tv.worker_cases_key(prefix, "w1")])[cid]["state"] == "resolved"
    assert tv.cases_of(store[tv.employer_cases_key(prefix, "e1")])[cid]["state"] == "resolved"


def test_the_queue_puts_awaiting_cases_first_and_marks_overdue_by_the_clock() -> None:
    out, _ = run(
        open_case(1, "unpaid", pid="p1"),
        open_case(2, "underpaid", pid="p2", at=OPENED + timedelta(hours=1)),
        act(1, "reject", tr.case_id("p1", "unpaid")),
    )
    store = project(out, tv.CaseViews(""))
    rows = tv.queue_rows(store[tv.queue_key("", "zhongshan")], (OPENED + timedelta(days=9)).isoformat())
    assert [(r["kind"], r["state"], r["overdue"]) for r in rows] == [
        ("underpaid", "open", True),
        ("unpaid", "resolved", False),
    ]


def test_a_refused_command_is_shown_at_its_status() -> None:
    out, _ = run(act(1, "respond", "nope"))
    store = project(out, tv.CaseViews(""))
    view = store[tv.command_key("", "act1")]
    assert view is not None and view["status"] == "refused" and view["rule"] == "case_unknown"
