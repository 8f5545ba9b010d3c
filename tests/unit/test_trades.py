"""The trade catalogue and the parsing of a worker's or a job's trades."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.errors import InvalidInput
from services.trades import TRADES, TRADES_BY_CODE, Trade, parse_trades, trade


def rules(codes: object, **kwargs: int) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_trades(codes, **kwargs)  # type: ignore[arg-type]
    assert all(e.field == "trades" and e.message_zh and e.message_en for e in caught.value.errors)
    return [e.rule for e in caught.value.errors]


def test_codes_are_unique_lowercase_slugs() -> None:
    codes = [t.code for t in TRADES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes)
    assert set(TRADES_BY_CODE) == set(codes)


def test_names_are_present_and_unique() -> None:
    assert len({t.name_zh for t in TRADES}) == len(TRADES)
    assert len({t.name_en for t in TRADES}) == len(TRADES)
    assert all(t.name_zh and t.name_en.isascii() for t in TRADES)


def test_every_pictogram_is_one_distinct_emoji() -> None:
    for t in TRADES:
        base = t.pictogram.removesuffix("\ufe0f")
        assert len(base) == 1, t
        assert unicodedata.category(base) == "So", t
    assert len({t.pictogram for t in TRADES}) == len(TRADES)


@pytest.mark.parametrize(
    ("code", "name_zh", "certificate"),
    [
        ("electrician", "凉都电工", "电工证（特种作业操作证）"),
        ("care_worker", "凉都护理工", "养老护理员证"),
        ("miner", "凉都矿工", "矿山特种作业证"),
        ("mutton_soup_cook", "凉都羊汤工", "健康证"),
    ],
)
def test_labour_brands(code: str, name_zh: str, certificate: str) -> None:
    t = trade(code)
    assert (t.name_zh, t.certificate, t.brand) == (name_zh, certificate, True)


def test_sanbao_brand_is_kiwi_rosa_roxburghii_and_tea() -> None:
    sanbao = [trade(c) for c in ("kiwi_grower", "rosa_roxburghii_picker", "tea_picker")]
    assert all(t.brand for t in sanbao)
    assert [t.name_zh for t in sanbao] == ["猕猴桃采摘/管护", "刺梨采摘", "茶叶采摘"]


def test_brands_are_exactly_the_seven() -> None:
    assert {t.code for t in TRADES if t.brand} == {
        "electrician",
        "care_worker",
        "miner",
        "mutton_soup_cook",
        "kiwi_grower",
        "rosa_roxburghii_picker",
        "tea_picker",
    }


def test_common_day_work_is_listed() -> None:
    names = {t.name_zh for t in TRADES if not t.brand}
    assert names >= {
        "泥瓦工", "搬运/装卸", "保洁", "厨工", "焊工", "木工", "钢筋工", "油漆工",
        "水电工", "家政", "采摘", "司机", "保安", "绿化", "普工",
    }  # fmt: skip
    assert trade("kitchen_hand").certificate == "健康证"
    assert trade("welder").certificate == "焊工证"
    assert trade("driver").certificate == "驾驶证"
    assert trade("porter").certificate is None


def test_trade_lookup() -> None:
    assert isinstance(trade("welder"), Trade)
    with pytest.raises(KeyError):
        trade("astronaut")


def test_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        TRADES_BY_CODE["x"] = TRADES[0]  # type: ignore[index]


def test_parse_keeps_given_order() -> None:
    assert parse_trades(["welder", "electrician", "tea_picker"]) == ("welder", "electrician", "tea_picker")
    assert parse_trades(("porter",)) == ("porter",)


@pytest.mark.parametrize(
    "codes", ["welder", None, 3, {"welder"}, ["welder", 1], [None], {"trades": ["welder"]}]
)
def test_type(codes: object) -> None:
    assert rules(codes) == ["trades_type"]


def test_required() -> None:
    assert rules([]) == ["trades_required"]


def test_too_many() -> None:
    six = [t.code for t in TRADES[:6]]
    assert rules(six) == ["trades_too_many"]
    assert parse_trades(six, max_count=6) == tuple(six)
    assert rules(six[:3], max_count=2) == ["trades_too_many"]


def test_unknown_code_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_trades(["welder", "astronaut", "Welder"])
    unknown = [e for e in caught.value.errors if e.rule == "trade_unknown"]
    assert len(unknown) == 2
    assert "astronaut" in unknown[0].message_zh and "astronaut" in unknown[0].message_en
    assert "Welder" in unknown[1].message_en


def test_long_unknown_code_is_cut_short_in_the_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_trades(["a" * 10_000])
    assert len(caught.value.errors[0].message_en) < 100


def test_duplicates() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_trades(["welder", "porter", "welder"])
    [error] = caught.value.errors
    assert error.rule == "trades_duplicate"
    assert "welder" in error.message_en and "porter" not in error.message_en


def test_every_broken_rule_is_reported() -> None:
    assert rules(["welder"] * 6 + ["astronaut"]) == ["trades_too_many", "trade_unknown", "trades_duplicate"]


def test_custom_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_trades([], field="job.trade")
    assert caught.value.errors[0].field == "job.trade"


@given(st.lists(st.sampled_from([t.code for t in TRADES]), min_size=1, max_size=5, unique=True))
def test_any_short_list_of_distinct_known_codes_is_accepted(codes: list[str]) -> None:
    assert parse_trades(codes) == tuple(codes)
