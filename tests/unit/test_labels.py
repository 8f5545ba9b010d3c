"""Words for staff (services/reports/labels.py): names instead of codes, periods and times in local words,
CSV tables with Chinese headers and names."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from services.readmodels import dashboard_views as dv
from services.reports import export, figures, labels, lists, periods, report
from tests.unit.test_report_figures import day_events, ledger_of

CODES = ("zhongshan", "liuzhi", "shuicheng", "panzhou", "gaoxin", "zs-market", "porter", "returnee", "gig")


def test_places_trades_and_groups_by_name_in_either_language() -> None:
    assert labels.place_name("zhongshan") == "钟山区"
    assert labels.place_name("gaoxin", "en") == "Liupanshui High-tech Zone"
    assert labels.place_name("city") == "市本级"
    assert labels.place_name("zs-market") == "钟山区零工市场"
    assert labels.trade_name("electrician") == "凉都电工"
    assert labels.group_name("returnee") == "返乡人员"
    assert labels.key_name("county", "total") == "合计" and labels.key_name("trade", "total", "en") == "Total"
    assert labels.place_name("nowhere") == "nowhere"  # an unknown code is shown as it is, never dropped


def test_periods_in_local_words_not_iso_codes() -> None:
    thursday = date(2026, 11, 26)
    said = {k: labels.period_label(k, periods.period_of(k, thursday)) for k in periods.KINDS}
    assert said == {
        "day": "2026年11月26日（星期四）",
        "week": "11月23日—11月29日（第48周）",
        "month": "2026年11月",
        "quarter": "2026年第4季度",
    }
    assert labels.quota_period_label("2026-W50") == "12月7日—12月13日（第50周）"
    assert labels.quota_period_label("2026-12", "en") == "December 2026"
    assert "W" not in "".join(said.values())


def test_local_time_is_asia_shanghai() -> None:
    assert labels.local_hhmm(datetime(2026, 12, 6, 23, 58, tzinfo=UTC)) == "07:58"  # the next morning in 六盘水


def test_the_period_picker_names_this_and_last_week() -> None:
    choices = labels.recent_periods("week", date(2026, 11, 26), 3)
    assert [c["code"] for c in choices] == ["2026-W48", "2026-W47", "2026-W46"]
    assert choices[0]["label"].startswith("本周") and choices[1]["label"] == "上周 · 11月16日—11月22日（第47周）"
    assert labels.recent_periods("quarter", date(2026, 1, 5), 2, "en")[1]["label"] == "Last quarter · Q4 2025"


def _read(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_report_csv_has_chinese_headers_and_names() -> None:
    ledger = ledger_of(day_events())
    for by, name in (("county", "钟山区"), ("market", "钟山区零工市场"), ("trade", "搬运/装卸"), ("group", "返乡人员")):
        answer = report.build(
            kind="week",
            period=periods.parse_period("week", "2026-W48"),
            dimension=by,  # type: ignore[arg-type]
            markets=[ledger],
            fair_days=[],
            year_markets=[],
            targets={"reemployment_unemployed": 1, "people_in_difficulty": 1, "returnees": 1},
        )
        headers, rows = labels.report_table(answer)
        table = _read(export.to_csv(rows, headers, {}))
        assert table[0][:3] == ["期间", labels.DIMENSION_HEADERS[by], "登记人次"]
        assert all(c.isascii() is False for c in table[0]), table[0]
        names = [row[1] for row in table[1:]]
        assert name in names and names[-1] == "合计", names
        assert table[1][0] == "11月23日—11月29日（第48周）"
        assert not set(CODES) & {cell for row in table for cell in row}
    total = dict(zip(table[0], table[-1], strict=True))
    assert total["岗位满足率"] == "50.0%" and total["补岗用时中位数（分钟）"] == "10"


def test_list_and_supply_csv_have_names_not_codes() -> None:
    found = lists.compose([ledger_of(day_events())])
    headers, rows = labels.list_table(found["placed"])
    table = _read(export.to_csv(rows, headers, {}))
    assert table[0][:3] == ["身份证号（脱敏）", "县（区）", "最近登记的零工市场"]
    assert table[1][1:3] == ["钟山区", "钟山区零工市场"]
    assert table[1][4] == "凉都电工、搬运/装卸"
    assert table[1][6] == "是"
    supply = [
        {
            "source": "gig",
            "county": "zhongshan",
            "where": "钟山区零工市场",
            "employer": "甲公司",
            "trade_zh": "搬运/装卸",
            "positions": 2,
            "wage": "200 元/天",
            "date": "2026-11-26",
            "time": "10:00 起 8 小时",
            "place": "荷城",
        }
    ]
    headers, rows = labels.supply_table(supply)
    table = _read(export.to_csv(rows, headers, {}))
    assert table[0][:2] == ["来源", "县（区）"] and table[1][:2] == ["零工市场", "钟山区"]


def test_quota_alerts_name_the_place_and_the_week_in_one_language_each() -> None:
    entry = {
        "status": "at_risk",
        "rule": "county_week",
        "scope": "gaoxin",
        "period": "2026-W50",
        "held": 0,
        "pending": 0,
        "target": 1,
    }
    [alert] = dv.quota_alerts({"entries": [entry]})
    assert alert["message_zh"].startswith("六盘水高新区 12月7日—12月13日（第50周）：每周招聘会指标有风险")
    assert "gaoxin" not in alert["message_zh"] + alert["message_en"] and "W50" not in alert["message_zh"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in alert["message_en"])  # no Chinese in the English one
    assert alert["message_en"].startswith("Liupanshui High-tech Zone, 7 Dec – 13 Dec 2026 (week 50)")
    labelled = dv.label_board_entry({**entry, "scope": "city", "period": "2026-12"})
    assert (labelled["scope_zh"], labelled["period_zh"]) == ("市本级", "2026年12月")


def test_figures_rows_keep_their_codes_for_the_api() -> None:
    rows = figures.compute("county", [ledger_of(day_events())], [])
    assert [r["key"] for r in rows] == ["zhongshan", "total"]
