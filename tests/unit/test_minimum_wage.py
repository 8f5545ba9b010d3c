"""The minimum wage by county: the notice's classes, each county's class, the setting's override, the fallback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services import geography, minimum_wage
from services.minimum_wage import NOTICE_IN_FORCE, county_minimum, yuan

FALLBACK = Decimal("17.2")


def test_the_notice_in_force_has_the_three_guizhou_classes() -> None:
    assert NOTICE_IN_FORCE.title_zh == "贵州省人民政府关于调整贵州省最低工资标准的通知"
    assert NOTICE_IN_FORCE.effective == date(2023, 2, 1)
    classes = [(c.rank, c.name_zh, c.monthly_yuan, c.hourly_yuan) for c in NOTICE_IN_FORCE.classes]
    assert classes == [
        (1, "一类", 1890, Decimal("19.6")),
        (2, "二类", 1760, Decimal("18.3")),
        (3, "三类", 1660, Decimal("17.2")),
    ]
    with pytest.raises(KeyError):
        NOTICE_IN_FORCE.wage_class(4)


@pytest.mark.parametrize(
    ("county", "rank", "hourly"),
    [
        ("zhongshan", 1, "19.6"),
        ("gaoxin", 1, "19.6"),
        ("panzhou", 2, "18.3"),
        ("shuicheng", 3, "17.2"),
        ("liuzhi", 3, "17.2"),
    ],
)
def test_each_county_has_its_class(county: str, rank: int, hourly: str) -> None:
    found = county_minimum(county, fallback_hourly_yuan=FALLBACK)
    assert found.origin == "notice"
    assert found.wage_class is not None and found.wage_class.rank == rank
    assert found.hourly_yuan == Decimal(hourly)


def test_every_county_of_the_city_is_in_the_table_once() -> None:
    assert sorted(c.county for c in minimum_wage.COUNTY_CLASSES) == sorted(geography.COUNTIES_BY_CODE)


def test_every_entry_says_whether_it_is_sourced_and_why() -> None:
    for entry in minimum_wage.COUNTY_CLASSES:
        assert entry.basis
        assert entry.basis.startswith("assumed") == (not entry.sourced)
        NOTICE_IN_FORCE.wage_class(entry.rank)  # a class the notice has


def test_the_setting_overrides_a_county() -> None:
    found = county_minimum("liuzhi", fallback_hourly_yuan=FALLBACK, overrides={"liuzhi": Decimal("20")})
    assert (found.origin, found.hourly_yuan, found.wage_class) == ("setting", Decimal("20"), None)
    other = county_minimum("zhongshan", fallback_hourly_yuan=FALLBACK, overrides={"liuzhi": Decimal("20")})
    assert (other.origin, other.hourly_yuan) == ("notice", Decimal("19.6"))


def test_a_county_outside_the_table_gets_the_fallback() -> None:
    for county in ("", "atlantis"):
        found = county_minimum(county, fallback_hourly_yuan=Decimal("16"))
        assert (found.origin, found.hourly_yuan, found.wage_class) == ("fallback", Decimal("16"), None)
    emptied = county_minimum("zhongshan", fallback_hourly_yuan=FALLBACK, table={})
    assert (emptied.origin, emptied.hourly_yuan) == ("fallback", FALLBACK)


def test_the_day_minimum_reads_with_the_county_and_units() -> None:
    zhongshan = county_minimum("zhongshan", fallback_hourly_yuan=FALLBACK)
    assert zhongshan.day_minimum(8) == Decimal("156.8")
    assert zhongshan.day_minimum_text(8) == (
        "钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元",
        "Zhongshan District minimum wage 19.6 yuan/hour × 8 hours = 156.8 yuan",
    )
    assert zhongshan.day_minimum_text(10)[0] == "钟山区最低工资 19.6 元/小时 × 10 小时 = 196 元"
    assert zhongshan.basis_text() == ("贵州省最低工资标准，一类地区", "Guizhou minimum wage, class 1")
    unknown = county_minimum("", fallback_hourly_yuan=FALLBACK)
    assert unknown.day_minimum_text(2) == (
        "最低工资 17.2 元/小时 × 2 小时 = 34.4 元",
        "Minimum wage 17.2 yuan/hour × 2 hours = 34.4 yuan",
    )


@pytest.mark.parametrize(
    ("amount", "text"),
    [("156.8", "156.8"), ("196.0", "196"), ("120.0", "120"), ("18.0", "18"), ("0.5", "0.5"), ("2352.00", "2352")],
)
def test_yuan_drops_a_trailing_zero_and_never_uses_an_exponent(amount: str, text: str) -> None:
    assert yuan(Decimal(amount)) == text
