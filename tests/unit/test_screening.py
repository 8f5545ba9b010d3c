"""Posting screening: a table of realistic postings, refused and accepted, and properties of the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services import minimum_wage, trades
from services.errors import InvalidInput
from services.market.job_request import parse_job_request
from services.screening import postings as screening
from services.settings import Settings, SettingsError

POLICY = screening.Policy()

# (trade, description, the rules it breaks; empty: accepted)
POSTINGS: list[tuple[str, str, set[str]]] = [
    # accepted
    ("electrician", "招聘电工2名，一年以上经验，持电工证，日结", set()),
    ("porter", "搬运水泥，身体健康，能吃苦耐劳，包吃住", set()),
    ("mason", "砌砖抹灰，男女不限，年龄不限，工资日结", set()),
    ("miner", "矿山井下作业，限男性，持矿山特种作业证", set()),
    ("mason", "井下巷道砌筑，男性，包工作餐", set()),
    ("porter", "无押金，不收任何费用，体检费报销", set()),
    ("porter", "联系人：王女士，电话见平台", set()),
    ("cleaner", "写字楼保洁，年满18周岁，欢迎女性和大龄人员报名", set()),
    ("kitchen_hand", "需持健康证，培训费由公司承担，户籍不限", set()),
    ("welder", "持焊工证，初中以上文化，做六休一", set()),
    ("tea_picker", "明前茶采摘，按斤计价，早上七点集合，零工市场门口上车", set()),
    ("security_guard", "小区夜班保安，不扣押身份证，工资当天结", set()),
    ("driver", "货车司机，B2驾照，熟悉水城区道路", set()),
    # refused
    ("porter", "限男性，搬运水泥", {"discrimination_gender"}),
    ("general_labourer", "只招男工，女性勿扰", {"discrimination_gender"}),
    ("housekeeper", "女士优先，住家保姆", {"discrimination_gender"}),
    ("miner", "矿山井下作业，限女性", {"discrimination_gender"}),
    ("porter", "入职需交体检费100元", {"charge_to_worker"}),
    ("cleaner", "35岁以下，手脚麻利", {"discrimination_age"}),
    ("painter", "年龄18-45岁，90后优先", {"discrimination_age"}),
    ("porter", "年轻力壮，能扛100斤", {"discrimination_age"}),
    ("porter", "限本地户口", {"discrimination_household_registration"}),
    ("gardener", "本地人优先，外地勿扰", {"discrimination_household_registration"}),
    ("housekeeper", "已婚已育优先，有带娃经验", {"discrimination_marital_status"}),
    ("cleaner", "汉族，普通话流利", {"discrimination_ethnicity"}),
    ("kitchen_hand", "回族勿扰", {"discrimination_ethnicity"}),
    ("porter", "本科以上学历，负责仓库搬运", {"discrimination_education"}),
    ("electrician", "高中以上学历，持电工证", {"discrimination_education"}),
    ("kitchen_hand", "乙肝携带者勿扰", {"discrimination_health"}),
    ("security_guard", "入职交押金300元，工装费自理", {"charge_to_worker"}),
    ("general_labourer", "先交培训费和保证金，培训后上岗", {"charge_to_worker"}),
    ("rebar_worker", "需交介绍费50元", {"charge_to_worker"}),
    ("porter", "押金200元，干满一个月退还", {"charge_to_worker"}),
    ("security_guard", "入职需扣押身份证原件", {"id_withheld"}),
    ("porter", "限 男 性，３５岁以下", {"discrimination_gender", "discrimination_age"}),
    (
        "mason",
        "限男性，40岁以下，需交服装费",
        {"discrimination_gender", "discrimination_age", "charge_to_worker"},
    ),
]


def _posting(trade: str, description: str, **extra: object) -> screening.Posting:
    fields: dict[str, object] = {"day_wage": 220, "hours": 8, "county": "zhongshan", **extra}
    return screening.Posting(trade=trade, description=description, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("trade", "description", "rules"), POSTINGS, ids=[p[1] for p in POSTINGS])
def test_posting_table(trade: str, description: str, rules: set[str]) -> None:
    verdict = screening.screen(_posting(trade, description), POLICY)
    assert {e.rule for e in verdict.refusals} == rules
    assert all(e.field == "description" for e in verdict.refusals)


def test_message_quotes_the_words_and_the_rule_chinese_first() -> None:
    (error,) = screening.screen(_posting("porter", "限男性，搬运水泥"), POLICY).refusals
    assert error.rule == "discrimination_gender"
    assert "“限男性”" in error.message_zh and "性别" in error.message_zh
    assert '"限男性"' in error.message_en and "gender" in error.message_en


def test_every_matched_word_is_quoted_once() -> None:
    (error,) = screening.screen(_posting("porter", "押金200元，押金不退，另收体检费"), POLICY).refusals
    assert error.message_zh.count("“押金”") == 1 and "“体检费”" in error.message_zh


def test_place_is_screened_too() -> None:
    posting = screening.Posting("porter", 220, 8, "zhongshan", description="", place="钟山区，限本地人")
    (error,) = screening.screen(posting, POLICY).refusals
    assert (error.field, error.rule) == ("place", "discrimination_household_registration")


def test_men_only_is_lawful_only_for_underground_work() -> None:
    assert not screening.screen(_posting("miner", "限男性"), POLICY).refusals
    assert not screening.screen(_posting("porter", "煤矿井下运输，限男性"), POLICY).refusals
    assert screening.screen(_posting("porter", "煤矿地面运输，限男性"), POLICY).refusals


def test_education_needed_per_trade() -> None:
    assert not screening.screen(_posting("electrician", "初中以上学历"), POLICY).refusals
    assert screening.screen(_posting("porter", "初中以上学历"), POLICY).refusals


@pytest.mark.parametrize(
    ("county", "hours", "wage", "refused"),
    [
        # 六枝特区, class 3 (17.2 yuan/hour)
        ("liuzhi", 8, 137, True),
        ("liuzhi", 8, 138, False),
        ("liuzhi", 1, 17, True),
        ("liuzhi", 1, 18, False),
        ("liuzhi", 12, 206, True),
        ("liuzhi", 12, 207, False),
        # 钟山区, class 1 (19.6 yuan/hour)
        ("zhongshan", 8, 156, True),
        ("zhongshan", 8, 157, False),
        ("zhongshan", 1, 19, True),
        ("zhongshan", 1, 20, False),
        ("zhongshan", 12, 235, True),
        ("zhongshan", 12, 236, False),
    ],
)
def test_day_wage_below_the_minimum_is_refused(county: str, hours: int, wage: int, refused: bool) -> None:
    verdict = screening.screen(_posting("porter", "", hours=hours, day_wage=wage, county=county), POLICY)
    assert [(e.field, e.rule) for e in verdict.refusals] == ([("day_wage", "wage_below_minimum")] if refused else [])
    if refused:
        hourly = {"liuzhi": "17.2", "zhongshan": "19.6"}[county]
        assert f"最低工资 {hourly} 元/小时 × {hours} 小时" in verdict.refusals[0].message_zh


def test_zhongshan_posting_below_class_one_but_above_class_three_is_refused_naming_the_county() -> None:
    """150 yuan for 8 hours is lawful in a class-3 county (137.6) but not in 钟山区, class 1 (156.8)."""
    (error,) = screening.screen(_posting("porter", "", day_wage=150, county="zhongshan"), POLICY).refusals
    assert (error.field, error.rule) == ("day_wage", "wage_below_minimum")
    assert "钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元" in error.message_zh
    assert error.message_zh.startswith("日工资 150 元低于最低工资")
    assert "Zhongshan District minimum wage 19.6 yuan/hour × 8 hours = 156.8 yuan" in error.message_en
    assert not screening.screen(_posting("porter", "", day_wage=150, county="liuzhi"), POLICY).refusals
    with pytest.raises(InvalidInput) as caught:
        parse_job_request(_body(day_wage=150), now=NOW)  # zs-market, the default policy
    assert [(e.field, e.rule) for e in caught.value.errors] == [("day_wage", "wage_below_minimum")]


def test_the_setting_overrides_the_county_table() -> None:
    policy = screening.Policy.from_settings(Settings(minimum_hourly_wage_by_county="liuzhi=19.6,zhongshan=21"))
    assert policy.minimum_hourly_wage("liuzhi") == Decimal("19.6")
    assert policy.minimum_hourly_wage("zhongshan") == Decimal("21")
    assert policy.minimum_hourly_wage("panzhou") == Decimal("18.3")  # not overridden: the table
    assert screening.screen(_posting("porter", "", day_wage=150, county="liuzhi"), policy).refusals  # 156.8
    (error,) = screening.screen(_posting("porter", "", day_wage=150, county="zhongshan"), policy).refusals
    assert "钟山区最低工资 21 元/小时 × 8 小时 = 168 元（贵州省最低工资标准，本平台按县设定）" in error.message_zh


def test_a_county_outside_the_table_gets_the_fallback_rate() -> None:
    policy = screening.Policy.from_settings(Settings(minimum_hourly_wage_yuan=18.0))
    assert policy.minimum_hourly_wage("") == Decimal("18.0")
    assert policy.minimum_hourly_wage("zhongshan") == Decimal("19.6")
    (error,) = screening.screen(_posting("porter", "", day_wage=100, county=""), policy).refusals
    assert "最低工资 18 元/小时 × 8 小时 = 144 元（贵州省最低工资标准）" in error.message_zh
    assert "Minimum wage 18 yuan/hour × 8 hours = 144 yuan (Guizhou minimum wage)" in error.message_en


@pytest.mark.parametrize("raw", ["zhongshan", "atlantis=19.6", "zhongshan=-1", "zhongshan=lots"])
def test_bad_county_rates_stop_the_process(raw: str) -> None:
    with pytest.raises(SettingsError, match="LINGONG_MINIMUM_HOURLY_WAGE_BY_COUNTY"):
        screening.parse_county_rates(raw)


def test_a_wage_far_above_usual_is_flagged_not_refused() -> None:
    usual = screening.USUAL_DAY_WAGES["porter"]
    flagged = screening.screen(_posting("porter", "", day_wage=usual * 2 + 1), POLICY)
    assert not flagged.refusals and flagged.review_flags == ("wage_above_usual",)
    assert not screening.screen(_posting("porter", "", day_wage=usual * 2), POLICY).flags


def test_every_trade_has_a_usual_wage() -> None:
    missing = {t.code for t in trades.TRADES} - set(screening.USUAL_DAY_WAGES)
    assert not missing, f"add rows to services.screening.postings.USUAL_DAY_WAGES for {sorted(missing)}"


NOW = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)


def test_many_postings_in_a_short_time_are_flagged() -> None:
    policy = screening.Policy(burst_window=timedelta(minutes=10), burst_max=3)
    three = [NOW - timedelta(minutes=m) for m in (0, 1, 2)]
    assert screening.posting_burst(three, now=NOW, policy=policy) is None
    flag = screening.posting_burst([*three, NOW - timedelta(minutes=9)], now=NOW, policy=policy)
    assert flag is not None and (flag.field, flag.rule) == ("employer", "posting_burst")
    assert "4" in flag.message_zh and "10 分钟" in flag.message_zh
    old = [*three, NOW - timedelta(minutes=10), NOW - timedelta(hours=2)]
    assert screening.posting_burst(old, now=NOW, policy=policy) is None


@given(
    st.lists(st.integers(min_value=0, max_value=7200), max_size=30),
    st.integers(min_value=1, max_value=20),
)
def test_burst_counts_exactly_the_window(offsets: list[int], limit: int) -> None:
    policy = screening.Policy(burst_window=timedelta(seconds=600), burst_max=limit)
    times = [NOW - timedelta(seconds=s) for s in offsets]
    inside = sum(1 for s in offsets if s < 600)
    assert (screening.posting_burst(times, now=NOW, policy=policy) is not None) == (inside > limit)


@given(
    st.sampled_from(sorted(minimum_wage.COUNTY_CLASSES_BY_CODE)),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=5000),
)
def test_minimum_wage_is_hours_times_the_county_rate(county: str, hours: int, wage: int) -> None:
    refused = any(
        e.rule == "wage_below_minimum"
        for e in screening.screen(_posting("porter", "", hours=hours, day_wage=wage, county=county), POLICY).refusals
    )
    rank = minimum_wage.COUNTY_CLASSES_BY_CODE[county].rank
    assert refused == (Decimal(wage) < minimum_wage.NOTICE_IN_FORCE.wage_class(rank).hourly_yuan * hours)


INNOCUOUS = [
    "包吃住",
    "日结",
    "一年以上经验",
    "身体健康",
    "持证上岗",
    "早上八点集合",
    "工地在钟山区",
    "能吃苦",
]
FORBIDDEN = {
    "限男性": "discrimination_gender",
    "35岁以下": "discrimination_age",
    "限本地户口": "discrimination_household_registration",
    "需交体检费": "charge_to_worker",
    "已婚已育优先": "discrimination_marital_status",
    "汉族": "discrimination_ethnicity",
    "本科以上": "discrimination_education",
}


@given(st.lists(st.sampled_from(INNOCUOUS), max_size=6), st.sampled_from(sorted(FORBIDDEN)), st.data())
def test_a_forbidden_phrase_is_found_wherever_it_stands(fragments: list[str], phrase: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(fragments)))
    text = "，".join([*fragments[:at], phrase, *fragments[at:]])
    rules = {e.rule for e in screening.screen(_posting("porter", text), POLICY).refusals}
    assert rules == {FORBIDDEN[phrase]}


@given(st.lists(st.sampled_from(INNOCUOUS), max_size=8))
def test_innocuous_postings_pass(fragments: list[str]) -> None:
    assert not screening.screen(_posting("porter", "，".join(fragments)), POLICY).refusals


@given(st.text(max_size=200))
def test_screening_never_raises(text: str) -> None:
    screening.screen(_posting("porter", text, place=text), POLICY)


def _body(**extra: object) -> dict[str, object]:
    return {
        "market_id": "zs-market",
        "trade": "porter",
        "headcount": 1,
        "day_wage": 220,
        "start": "09:00",
        "hours": 8,
        "place": "钟山区荷城街道",
        **extra,
    }


def test_parse_job_request_refuses_with_field_and_rule() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_job_request(_body(description="限男性", day_wage=100), now=NOW)
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("description", "discrimination_gender"),
        ("day_wage", "wage_below_minimum"),
    }


def test_parse_job_request_carries_review_flags() -> None:
    assert parse_job_request(_body(day_wage=900), now=NOW).review_flags == ("wage_above_usual",)
    assert parse_job_request(_body(), now=NOW).review_flags == ()


def test_parse_job_request_reports_field_errors_and_screening_together() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_job_request(_body(headcount=0, description="35岁以下"), now=NOW)
    assert {(e.field, e.rule) for e in caught.value.errors} == {
        ("headcount", "range"),
        ("description", "discrimination_age"),
    }
