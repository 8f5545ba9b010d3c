"""Report periods use Asia/Shanghai boundaries: midnight, ISO week, month and quarter edges."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.errors import InvalidInput
from services.reports import periods


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_midnight_is_16_00_utc() -> None:
    assert periods.period_at("day", utc(2026, 11, 26, 15, 59, 59)).code == "2026-11-26"
    assert periods.period_at("day", utc(2026, 11, 26, 16, 0, 0)).code == "2026-11-27"


def test_iso_week_edge_is_monday_00_00_local() -> None:
    # Sunday 2026-11-29 23:59:59 local = 15:59:59 UTC; Monday 2026-11-30 00:00 local = 16:00 UTC on Sunday
    assert periods.period_at("week", utc(2026, 11, 29, 15, 59, 59)).code == "2026-W48"
    assert periods.period_at("week", utc(2026, 11, 29, 16, 0, 0)).code == "2026-W49"


def test_iso_year_differs_from_calendar_year_at_new_year() -> None:
    assert periods.period_at("week", utc(2026, 12, 31, 16, 0)).code == "2026-W53"  # 2027-01-01 local
    week = periods.parse_period("week", "2026-W53")
    assert (week.first_day, week.last_day) == (date(2026, 12, 28), date(2027, 1, 3))


def test_month_edge() -> None:
    assert periods.period_at("month", utc(2026, 11, 30, 15, 59, 59)).code == "2026-11"
    assert periods.period_at("month", utc(2026, 11, 30, 16, 0)).code == "2026-12"
    feb = periods.parse_period("month", "2028-02")
    assert feb.last_day == date(2028, 2, 29)


def test_quarter_edges() -> None:
    assert periods.period_at("quarter", utc(2026, 9, 30, 15, 59, 59)).code == "2026-Q3"
    assert periods.period_at("quarter", utc(2026, 9, 30, 16, 0)).code == "2026-Q4"
    assert periods.period_at("quarter", utc(2026, 12, 31, 16, 0)).code == "2027-Q1"
    q4 = periods.parse_period("quarter", "2026-Q4")
    assert (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert q4.start == utc(2026, 9, 30, 16, 0) and q4.end == utc(2026, 12, 31, 16, 0)
    assert len(list(periods.days(q4))) == 92


@pytest.mark.parametrize(
    ("kind", "code"), [("day", "2026-13-01"), ("week", "2026-W54"), ("month", "2026-1"), ("quarter", "2026-Q5")]
)
def test_bad_codes_name_the_field_and_rule(kind: periods.Kind, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        periods.parse_period(kind, code, "at")
    assert raised.value.errors[0].field == "at" and raised.value.errors[0].rule == "period_format"


def test_bad_kind() -> None:
    with pytest.raises(InvalidInput) as raised:
        periods.parse_kind("year")
    assert raised.value.errors[0].rule == "period_kind"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("week", "2027-W53"),  # 2027 has 52 weeks
        ("week", "0000-W00"),
        ("week", "1999-W10"),  # outside the years a period may name
        ("day", "2027-02-29"),
        ("day", "２０２６-11-26"),  # full-width digits: the document's pattern says ASCII
        ("month", " 2026-11"),
    ],
)
def test_codes_outside_the_documented_patterns_are_refused(kind: periods.Kind, code: str) -> None:
    assert not re.fullmatch(periods.PATTERNS[kind], code)
    with pytest.raises(InvalidInput):
        periods.parse_period(kind, code, "at")


@given(st.sampled_from(periods.KINDS), st.data())
def test_every_code_the_documented_pattern_allows_is_a_period(kind: periods.Kind, data: st.DataObject) -> None:
    code = data.draw(st.from_regex(f"^(?:{periods.PATTERNS[kind]})$", fullmatch=True))
    assert periods.parse_period(kind, code).code == code
