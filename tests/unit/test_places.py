"""Places as data (issue 29): the places file is the catalogue, checked whole at start."""

from __future__ import annotations

import pytest

from services import geography, places
from services.places import CatalogueError, parse

SHIPPED = places.CITY_FILE.read_text(encoding="utf-8")

NEW_STATION = """
[[markets]]
id = "lz-pingzhai-station"
county = "liuzhi"
kind = "station"
name_zh = "平寨镇零工驿站"
name_en = "Pingzhai Town Gig Station"

[[markets]]
id = "sc-anzhi-centre"
county = "shuicheng"
kind = "service_centre"
name_zh = "易地扶贫搬迁安置点就业服务站"
name_en = "Resettlement Site Employment Service Centre"
"""


def test_the_shipped_file_is_the_catalogue_of_geography() -> None:
    catalogue = places.load()
    assert catalogue.markets == geography.MARKETS and catalogue.counties == geography.COUNTIES
    assert (geography.PREFECTURE.name_zh, geography.PREFECTURE.region_code) == ("六盘水市", "520200")


def test_a_market_is_added_by_a_block_of_data() -> None:
    catalogue = parse(SHIPPED + NEW_STATION)
    added = {m.market_id: m for m in catalogue.markets[-2:]}
    assert added["lz-pingzhai-station"].name_zh == "平寨镇零工驿站"
    assert added["sc-anzhi-centre"].kind == "service_centre"
    assert catalogue.markets[: len(geography.MARKETS)] == geography.MARKETS  # the order of the file is kept


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (NEW_STATION.replace('county = "liuzhi"', 'county = "nowhere"'), "county 'nowhere' is not a county"),
        (NEW_STATION.replace('kind = "station"', 'kind = "kiosk"'), "kind 'kiosk' must be one of"),
        (NEW_STATION.replace("lz-pingzhai-station", "zs-market"), "market id 'zs-market' appears twice"),
        (NEW_STATION.replace("lz-pingzhai-station", "LZ Pingzhai"), "must be a lowercase slug"),
        (NEW_STATION.replace('name_zh = "平寨镇零工驿站"', 'name_zh = " "'), "name_zh is required"),
        (NEW_STATION.replace("Pingzhai Town Gig Station", "平寨"), "name_en must be ASCII"),
        (
            '\n[[counties]]\ncode = "far"\nname_zh = "远县"\nname_en = "Far"\nregion_code = "530102"\n',
            "is not in 六盘水市",
        ),
        ("\n[[markets]\n", "not valid TOML"),
    ],
)
def test_a_bad_edit_is_refused_naming_the_entry_and_the_rule(edit: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message) as refused:
        parse(SHIPPED + edit, source="liupanshui.toml")
    assert str(refused.value).startswith("liupanshui.toml")


def test_the_prefecture_is_required() -> None:
    with pytest.raises(CatalogueError, match=r"\[prefecture\] is required"):
        parse(SHIPPED.split("[prefecture]")[0])
