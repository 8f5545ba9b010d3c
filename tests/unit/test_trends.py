"""Trends from the day ledgers (services/reports/trends.py): today by local hour, a run of days by day."""

from __future__ import annotations

from datetime import date, timedelta

from services.reports import trends
from tests.unit.test_report_figures import T0, day_events, ledger_of


def test_today_by_local_hour() -> None:
    ledger = ledger_of(day_events())  # check-ins and the request at 08:30 local, the placement at 08:40
    hourly = trends.by_hour([ledger], date(2026, 11, 26))
    assert hourly["labels"][8] == "08:00" and len(hourly["labels"]) == 24
    assert hourly["checkins"][8] == 2 and hourly["positions"][8] == 2 and hourly["placements"][8] == 1
    assert sum(hourly["checkins"]) == 2
    assert sum(trends.by_hour([ledger], date(2026, 11, 25))["checkins"]) == 0  # another day's ledger is not today
    assert sum(trends.by_hour([ledger], date(2026, 11, 26), county="liuzhi")["checkins"]) == 0


def test_the_last_weeks_by_day() -> None:
    today = ledger_of(day_events())
    week_ago = ledger_of(day_events(T0 - timedelta(days=7)), day="2026-11-19")
    daily = trends.by_day([today, week_ago], date(2026, 10, 30), date(2026, 11, 26))
    assert len(daily["days"]) == 28 and daily["labels"][-1] == "11月26日"
    assert daily["checkins"][-1] == 2 and daily["checkins"][-8] == 2 and sum(daily["checkins"]) == 4
    assert daily["placements"][-1] == 1 and daily["positions"][-8] == 2
