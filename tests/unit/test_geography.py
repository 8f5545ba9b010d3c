"""Counties, gig markets and gig stations of Liupanshui."""

from __future__ import annotations

import re

import pytest

from services.errors import InvalidInput
from services.geography import (
    COUNTIES,
    COUNTIES_BY_CODE,
    MARKETS,
    MARKETS_BY_ID,
    county,
    market,
    markets_in,
    parse_market_id,
)


def test_the_five_counties_with_their_division_codes() -> None:
    assert [(c.code, c.name_zh, c.region_code) for c in COUNTIES] == [
        ("zhongshan", "钟山区", "520201"),
        ("liuzhi", "六枝特区", "520203"),
        ("shuicheng", "水城区", "520204"),
        ("panzhou", "盘州市", "520281"),
        ("gaoxin", "六盘水高新区", None),
    ]
    assert all(c.name_en.isascii() and c.name_en for c in COUNTIES)


def test_region_codes_are_in_liupanshui() -> None:
    assert all(c.region_code.startswith("5202") for c in COUNTIES if c.region_code is not None)


def test_every_county_has_a_gig_market() -> None:
    for c in COUNTIES:
        assert any(m.kind == "market" for m in markets_in(c.code)), c


@pytest.mark.parametrize(
    ("market_id", "county_code"),
    [
        ("zs-market", "zhongshan"),
        ("lz-market", "liuzhi"),
        ("sc-market", "shuicheng"),
        ("pz-market", "panzhou"),
        ("gx-market", "gaoxin"),
    ],
)
def test_county_markets(market_id: str, county_code: str) -> None:
    m = market(market_id)
    assert (m.county, m.kind) == (county_code, "market")
    assert m.name_zh.endswith("零工市场")


def test_there_are_gig_stations() -> None:
    stations = [m for m in MARKETS if m.kind == "station"]
    assert len(stations) >= 2
    assert market("zs-dewu-station").county == "zhongshan"
    assert all(m.name_zh.endswith("零工驿站") for m in stations)


def test_market_ids_are_unique_slugs_and_counties_exist() -> None:
    assert len(MARKETS_BY_ID) == len(MARKETS)
    assert len(COUNTIES_BY_CODE) == len(COUNTIES)
    for m in MARKETS:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", m.market_id)
        assert m.county in COUNTIES_BY_CODE
        assert m.name_en.isascii()


def test_markets_in_lists_markets_first() -> None:
    zhongshan = markets_in("zhongshan")
    assert zhongshan[0].market_id == "zs-market"
    assert "zs-dewu-station" in [m.market_id for m in zhongshan]
    assert markets_in("nowhere") == ()


def test_lookups_raise_key_error() -> None:
    assert county("panzhou").name_zh == "盘州市"
    with pytest.raises(KeyError):
        county("guiyang")
    with pytest.raises(KeyError):
        market("gy-market")


def test_parse_market_id() -> None:
    assert parse_market_id("zs-market") is market("zs-market")
    assert parse_market_id("  ZS-Dewu-Station ") is market("zs-dewu-station")


@pytest.mark.parametrize("raw", ["", "gy-market", "zs market", None, 7, ["zs-market"]])
def test_parse_market_id_rejects(raw: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_market_id(raw, field="market")
    [error] = caught.value.errors
    assert (error.field, error.rule) == ("market", "market_unknown")
    assert error.message_zh and error.message_en
