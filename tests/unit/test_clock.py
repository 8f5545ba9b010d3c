"""Local time in Asia/Shanghai: dates, wall-clock times and day boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.clock import (
    ZONE,
    end_of_local_day_utc,
    format_hhmm,
    local_date,
    local_midnight_utc,
    parse_hhmm,
)
from services.errors import InvalidInput


def test_zone() -> None:
    assert ZONE.key == "Asia/Shanghai"
    assert datetime(2024, 7, 1, tzinfo=ZONE).utcoffset() == timedelta(hours=8)
    assert datetime(2024, 1, 1, tzinfo=ZONE).utcoffset() == timedelta(hours=8)


def test_local_date_crosses_midnight_eight_hours_before_utc() -> None:
    assert local_date(datetime(2024, 5, 19, 15, 59, 59, tzinfo=UTC)) == date(2024, 5, 19)
    assert local_date(datetime(2024, 5, 19, 16, 0, tzinfo=UTC)) == date(2024, 5, 20)
    assert local_date(datetime(2024, 12, 31, 16, 0, tzinfo=UTC)) == date(2025, 1, 1)


def test_local_date_of_other_zones() -> None:
    new_york_evening = datetime(2024, 5, 19, 20, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert local_date(new_york_evening) == date(2024, 5, 20)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2024, 5, 20, 12, 0))
    with pytest.raises(ValueError):
        end_of_local_day_utc(datetime(2024, 5, 20, 12, 0))


@pytest.mark.parametrize(
    ("raw", "minutes"),
    [("00:00", 0), ("06:30", 390), ("23:59", 1439), ("12:05", 725), (" 07:00 ", 420), ("０６：３０", 390)],
)
def test_parse_hhmm(raw: str, minutes: int) -> None:
    assert parse_hhmm(raw, "start") == minutes


@pytest.mark.parametrize(
    "raw",
    [
        "24:00",
        "6:3",
        "25:00",
        "6:30",
        "06:3",
        "06:60",
        "0630",
        "06-30",
        "06:30:00",
        "",
        "２４：００",
        None,
        390,
    ],
)
def test_parse_hhmm_rejects(raw: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_hhmm(raw, "start_time")
    [error] = caught.value.errors
    assert (error.field, error.rule) == ("start_time", "time_format")
    assert "HH:MM" in error.message_zh and "HH:MM" in error.message_en


def test_format_hhmm() -> None:
    assert format_hhmm(0) == "00:00"
    assert format_hhmm(390) == "06:30"
    assert format_hhmm(1439) == "23:59"
    for bad in (-1, 1440):
        with pytest.raises(ValueError):
            format_hhmm(bad)


@given(st.integers(0, 1439))
def test_format_and_parse_are_inverse(minutes: int) -> None:
    assert parse_hhmm(format_hhmm(minutes), "t") == minutes


def test_local_midnight_utc() -> None:
    midnight = local_midnight_utc(date(2024, 5, 20))
    assert midnight == datetime(2024, 5, 19, 16, 0, tzinfo=UTC)
    assert midnight.utcoffset() == timedelta(0)


def test_end_of_local_day() -> None:
    morning = datetime(2024, 5, 20, 7, 30, tzinfo=ZONE)
    assert end_of_local_day_utc(morning) == datetime(2024, 5, 20, 16, 0, tzinfo=UTC)
    assert end_of_local_day_utc(morning).tzinfo is UTC
    just_before = datetime(2024, 5, 20, 15, 59, 59, 999999, tzinfo=UTC)
    assert end_of_local_day_utc(just_before) == datetime(2024, 5, 20, 16, 0, tzinfo=UTC)


def test_an_instant_at_local_midnight_ends_a_day_later() -> None:
    at = datetime(2024, 5, 19, 16, 0, tzinfo=UTC)  # 2024-05-20 00:00 local
    assert end_of_local_day_utc(at) == datetime(2024, 5, 20, 16, 0, tzinfo=UTC)


instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(instants)
def test_an_instant_lies_in_its_local_day(at: datetime) -> None:
    day = local_date(at)
    start = local_midnight_utc(day)
    end = end_of_local_day_utc(at)
    assert start <= at < end
    assert end - start == timedelta(days=1)
    assert local_date(end) == day + timedelta(days=1)


@given(st.datetimes(min_value=datetime(1985, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_local_date_agrees_with_the_zone_database(at: datetime) -> None:
    """The day count used since 1992 gives the zone database's date, at every instant (DST summers before too)."""
    assert local_date(at) == at.astimezone(ZONE).date()
