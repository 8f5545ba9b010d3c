"""The organiser's quota panel: county week and month, city week and month, in words and local dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.fairs import organiser_quota

# Thursday 26 November 2026, 08:30 in Liupanshui; ISO week 23–29 November
NOW = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)


def _fair(fair_id: str, day: str, *, level: str = "county", kind: str = "comprehensive", **kw: Any) -> dict[str, Any]:
    return {"fair_id": fair_id, "level": level, "kind": kind, "date": day, "end_date": day,
            "status": kw.get("status", "published"), "held": kw.get("held", False)}  # fmt: skip


def _index(*fairs: dict[str, Any]) -> dict[str, Any]:
    return {"fairs": {f["fair_id"]: f for f in fairs}}


def test_a_county_week_with_nothing_scheduled_is_at_risk_and_says_what_is_needed() -> None:
    line = organiser_quota.county_week("liuzhi", [], NOW)
    assert (line.status, line.status_zh, line.scope_zh) == ("at_risk", "有风险", "六枝特区")
    assert line.needed_zh == "本周还需举办 1 场县级招聘会，还没有安排"
    assert line.period_zh == "本周（11月23日—11月29日）"
    assert "W48" not in line.period_zh + line.period_en + line.needed_en


def test_a_scheduled_fair_puts_the_week_on_track_and_attendance_makes_it_met() -> None:
    scheduled = organiser_quota.counted_fairs(_index(_fair("f1", "2026-11-26")))
    line = organiser_quota.county_week("liuzhi", scheduled, NOW)
    assert (line.status_zh, line.needed_zh) == ("按计划", "本周还需举办 1 场县级招聘会（已安排 1 场）")
    held = organiser_quota.counted_fairs(_index(_fair("f1", "2026-11-26", held=True)))
    line = organiser_quota.county_week("liuzhi", held, NOW)
    assert (line.status_zh, line.needed_zh) == ("已完成", "本周已举办 1 场县级招聘会")


def test_city_fairs_never_count_for_a_county_and_cancelled_fairs_never_count() -> None:
    fairs = organiser_quota.counted_fairs(
        _index(_fair("c1", "2026-11-26", level="city", held=True), _fair("f2", "2026-11-27", status="cancelled"))
    )
    assert organiser_quota.county_week("liuzhi", fairs, NOW).status == "at_risk"


def test_the_county_month_is_its_weeks_whose_thursday_is_in_the_month() -> None:
    fairs = organiser_quota.counted_fairs(_index(*(_fair(f"f{d}", f"2026-11-{d:02d}", held=True) for d in (3, 10, 17))))
    line = organiser_quota.county_month("liuzhi", fairs, NOW)
    # November 2026: weeks of 5, 12, 19, 26 November (Thursdays); the fourth has nothing scheduled
    assert line.status_zh == "有风险"
    assert line.needed_zh == "本月 4 周中已完成 3 周，还有 1 周没有安排县级招聘会"
    assert line.period_zh == "本月（11月）"


def test_the_city_month_counts_comprehensive_city_fairs_only() -> None:
    fairs = organiser_quota.counted_fairs(
        _index(
            _fair("c1", "2026-11-05", level="city", held=True),
            _fair("c2", "2026-11-26", level="city", kind="veterans", held=True),
            _fair("c3", "2026-11-27", level="city"),
        )
    )
    month = organiser_quota.city_month(fairs, NOW)
    assert (month.status_zh, month.held, month.pending) == ("按计划", 1, 1)
    assert month.needed_zh == "本月还需举办 1 场市级综合性招聘会（已安排 1 场）"
    week = organiser_quota.city_week(fairs, NOW)
    assert (week.status, week.held, week.pending) == (None, 0, 1)


def test_the_panel_shows_the_organisers_county_or_every_county_then_the_city() -> None:
    rows = organiser_quota.panel({}, "panzhou", NOW)
    assert [r.week.scope_zh for r in rows] == ["盘州市", "市本级"]
    rows = organiser_quota.panel({}, None, NOW)
    assert [r.week.scope for r in rows] == ["zhongshan", "liuzhi", "shuicheng", "panzhou", "gaoxin", "city"]
