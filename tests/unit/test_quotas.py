"""Quota periods and statuses at their boundaries: Asia/Shanghai local time, instants stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services import clock
from services.fairs import quotas
from services.fairs.records import QuotaPolicy

WEEK, MONTH = quotas.RULES_BY_CODE["county_week"], quotas.RULES_BY_CODE["city_month"]


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A Liupanshui wall-clock time, as the UTC instant it is stored as."""
    return datetime(y, m, d, hh, mm, tzinfo=clock.ZONE).astimezone(UTC)


def fair(
    starts: datetime,
    *,
    level: str = "county",
    kind: str = "comprehensive",
    held: bool = False,
    cancelled: bool = False,
    hours: int = 3,
) -> quotas.CountedFair:
    return quotas.CountedFair(
        fair_id=f"f-{starts.isoformat()}-{level}-{kind}",
        level=level,  # type: ignore[arg-type]
        kind=kind,
        first_day=clock.local_date(starts),
        last_day=clock.local_date(starts + timedelta(hours=hours)),
        cancelled=cancelled,
        held=held,
    )


def test_sunday_2359_and_monday_0000_fall_in_different_iso_weeks_though_both_are_sunday_in_utc() -> None:
    sunday = local(2027, 3, 7, 23, 59)
    monday = local(2027, 3, 8, 0, 0)
    assert sunday.weekday() == 6 and monday.weekday() == 6  # both a Sunday in UTC (15:59 and 16:00)
    assert quotas.iso_week(clock.local_date(sunday)).code == "2027-W09"
    assert quotas.iso_week(clock.local_date(monday)).code == "2027-W10"
    week9 = quotas.iso_week(date(2027, 3, 7))
    assert week9.start == datetime(2027, 2, 28, 16, 0, tzinfo=UTC)
    assert week9.end == monday


def test_a_fair_at_2359_on_sunday_meets_that_week_and_not_the_next() -> None:
    held_sunday = fair(local(2027, 3, 7, 23, 59), held=True)
    week9, week10 = quotas.iso_week(date(2027, 3, 1)), quotas.iso_week(date(2027, 3, 8))
    after = local(2027, 3, 15)
    assert quotas.evaluate(WEEK, week9, [held_sunday], after).status == "met"
    assert quotas.evaluate(WEEK, week10, [held_sunday], after).status == "missed"


def test_a_fair_at_0000_on_monday_meets_the_new_week_only() -> None:
    held_monday = fair(local(2027, 3, 8, 0, 0), held=True)
    week9, week10 = quotas.iso_week(date(2027, 3, 1)), quotas.iso_week(date(2027, 3, 8))
    after = local(2027, 3, 15)
    assert quotas.evaluate(WEEK, week9, [held_monday], after).status == "missed"
    assert quotas.evaluate(WEEK, week10, [held_monday], after).status == "met"


def test_iso_week_53_and_week_1_cross_the_calendar_year() -> None:
    assert quotas.iso_week(date(2027, 1, 1)).code == "2026-W53"
    assert quotas.iso_week(date(2026, 12, 28)) == quotas.iso_week(date(2027, 1, 3))
    assert quotas.iso_week(date(2027, 1, 4)).code == "2027-W01"
    assert quotas.iso_week(date(2025, 12, 29)).code == "2026-W01"
    assert quotas.iso_week(date(2020, 12, 31)).code == "2020-W53"
    assert quotas.iso_week(date(2021, 1, 3)).code == "2020-W53"
    week53 = quotas.iso_week(date(2026, 12, 31))
    assert (week53.first_day, week53.last_day) == (date(2026, 12, 28), date(2027, 1, 3))


def test_a_fair_on_new_years_day_counts_for_week_53_of_the_year_before() -> None:
    new_year = fair(local(2027, 1, 1, 9), held=True)
    after = local(2027, 1, 20)
    assert quotas.evaluate(WEEK, quotas.iso_week(date(2026, 12, 28)), [new_year], after).status == "met"
    assert quotas.evaluate(WEEK, quotas.iso_week(date(2027, 1, 4)), [new_year], after).status == "missed"


