"""The supply list's filters, order and "how to apply" wording (services/supply/search.py), on rows as
services.readmodels.supply_views.rows makes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.errors import InvalidInput
from services.readmodels.supply_views import rows
from services.supply import search as ss

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 08:00 in Liupanshui, Monday


def _gig(request_id: str, trade: str, wage: int, start: str, *, hours: int = 8) -> dict[str, Any]:
    return {
        "employer_name": "凉都建工",
        "trade": trade,
        "headcount": 3,
        "taken": [],
        "day_wage": wage,
        "start": start,
        "hours": hours,
        "place": "钟山大道 1 号工地",
        "date": "2026-12-07",
    }


def _rows() -> list[dict[str, Any]]:
    zs = {
        "market_id": "zs-market",
        "county": "zhongshan",
        "week": "2026-W50",
        "requests": {"r1": _gig("r1", "mason", 220, "09:30"), "r2": _gig("r2", "porter", 180, "08:30")},
    }
    pz = {"market_id": "pz-hongguo-station", "county": "panzhou", "week": "2026-W50", "requests": {}}
    pz["requests"]["r3"] = _gig("r3", "mason", 260, "13:00")
    fair = {
        "scope": "liuzhi",
        "week": "2026-W50",
        "fairs": {
            "f1": {
                "title": "六枝特区冬季招聘会",
                "kind_zh": "专场",
                "venue": "六枝特区人民广场",
                "venue_county": "liuzhi",
                "starts_at": "2026-12-08T01:00:00+00:00",
                "ends_at": "2026-12-08T08:00:00+00:00",
                "employers": {
                    "e1": {
                        "name": "六枝矿业",
                        "positions": [
                            {
                                "trade": "miner",
                                "title": "",
                                "headcount": 5,
                                "wage_min": 6000,
                                "wage_max": 8000,
                                "wage_unit": "month",
                            },
                        ],
                    }
                },
            }
        },
    }
    return rows([zs, pz], [fair], NOW)


def test_rows_carry_what_the_page_filters_and_sorts_by() -> None:
    found = {row["id"]: row for row in _rows()}
    assert found["r1"]["wage_low"] == 220 and found["r1"]["wage_unit"] == "day" and found["r1"]["start"] == "09:30"
    fair = found["f1/e1/0"]
    assert (fair["wage_low"], fair["wage_unit"], fair["start"], fair["date"]) == (6000, "month", "09:00", "2026-12-08")
    assert fair["fair_title"] == "六枝特区冬季招聘会" and fair["place"] == "六枝特区人民广场"


def test_no_filter_lists_everything_soonest_start_first() -> None:
    listed = ss.select(_rows(), ss.parse_query({}))
    assert [row["id"] for row in listed] == ["r2", "r1", "r3", "f1/e1/0"]


def test_filters_by_county_trade_and_lowest_wage() -> None:
    assert [r["id"] for r in ss.select(_rows(), ss.parse_query({"county": "panzhou"}))] == ["r3"]
    assert [r["id"] for r in ss.select(_rows(), ss.parse_query({"trade": "mason"}))] == ["r1", "r3"]
    assert [r["id"] for r in ss.select(_rows(), ss.parse_query({"wage_min": "200"}))] == ["r1", "r3", "f1/e1/0"]
    both = ss.parse_query({"trade": "mason", "wage_min": "230", "county": ""})
    assert both == ss.SupplyQuery(trade="mason", wage_min=230) and both.filtered
    assert [r["id"] for r in ss.select(_rows(), both)] == ["r3"]


def test_a_monthly_wage_compares_per_paid_day() -> None:
    assert ss.day_wage(6000, "month") == Decimal(6000) / Decimal("21.75")  # 275.86 元/天
    assert ss.day_wage(25, "hour") == 200 and ss.day_wage(220, "day") == 220
    assert [r["id"] for r in ss.select(_rows(), ss.parse_query({"wage_min": "276"}))] == []
    assert [r["id"] for r in ss.select(_rows(), ss.parse_query({"wage_min": "275"}))] == ["f1/e1/0"]


def test_sort_by_wage_puts_the_best_paid_first() -> None:
    listed = ss.select(_rows(), ss.parse_query({"sort": "wage"}))
    assert [row["id"] for row in listed] == ["f1/e1/0", "r3", "r1", "r2"]


@pytest.mark.parametrize(
    ("query", "field", "rule"),
    [
        ({"county": "atlantis"}, "county", "county_unknown"),
        ({"trade": "astronaut"}, "trade", "trade_unknown"),
        ({"wage_min": "-5"}, "wage_min", "wage_min_format"),
        ({"wage_min": "２００"}, "wage_min", "wage_min_format"),
        ({"wage_min": "999999"}, "wage_min", "wage_min_format"),
        ({"sort": "name"}, "sort", "sort_unknown"),
    ],
)
def test_a_bad_filter_is_refused_naming_its_rule(query: dict[str, str], field: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ss.parse_query(query)
    [error] = refused.value.errors
    assert (error.field, error.rule) == (field, rule) and error.message_zh and error.message_en


def test_every_broken_filter_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        ss.parse_query({"county": "x", "trade": "y", "wage_min": "z", "sort": "w"})
    assert [e.rule for e in refused.value.errors] == [
        "county_unknown",
        "trade_unknown",
        "wage_min_format",
        "sort_unknown",
    ]


def test_how_to_apply_names_the_market_or_the_fair_in_chinese() -> None:
    found = {row["id"]: row for row in _rows()}
    gig_zh, gig_en = ss.how_to_apply(found["r3"])
    assert gig_zh.startswith("12月7日（周一） 13:00开工前，到盘州市红果街道零工驿站的自助机登记")
    assert "kiosk" in gig_en and "Hongguo" in gig_en
    fair_zh, _ = ss.how_to_apply(found["f1/e1/0"])
    assert fair_zh == "12月8日（周二） 09:00到六枝特区人民广场参加六枝特区冬季招聘会，到“六枝矿业”展位现场应聘"
    assert ss.date_zh("2026-12-13") == "12月13日（周日）"
