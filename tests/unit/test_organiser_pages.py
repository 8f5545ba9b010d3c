"""What the organiser pages show for a fair: local dates and times, Chinese names, status in words."""

from __future__ import annotations

from web import organiser

FAIR = {
    "fair_id": "f1",
    "level": "county",
    "kind": "veterans",
    "venue_county": "gaoxin",
    "date": "2026-11-26",
    "starts_at": "2026-11-26T05:30:00+00:00",
    "ends_at": "2026-11-26T09:00:00+00:00",
    "status": "published",
    "held": False,
}


def test_a_fair_is_described_in_local_time_and_chinese_names() -> None:
    shown = organiser._describe(FAIR, "zh_CN")
    assert (shown["start"], shown["end"]) == ("13:30", "17:00")
    assert shown["day_text"] == "2026年11月26日（周四）"
    names = (shown["county_text"], shown["level_text"], shown["kind_text"])
    assert names == ("六盘水高新区", "县级", "退役军人专场招聘会")
    assert shown["status_text"] == "已发布"
    english = organiser._describe(FAIR, "en")
    assert (english["day_text"], english["county_text"]) == ("Thu 26 Nov 2026", "Liupanshui High-tech Zone")


def test_a_held_fair_says_so_and_a_cancelled_one_stays_cancelled() -> None:
    assert organiser._describe({**FAIR, "held": True}, "zh_CN")["status_text"] == "已举办"
    assert organiser._describe({**FAIR, "status": "cancelled"}, "zh_CN")["status_text"] == "已取消"
    assert organiser._describe({**FAIR, "status": "scheduled"}, "en")["status_text"] == "not published"


def test_the_fair_page_alone_may_use_the_camera() -> None:
    assert "camera=(self)" in organiser.CAMERA_POLICY and "microphone=()" in organiser.CAMERA_POLICY
