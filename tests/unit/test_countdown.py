"""web/countdown.py: an offer's deadline as first shown, by the server's clock, in local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from web.countdown import deadline

NOW = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)  # 08:30 in Liupanshui


def test_minutes_and_seconds_left_and_the_local_deadline() -> None:
    expires = (NOW + timedelta(minutes=8, seconds=30)).isoformat()
    assert deadline(expires, NOW) == {"text": "请在 8 分 30 秒内答复（08:38 前）", "local": "08:38", "seconds": 510}


def test_a_part_second_counts_as_a_second_and_past_is_over() -> None:
    assert deadline((NOW + timedelta(seconds=0.4)).isoformat(), NOW)["seconds"] == 1
    over = deadline((NOW - timedelta(seconds=5)).isoformat(), NOW)
    assert (over["text"], over["seconds"]) == ("答复时间已到", 0)