def test_fairs_on_the_last_day_of_the_month_count_for_that_month() -> None:
    feb = quotas.calendar_month(date(2028, 2, 10))
    assert (feb.code, feb.last_day) == ("2028-02", date(2028, 2, 29))
    last_day = [
        fair(local(2028, 2, 29, 9), level="city", held=True),
        fair(local(2028, 2, 29, 14), level="city", held=True),
    ]
    assert quotas.evaluate(MONTH, feb, last_day, local(2028, 3, 2)).status == "met"
    assert (
        quotas.evaluate(MONTH, quotas.calendar_month(date(2028, 3, 1)), last_day, local(2028, 3, 2)).status == "at_risk"
    )
    # 23:59 on the last day still belongs to the month; 00:00 the next day does not.
    edge = [
        fair(local(2027, 3, 31, 23, 59), level="city", held=True, hours=1),
        fair(local(2027, 4, 1), level="city", held=True),
    ]
    march = quotas.calendar_month(date(2027, 3, 1))
    assert quotas.evaluate(MONTH, march, edge, local(2027, 4, 2)).held == 1


def test_a_county_fair_does_not_count_toward_the_city_month() -> None:
    march = quotas.calendar_month(date(2027, 3, 1))
    county_fairs = [fair(local(2027, 3, d, 9), level="county", kind="comprehensive", held=True) for d in (3, 10)]
    assert quotas.evaluate(MONTH, march, county_fairs, local(2027, 4, 1)).status == "missed"
    campus = [fair(local(2027, 3, d, 9), level="city", kind="campus", held=True) for d in (3, 10)]
    assert quotas.evaluate(MONTH, march, campus, local(2027, 4, 1)).status == "missed"
    # and a city fair does not count toward a county's week
    city = [fair(local(2027, 3, 3, 9), level="city", held=True)]
    assert quotas.evaluate(WEEK, quotas.iso_week(date(2027, 3, 3)), city, local(2027, 3, 8)).status == "missed"


def test_statuses_through_a_week() -> None:
    week = quotas.iso_week(date(2027, 3, 1))
    wednesday = fair(local(2027, 3, 3, 9))
    assert quotas.evaluate(WEEK, week, [], local(2027, 3, 1, 8)).status == "at_risk"
    assert quotas.evaluate(WEEK, week, [wednesday], local(2027, 3, 1, 8)).status == "on_track"
    # later on the fair's day, still on track: attendance may still be recorded that day
    assert quotas.evaluate(WEEK, week, [wednesday], local(2027, 3, 3, 23, 0)).status == "on_track"
    # the day passed without attendance: nothing left that can be held
    assert quotas.evaluate(WEEK, week, [wednesday], local(2027, 3, 4, 0, 0)).status == "at_risk"
    held = dataclass_replace(wednesday, held=True)
    assert quotas.evaluate(WEEK, week, [held], local(2027, 3, 3, 10)).status == "met"
    assert quotas.evaluate(WEEK, week, [wednesday], local(2027, 3, 8, 0, 0)).status == "missed"
    assert quotas.evaluate(WEEK, week, [wednesday], local(2027, 3, 7, 23, 59)).status == "at_risk"


def test_a_cancelled_fair_never_counts_even_if_it_had_attendance() -> None:
    week = quotas.iso_week(date(2027, 3, 1))
    cancelled = fair(local(2027, 3, 3, 9), held=True, cancelled=True)
    assert quotas.evaluate(WEEK, week, [cancelled], local(2027, 3, 8)).status == "missed"


def test_a_moved_fair_counts_in_the_week_of_its_new_date() -> None:
    sunday, next_monday = fair(local(2027, 3, 7, 10)), fair(local(2027, 3, 8, 10))
    week9, week10 = quotas.iso_week(date(2027, 3, 1)), quotas.iso_week(date(2027, 3, 8))
    at = local(2027, 3, 2)
    assert quotas.evaluate(WEEK, week9, [sunday], at).status == "on_track"
    assert quotas.evaluate(WEEK, week9, [next_monday], at).status == "at_risk"
    assert quotas.evaluate(WEEK, week10, [next_monday], at).status == "on_track"


