"""What the gateway refuses at once (issue 28), from the clock and the placement's read model: wage complaints
before the scheduled end or once the wage was confirmed received, "not as described" before the start, "marked
absent" unless the placement was marked a no-show."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.views.trust import complaint_refusal
from services.readmodels.views import View


def test_what_the_gateway_refuses_from_the_clock_and_the_placement_view() -> None:
    placement: View = {"status": "started", "day": "2026-09-30", "start_minutes": 8 * 60, "hours": 1, "steps": []}
    during = datetime(2026, 9, 30, 0, 30, tzinfo=UTC)  # 08:30 local: the job runs 08:00-09:00
    after = datetime(2026, 9, 30, 1, 1, tzinfo=UTC)  # 09:01 local
    before = datetime(2026, 9, 29, 23, 0, tzinfo=UTC)  # 07:00 local

    def rule(kind: str, view: View, now: datetime) -> str | None:
        refusal = complaint_refusal(kind, view, now)
        return refusal.rule if refusal else None

    assert rule("unpaid", placement, during) == "unpaid_before_end"
    assert rule("underpaid", placement, after) is None
    assert rule("unpaid", {**placement, "steps": ["arrived", "completed", "wage_received"]}, after) == (
        "unpaid_after_received"
    )
    assert rule("not_as_described", placement, before) == "complaint_before_start"
    assert rule("not_as_described", placement, during) is None
    assert rule("marked_absent", placement, after) == "complaint_not_marked_absent"
    assert rule("marked_absent", {**placement, "status": "no_show"}, after) is None
    assert rule("unpaid", {**placement, "status": "request_cancelled"}, after) == "placement_unknown"


def test_the_staff_page_shows_the_last_day_of_the_first_response() -> None:
    from gateway.trust_pages import _last_day

    # due at the local midnight after Friday 27 November: the last day is that Friday
    assert _last_day("2026-11-27T16:00:00+00:00", "zh_CN") == "2026年11月27日（周五）"
    assert _last_day(None, "zh_CN") == ""
