"""The matcher's recommendations for a registered person (附件4 (十一)): what fits, in what order, and why."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.jobseekers.recommend import MAX_SHOWN, Seeker, fits, job_ref, reason, recommend

TODAY = date(2026, 12, 8)
MASON = Seeker(county="zhongshan", trades=("mason",), min_day_wage=200, willing_elsewhere=False)


def gig(
    request_id: str,
    *,
    county: str = "zhongshan",
    trade: str = "mason",
    wage: int = 260,
    day: str = "2026-12-08",
    start: str = "08:00",
    positions: int = 2,
) -> dict[str, Any]:
    return {
        "source": "gig", "id": request_id, "county": county, "where": "钟山区零工市场",
        "where_en": "Zhongshan Gig Market", "employer": "凉都建工", "trade": trade, "trade_zh": "泥瓦工",
        "trade_en": "Mason", "positions": positions, "wage": f"{wage} 元/天", "wage_low": wage, "wage_unit": "day",
        "date": day, "start": start, "hours": 8, "time": f"{start} 起 8 小时", "place": "人民路 1 号",
    }  # fmt: skip


def fair(
    position: str, *, county: str = "zhongshan", trade: str = "mason", low: int = 4500, unit: str = "month"
) -> dict[str, Any]:
    return {
        "source": "fair", "id": position, "county": county, "where": "冬季招聘会（市民中心）",
        "where_en": "Winter fair", "fair_title": "冬季招聘会", "employer": "水城建设", "trade": trade,
        "trade_zh": "泥瓦工", "trade_en": "Mason", "positions": 3, "wage": f"{low}-6000 元/月", "wage_low": low,
        "wage_unit": unit, "date": "2026-12-12", "start": "09:00", "time": "09:00", "place": "市民中心",
    }  # fmt: skip


def test_the_reason_says_the_trade_the_wage_and_what_the_person_asks() -> None:
    assert reason(MASON, gig("q1")) == (
        "你会做泥瓦工，日薪 260 ≥ 你要求的 200",
        "you do Mason / bricklayer; day wage 260 ≥ the 200 you ask",
    )
    zh, _ = reason(MASON, fair("f/e/0"))
    assert zh == "你会做泥瓦工，月薪 4500（约合日薪 206） ≥ 你要求的 200"
    no_ask = Seeker(county="zhongshan", trades=("mason",), min_day_wage=None, willing_elsewhere=False)
    assert reason(no_ask, gig("q1"))[0] == "你会做泥瓦工，日薪 260"


def test_same_day_jobs_only_at_the_persons_county_and_trade_and_wage() -> None:
    assert fits(MASON, gig("q1"), TODAY) == "same_day"
    assert fits(MASON, gig("q1", county="liuzhi"), TODAY) is None  # another county's market
    assert fits(MASON, gig("q1", trade="electrician"), TODAY) is None
    assert fits(MASON, gig("q1", wage=199), TODAY) is None
    assert fits(MASON, gig("q1", wage=200), TODAY) == "same_day"  # 200 ≥ 200
    assert fits(MASON, gig("q1", positions=0), TODAY) is None
    willing = Seeker(county="zhongshan", trades=("mason",), min_day_wage=200, willing_elsewhere=True)
    assert fits(willing, gig("q1", county="liuzhi"), TODAY) is None  # a same-day job stays in the county


def test_longer_term_vacancies_elsewhere_only_for_those_willing() -> None:
    later = gig("q2", day="2026-12-10")
    assert fits(MASON, later, TODAY) == "later"
    assert fits(MASON, fair("f/e/0"), TODAY) == "fair"
    assert fits(MASON, fair("f/e/0", county="panzhou"), TODAY) is None
    willing = Seeker(county="zhongshan", trades=("mason",), min_day_wage=200, willing_elsewhere=True)
    assert fits(willing, fair("f/e/0", county="panzhou"), TODAY) == "fair"
    assert fits(willing, gig("q2", county="panzhou", day="2026-12-10"), TODAY) == "later"
    assert "你愿意到外地工作" in reason(willing, fair("f/e/0", county="panzhou"))[0]
    # a month's wage is compared per day: 4000 / 21.75 = 183.9 < 200
    assert fits(MASON, fair("f/e/1", low=4000), TODAY) is None
    assert fits(MASON, gig("q0", day="2026-12-07"), TODAY) is None  # a day already past


def test_order_same_day_then_later_then_fairs_best_wage_first_each_job_once() -> None:
    rows = [
        fair("f/e/0"),
        gig("q-later", day="2026-12-09", wage=300),
        gig("q-low", wage=220),
        gig("q-high", wage=280),
        gig("q-high", wage=280),  # listed twice: recommended once
    ]
    found = recommend(MASON, rows, TODAY)
    assert [r.job_ref for r in found] == ["gig:q-high", "gig:q-low", "gig:q-later", "fair:f/e/0"]
    assert [r.kind for r in found] == ["same_day", "same_day", "later", "fair"]
    assert found[0].how_zh.startswith("12月8日（周二） 08:00开工前")
    view = found[0].as_view()
    assert view["kind_zh"] == "今天的零工" and view["reason_zh"] == "你会做泥瓦工，日薪 280 ≥ 你要求的 200"


def test_nothing_for_a_person_without_trades_and_at_most_the_limit() -> None:
    nobody = Seeker(county="zhongshan", trades=(), min_day_wage=None, willing_elsewhere=True)
    assert recommend(nobody, [gig("q1")], TODAY) == []
    many = [gig(f"q{n}") for n in range(MAX_SHOWN + 3)]
    assert len(recommend(MASON, many, TODAY)) == MAX_SHOWN


def test_seeker_from_a_person_page() -> None:
    page = {"county": "liuzhi", "trades": ["mason", "painter"], "min_day_wage": 180, "willing_elsewhere": True}
    assert Seeker.from_page(page) == Seeker("liuzhi", ("mason", "painter"), 180, True)
    assert Seeker.from_page({"county": "liuzhi", "trades": []}).min_day_wage is None


@given(
    wage=st.integers(0, 2000),
    ask=st.integers(0, 2000) | st.none(),
    county=st.sampled_from(["zhongshan", "liuzhi"]),
    willing=st.booleans(),
    day=st.sampled_from(["2026-12-07", "2026-12-08", "2026-12-09"]),
)
def test_every_recommendation_fits_by_the_rules(
    wage: int, ask: int | None, county: str, willing: bool, day: str
) -> None:
    seeker = Seeker(county="zhongshan", trades=("mason",), min_day_wage=ask, willing_elsewhere=willing)
    row = gig("q", county=county, wage=wage, day=day)
    found = recommend(seeker, [row], TODAY)
    expected = (
        (ask is None or wage >= ask)
        and day >= "2026-12-08"
        and (county == "zhongshan" or (willing and day > "2026-12-08"))
    )
    assert bool(found) == expected
    if found:
        assert found[0].job_ref == job_ref(row) == "gig:q"