def test_the_city_month_needs_two() -> None:
    march = quotas.calendar_month(date(2027, 3, 1))
    one_held = [fair(local(2027, 3, 10, 9), level="city", held=True)]
    assert quotas.evaluate(MONTH, march, one_held, local(2027, 3, 11)).status == "at_risk"
    with_one_more = [*one_held, fair(local(2027, 3, 31, 9), level="city")]
    count = quotas.evaluate(MONTH, march, with_one_more, local(2027, 3, 11))
    assert (count.status, count.held, count.pending, count.target) == ("on_track", 1, 1, 2)


def test_warning_moments_follow_the_policy() -> None:
    week = quotas.iso_week(date(2027, 3, 1))
    policy = QuotaPolicy(warn_weekday=3, warn_hour=12)
    assert WEEK.warn_at(week, policy) == local(2027, 3, 3, 12)
    count = quotas.evaluate(WEEK, week, [], local(2027, 3, 3, 12))
    assert quotas.should_warn(WEEK, week, count, policy, local(2027, 3, 3, 12))
    assert not quotas.should_warn(WEEK, week, count, policy, local(2027, 3, 3, 11, 59))
    feb = quotas.calendar_month(date(2027, 2, 1))
    assert MONTH.warn_at(feb, QuotaPolicy(warn_month_day=31, warn_hour=9)) == local(2027, 2, 28, 9)


def test_periods_through_fills_gaps_up_to_a_limit() -> None:
    walked = list(quotas.periods_through(WEEK, date(2027, 3, 1), date(2027, 3, 22), limit=10))
    assert [p.code for p in walked] == ["2027-W10", "2027-W11", "2027-W12"]
    assert [p.code for p in quotas.periods_through(WEEK, None, date(2027, 3, 22), limit=10)] == ["2027-W12"]
    assert len(list(quotas.periods_through(WEEK, date(2020, 1, 1), date(2027, 3, 22), limit=5))) == 5
    assert list(quotas.periods_through(MONTH, date(2027, 3, 1), date(2027, 3, 31), limit=5)) == []


def test_scopes_and_rules() -> None:
    assert quotas.SCOPES[0] == "city" and len(quotas.SCOPES) == 6
    assert [r.code for r in quotas.rules_for("city")] == ["city_month"]
    assert [r.code for r in quotas.rules_for("panzhou")] == ["county_week"]
    assert quotas.rules_for("nowhere") == ()


instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(instants)
def test_every_instant_lies_in_exactly_its_local_week_and_month(at: datetime) -> None:
    for rule in (WEEK, MONTH):
        period = rule.period_of(clock.local_date(at))
        assert period.start <= at < period.end
        assert period.start.astimezone(clock.ZONE).hour == 0
        following = rule.period_of(period.last_day + timedelta(days=1))
        assert following.start == period.end
    week = WEEK.period_of(clock.local_date(at))
    assert week.first_day.isoweekday() == 1 and (week.last_day - week.first_day).days == 6


@given(instants, st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3))
def test_status_is_met_exactly_when_enough_fairs_were_held(at: datetime, held: int, pending: int) -> None:
    period = WEEK.period_of(clock.local_date(at))
    day = period.first_day
    fairs = [fair(clock.local_midnight_utc(day) + timedelta(hours=9), held=True) for _ in range(held)]
    fairs += [fair(clock.local_midnight_utc(period.last_day) + timedelta(hours=9)) for _ in range(pending)]
    count = quotas.evaluate(WEEK, period, fairs, at)
    assert (count.status == "met") == (held >= 1)
    if held == 0:
        assert count.status == ("on_track" if pending else "at_risk")


def dataclass_replace(counted: quotas.CountedFair, **changes: object) -> quotas.CountedFair:
    import dataclasses

    return dataclasses.replace(counted, **changes)  # type: ignore[arg-type]
