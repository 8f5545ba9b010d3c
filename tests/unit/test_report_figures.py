"""Day ledgers, report figures, the 1+3 lists, the dashboard and supply projections (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.market import records as r
from services.readmodels.dashboard_views import DashboardViews, compose
from services.readmodels.report_views import MarketLedgers, assemble_market, market_ledger_key
from services.readmodels.supply_views import GigSupply, gig_key, rows, snapshot_key
from services.readmodels.views import View, field_key, split_key
from services.reports import export, figures, lists

T0 = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)  # 08:30 local


def head(n: int, at: datetime = T0, market: str = "zs-market") -> dict[str, Any]:
    return {"id": f"e{n}-{at.isoformat()}", "at": at, "market_id": market, "county": "zhongshan", "command_id": f"c{n}"}


def day_events(at: datetime = T0) -> list[r.MarketEvent]:
    later = at + timedelta(minutes=10)
    return [
        r.WorkerQueued(
            **head(1, at),
            checkin_id="k1",
            worker="w1",
            worker_masked="5202****1",
            ticket_no=1,
            trades=("electrician", "porter"),
            min_day_wage=100,
            available_from=420,
            available_until=1080,
            groups=("returnee",),
            willing_to_travel=True,
        ),
        r.WorkerQueued(
            **head(2, at),
            checkin_id="k2",
            worker="w2",
            worker_masked="5202****2",
            ticket_no=2,
            trades=("porter",),
            min_day_wage=100,
            available_from=420,
            available_until=1080,
        ),
        r.JobRequestOpened(
            **head(3, at),
            request_id="q1",
            employer_id="e",
            employer_name="甲公司",
            trade="porter",
            headcount=2,
            day_wage=200,
            start=600,
            hours=8,
            place="荷城",
        ),
        r.OfferMade(
            **head(4, at),
            offer_id="o1",
            request_id="q1",
            checkin_id="k1",
            worker="w1",
            employer_name="甲公司",
            trade="porter",
            day_wage=200,
            start=600,
            hours=8,
            place="荷城",
            expires_at=later,
            rule="fcfs",
            rank=1,
            waited_seconds=0,
        ),
        r.OfferAccepted(**head(5, later), offer_id="o1", request_id="q1", checkin_id="k1", worker="w1"),
        r.PlacementStarted(
            **head(6, later),
            placement_id="p1",
            offer_id="o1",
            request_id="q1",
            checkin_id="k1",
            worker="w1",
            employer_id="e",
            trade="porter",
            day_wage=200,
            groups=("returnee",),
        ),
    ]


def project(projection: Any, events: list[Any]) -> dict[str, View | None]:
    """Plain views by key, hash fields by ``key<separator>field`` (as the projector reads and writes them)."""
    state: dict[str, View | None] = {}
    for event in events:
        for key in projection.keys_for(event):
            state.setdefault(key, None)
        state.update(projection.apply(event, state))
    return {k: v for k, v in state.items() if v is not None}


def hash_of(state: dict[str, View | None], key: str) -> dict[str, View]:
    """The fields of the hash ``key`` in a projected ``state``."""
    return {field: v for k, v in state.items() if v is not None for h, field in [split_key(k)] if h == key and field}


def ledger_of(events: list[Any], day: str = "2026-11-26") -> View:
    ledger = assemble_market(hash_of(project(MarketLedgers(""), events), market_ledger_key("", "zs-market", day)))
    assert ledger is not None
    return ledger


def dash_head(events: list[Any]) -> View | None:
    return project(DashboardViews(""), events).get(field_key("dash:market:zs-market", "head"))


def test_figures_by_trade_and_group_count_once_per_id() -> None:
    events = day_events()
    ledger = ledger_of(events + events)  # applied twice: counted once
    by_trade = {row["key"]: row for row in figures.compute("trade", [ledger], [])}
    assert by_trade["porter"]["checkins"] == 2 and by_trade["electrician"]["checkins"] == 1
    total = by_trade["total"]
    assert (total["checkins"], total["unique_workers"], total["positions"], total["placements"]) == (2, 2, 2, 1)
    assert total["fill_rate"] == 0.5 and total["time_to_fill_p50"] == 600 and total["wage_paid_rate"] is None
    by_group = {row["key"]: row for row in figures.compute("group", [ledger], [])}
    assert by_group["returnee"]["acceptances"] == 1 and by_group["returnee"]["placements"] == 1
    progress = {
        p["target"]: p["actual"]
        for p in figures.target_progress(
            [ledger], {"reemployment_unemployed": 5000, "people_in_difficulty": 3500, "returnees": 36000}
        )
    }
    assert progress == {"reemployment_unemployed": 0, "people_in_difficulty": 0, "returnees": 1}


def test_percentile_nearest_rank() -> None:
    assert figures.percentile([], 50) is None
    assert figures.percentile([5, 1, 3, 2, 4], 50) == 3
    assert figures.percentile(list(range(1, 11)), 90) == 9


def test_lists_and_csv_with_bom() -> None:
    ledger = ledger_of(day_events())
    found = lists.compose([ledger])
    assert [x["worker_masked"] for x in found["placed"]] == ["5202****1"]
    assert [x["worker_masked"] for x in found["looking"]] == ["5202****2"]
    assert [x["worker_masked"] for x in found["willing"]] == ["5202****1"]
    body = export.to_csv(found["placed"], ["worker_masked", "trades"], {"worker_masked": "身份证号"})
    assert body.startswith("\ufeff".encode()) and "身份证号" in body.decode("utf-8-sig")


def test_dashboard_counts_waiting_open_and_median_match() -> None:
    head = dash_head(day_events())
    answer = compose({"zs-market": head}, "2026-11-26", waiting_alert=1)
    market = next(m for m in answer["markets"] if m["market_id"] == "zs-market")
    assert (market["workers_waiting"], market["open_positions"], market["offers_out"], market["fills_today"]) == (
        1,
        1,
        0,
        1,
    )
    assert market["median_match_seconds"] == 600
    assert answer["city"]["workers_waiting"] == 1 and answer["alerts"] == []
    tomorrow = compose({"zs-market": head}, "2026-11-27", waiting_alert=1)
    assert tomorrow["city"]["fills_today"] == 0


def test_weekly_snapshot_written_when_the_first_fact_of_a_new_week_arrives() -> None:
    sunday = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # Sunday 10:00 local, 2026-W48
    monday = datetime(2026, 11, 29, 16, 0, 1, tzinfo=UTC)  # Monday 00:00:01 local, 2026-W49
    opened = [e for e in day_events(sunday) if isinstance(e, r.JobRequestOpened)]
    closed = r.JobRequestClosed(**head(9, monday), request_id="q1", reason="expired")
    nextweek = r.JobRequestOpened(
        **head(10, monday),
        request_id="q2",
        employer_id="e",
        employer_name="乙公司",
        trade="porter",
        headcount=3,
        day_wage=220,
        start=600,
        hours=8,
        place="德坞",
    )
    state = project(GigSupply(""), [*opened, closed, nextweek])
    snapshot = state[snapshot_key("", "2026-W49", "supply:gig:zs-market")]
    assert snapshot is not None and snapshot["requests"] == {}  # Sunday's request is not open on Monday
    live = rows([state[gig_key("", "zs-market")]], [], monday)
    assert [(x["id"], x["positions"]) for x in live] == [("q2", 3)]
    assert not any("worker" in k for x in live for k in x)


def step(n: int, at: datetime, name: str, steps: tuple[str, ...], placement: str = "p1") -> r.PlacementStepRecorded:
    return r.PlacementStepRecorded(
        **head(n, at), placement_id=placement, request_id="q1", checkin_id="k1", worker="w1", step=name, steps=steps
    )


def test_wage_paid_rate_is_paid_over_completed_by_the_placements_trade_and_group() -> None:
    done = T0 + timedelta(hours=8)
    second = r.PlacementStarted(
        **head(7, T0 + timedelta(minutes=20)),
        placement_id="p2",
        offer_id="o2",
        request_id="q1",
        checkin_id="k2",
        worker="w2",
        employer_id="e",
        trade="porter",
        day_wage=200,
    )
    steps = [
        step(8, done, "arrived", ("arrived",)),
        step(9, done, "completed", ("arrived", "completed")),
        step(10, done, "arrived", ("arrived",), placement="p2"),
        step(11, done, "completed", ("arrived", "completed"), placement="p2"),
        step(12, done + timedelta(hours=1), "wage_paid", ("arrived", "completed", "wage_paid")),
        step(13, done + timedelta(hours=2), "wage_received", ("arrived", "completed", "wage_paid", "wage_received")),
    ]
    ledger = ledger_of([*day_events(), second, *steps, *steps])  # steps applied twice: counted once
    by_group = {row["key"]: row for row in figures.compute("group", [ledger], [])}
    assert (by_group["returnee"]["completed"], by_group["returnee"]["wages_paid"]) == (1, 1)
    assert by_group["returnee"]["wage_paid_rate"] == 1.0
    total = by_group["total"]
    assert (total["completed"], total["wages_paid"], total["wage_paid_rate"]) == (2, 1, 0.5)
    nothing_done = {row["key"]: row for row in figures.compute("trade", [ledger_of(day_events())], [])}
    assert nothing_done["total"]["wage_paid_rate"] is None


def test_unpaid_placements_are_overdue_after_the_hours_or_at_midnight() -> None:
    done = T0 + timedelta(hours=2)  # 10:30 local
    events = [
        *day_events(),
        step(8, done, "arrived", ("arrived",)),
        step(9, done, "completed", ("arrived", "completed")),
    ]
    head_ = dash_head(events)
    assert head_ is not None and head_["unpaid"] == {"p1": done.isoformat()}

    def unpaid(at: datetime, hours: float = 4) -> int:
        answer = compose({"zs-market": head_}, "2026-11-26", 20, now=at, unpaid_after=timedelta(hours=hours))
        return int(answer["unpaid_placements"]["zhongshan"])

    assert unpaid(done + timedelta(hours=3, minutes=59)) == 0
    assert unpaid(done + timedelta(hours=4)) == 1
    assert unpaid(done + timedelta(hours=1), hours=24) == 0
    assert unpaid(datetime(2026, 11, 26, 16, 0, tzinfo=UTC), hours=24) == 1  # local midnight after completion
    answer = compose({"zs-market": head_}, "2026-11-26", 20, now=done + timedelta(hours=5))
    alert = next(a for a in answer["alerts"] if a["kind"] == "unpaid_placements")
    assert alert["county"] == "zhongshan" and alert["count"] == 1 and "未记录付薪" in alert["message_zh"]
    paid = dash_head(
        [*events, step(10, done + timedelta(hours=1), "wage_received", ("arrived", "completed", "wage_received"))]
    )
    assert paid is not None and paid["unpaid"] == {}


def test_dashboard_heads_count_by_entity_and_drop_ended_entities() -> None:
    events = day_events()
    state = project(DashboardViews(""), events)
    fields = hash_of(state, "dash:market:zs-market")
    assert set(fields) == {"head", "c:k1", "c:k2", "q:q1"}  # the offer was answered: gone
    left = r.WorkerLeft(**head(20, T0 + timedelta(hours=1)), checkin_id="k2", worker="w2", reason="checked_out")
    closed = r.JobRequestClosed(**head(21, T0 + timedelta(hours=1)), request_id="q1", reason="cancelled")
    state = project(DashboardViews(""), [*events, left, closed])
    fields = hash_of(state, "dash:market:zs-market")
    assert set(fields) == {"head", "c:k1"}
    assert (fields["head"]["waiting"], fields["head"]["open_positions"], fields["head"]["offers_out"]) == (0, 0, 0)


def test_unpaid_placements_outlive_one_midnight_only() -> None:
    done = T0 + timedelta(hours=2)
    events = [*day_events(), step(8, done, "completed", ("arrived", "completed"))]

    def queued(n: int, at: datetime) -> r.WorkerQueued:
        return r.WorkerQueued(
            **head(n, at),
            checkin_id=f"k{n}",
            worker=f"w{n}",
            worker_masked="5202****9",
            ticket_no=n,
            trades=("porter",),
            min_day_wage=100,
            available_from=420,
            available_until=1080,
        )

    next_day = dash_head([*events, queued(30, T0 + timedelta(days=1))])
    assert next_day is not None and next_day["unpaid"] == {"p1": done.isoformat()} and next_day["fills"] == {}
    later = dash_head([*events, queued(30, T0 + timedelta(days=1)), queued(31, T0 + timedelta(days=2))])
    assert later is not None and later["unpaid"] == {}


def test_a_correction_removes_a_step_from_the_figures_and_the_unpaid_list_exactly() -> None:
    """Issue 23: step facts carry a version; the ledger keeps each and the figures take the latest."""
    done = T0 + timedelta(hours=2)

    def versioned(n: int, at: datetime, what: str, steps: tuple[str, ...], version: int) -> r.PlacementStepRecorded:
        return r.PlacementStepRecorded(
            **head(n, at),
            placement_id="p1",
            request_id="q1",
            checkin_id="k1",
            worker="w1",
            step=what,
            steps=steps,
            version=version,  # type: ignore[arg-type]
        )

    def corrected(n: int, at: datetime, what: str, steps: tuple[str, ...], version: int) -> r.PlacementStepCorrected:
        return r.PlacementStepCorrected(
            **head(n, at),
            placement_id="p1",
            request_id="q1",
            checkin_id="k1",
            worker="w1",
            step=what,
            steps=steps,
            version=version,
            completed_at=done if "completed" in steps else None,  # type: ignore[arg-type]
        )

    paid = [
        *day_events(),
        versioned(8, done, "arrived", ("arrived",), 1),
        versioned(9, done, "completed", ("arrived", "completed"), 2),
        versioned(10, done + timedelta(minutes=5), "wage_paid", ("arrived", "completed", "wage_paid"), 3),
    ]
    total = {row["key"]: row for row in figures.compute("county", [ledger_of(paid)], [])}["total"]
    assert (total["completed"], total["wages_paid"]) == (1, 1)
    unpaid_again = [*paid, corrected(11, done + timedelta(minutes=10), "wage_paid", ("arrived", "completed"), 4)]
    total = {row["key"]: row for row in figures.compute("county", [ledger_of(unpaid_again)], [])}["total"]
    assert (total["completed"], total["wages_paid"]) == (1, 0)
    head_ = dash_head(unpaid_again)
    assert head_ is not None and head_["unpaid"] == {"p1": done.isoformat()}  # from its completion, not the correction
    undone = [*unpaid_again, corrected(12, done + timedelta(minutes=15), "completed", ("arrived",), 5)]
    total = {row["key"]: row for row in figures.compute("county", [ledger_of(undone)], [])}["total"]
    assert (total["completed"], total["wages_paid"]) == (0, 0)
    head_ = dash_head(undone)
    assert head_ is not None and head_["unpaid"] == {}


def test_a_wage_dispute_is_listed_and_counted_for_its_county_until_the_wage_is_received() -> None:
    end = T0 + timedelta(hours=9)
    dispute = r.WageDisputeOpened(
        **head(20, end),
        placement_id="p1",
        request_id="q1",
        checkin_id="k1",
        worker="w1",
        worker_masked="5202****1",
        employer_id="e1",
        employer_name="凉都建筑",
        trade="mason",
        day_wage=200,
        start=540,
        hours=8,
    )
    head_ = dash_head([*day_events(), dispute])
    answer = compose({"zs-market": head_}, "2026-11-26", 20, now=end)
    (row,) = answer["wage_disputes"]["zhongshan"]
    assert (row["employer_name"], row["start"], row["worker_masked"], row["market_id"]) == (
        "凉都建筑",
        "09:00",
        "5202****1",
        "zs-market",
    )
    county = next(c for c in answer["counties"] if c["county"] == "zhongshan")
    assert county["wage_disputes"] == 1 and answer["city"]["wage_disputes"] == 1
    alert = next(a for a in answer["alerts"] if a["kind"] == "wage_disputes")
    assert alert["count"] == 1 and "没拿到工资" in alert["message_zh"]
    received = r.PlacementStepRecorded(
        **head(21, end),
        placement_id="p1",
        request_id="q1",
        checkin_id="k1",
        worker="w1",
        step="wage_received",
        steps=("wage_received",),
        version=1,
    )
    head_ = dash_head([*day_events(), dispute, received])
    assert compose({"zs-market": head_}, "2026-11-26", 20, now=end)["wage_disputes"]["zhongshan"] == []
