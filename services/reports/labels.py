"""Words for people: Chinese (or English) names of places, trades, groups, periods and local times.

Staff read reports, the dashboard and CSV files in Excel: no county, market, trade or group code and no ISO week
code is shown where a name exists ("钟山区", "钟山区零工市场", "凉都电工", "11月16日—11月22日（第47周）").
Every function takes the language (``zh_CN`` or ``en``) and falls back to the code itself only for a code the
tables do not know. Times are Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

from services import clock, geography, trades
from services.fairs import quotas
from services.fairs.quotas import Period
from services.people import groups
from services.reports import periods

Lang = Literal["zh_CN", "en"]

CITY_NAME: Mapping[str, str] = {"zh_CN": "市本级", "en": "City level"}
TOTAL_NAME: Mapping[str, str] = {"zh_CN": "合计", "en": "Total"}
SOURCE_NAME: Mapping[str, Mapping[str, str]] = {
    "gig": {"zh_CN": "零工市场", "en": "Gig market"},
    "fair": {"zh_CN": "招聘会", "en": "Job fair"},
}
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
PERIOD_KIND_NAME: Mapping[str, Mapping[str, str]] = {
    "day": {"zh_CN": "日", "en": "Day"},
    "week": {"zh_CN": "周", "en": "Week"},
    "month": {"zh_CN": "月", "en": "Month"},
    "quarter": {"zh_CN": "季度", "en": "Quarter"},
}


def place_name(code: str, lang: Lang = "zh_CN") -> str:
    """The name of a county (``zhongshan`` → 钟山区), the city scope (``city`` → 市本级) or a market
    (``zs-market`` → 钟山区零工市场); an unknown code as it is."""
    county = geography.COUNTIES_BY_CODE.get(code)
    if county is not None:
        return county.name_zh if lang == "zh_CN" else county.name_en
    if code == quotas.CITY:
        return CITY_NAME[lang]
    market = geography.MARKETS_BY_ID.get(code)
    if market is not None:
        return market.name_zh if lang == "zh_CN" else market.name_en
    return code


def trade_name(code: str, lang: Lang = "zh_CN") -> str:
    """The trade's name (``electrician`` → 凉都电工)."""
    trade = trades.TRADES_BY_CODE.get(code)
    if trade is None:
        return code
    return trade.name_zh if lang == "zh_CN" else trade.name_en


def group_name(code: str, lang: Lang = "zh_CN") -> str:
    """The priority group's name (``returnee`` → 返乡人员)."""
    group = groups.GROUPS_BY_CODE.get(code)
    if group is None:
        return code
    return group.name_zh if lang == "zh_CN" else group.name_en


def key_name(dimension: str, key: str, lang: Lang = "zh_CN") -> str:
    """The name of a report row's key for its dimension (``total`` → 合计)."""
    if key == "total":
        return TOTAL_NAME[lang]
    if dimension == "trade":
        return trade_name(key, lang)
    if dimension == "group":
        return group_name(key, lang)
    return place_name(key, lang)


def _month_day(day: date, lang: Lang) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh_CN" else day.strftime("%-d %b")


def period_label(kind: periods.Kind, period: Period, lang: Lang = "zh_CN") -> str:
    """A period in words: ``11月26日（星期四）``, ``11月16日—11月22日（第47周）``, ``2026年11月``,
    ``2026年第4季度`` (English: ``Thu 26 Nov 2026``, ``16 Nov – 22 Nov 2026 (week 47)``, …)."""
    first, last = period.first_day, period.last_day
    if kind == "day":
        if lang == "zh_CN":
            return f"{first.year}年{_month_day(first, lang)}（{WEEKDAYS_ZH[first.weekday()]}）"
        return first.strftime("%a %-d %b %Y")
    if kind == "week":
        week = first.isocalendar()[1]
        if lang == "zh_CN":
            return f"{_month_day(first, lang)}—{_month_day(last, lang)}（第{week}周）"
        return f"{_month_day(first, lang)} – {_month_day(last, lang)} {last.year} (week {week})"
    if kind == "month":
        return f"{first.year}年{first.month}月" if lang == "zh_CN" else first.strftime("%B %Y")
    index = (first.month - 1) // 3 + 1
    return f"{first.year}年第{index}季度" if lang == "zh_CN" else f"Q{index} {first.year}"


def quota_period_label(code: str, lang: Lang = "zh_CN") -> str:
    """A quota board period code (``2026-W48`` or ``2026-11``) in words; an unknown code as it is."""
    for kind in ("week", "month"):
        try:
            return period_label(kind, periods.parse_period(kind, code), lang)
        except ValueError:
            continue
    return code


def local_hhmm(at: datetime) -> str:
    """``07:58``: the Asia/Shanghai wall-clock time of an aware instant."""
    local = at.astimezone(clock.ZONE)
    return f"{local.hour:02d}:{local.minute:02d}"


def recent_periods(kind: periods.Kind, today: date, count: int, lang: Lang = "zh_CN") -> list[dict[str, str]]:
    """The ``count`` periods of ``kind`` ending with the one holding ``today``, newest first, as
    ``{"code", "label"}`` for a period picker (``本周`` / ``上周`` / … named in words)."""
    out: list[dict[str, str]] = []
    period = periods.period_of(kind, today)
    relative = _RELATIVE[kind][lang]
    for n in range(count):
        label = period_label(kind, period, lang)
        if n < len(relative):
            label = f"{relative[n]} · {label}"
        out.append({"code": period.code, "label": label})
        period = periods.period_of(kind, period.first_day - timedelta(days=1))
    return out


_RELATIVE: Mapping[str, Mapping[str, Sequence[str]]] = {
    "day": {"zh_CN": ("今天", "昨天"), "en": ("Today", "Yesterday")},
    "week": {"zh_CN": ("本周", "上周"), "en": ("This week", "Last week")},
    "month": {"zh_CN": ("本月", "上月"), "en": ("This month", "Last month")},
    "quarter": {"zh_CN": ("本季度", "上季度"), "en": ("This quarter", "Last quarter")},
}

# ---------------------------------------------------------------- CSV rows

REPORT_HEADERS: Mapping[str, str] = {
    "checkins": "登记人次",
    "unique_workers": "登记人数",
    "requests": "用工需求（条）",
    "positions": "岗位数（个）",
    "offers": "派单（次）",
    "acceptances": "接受派单（次）",
    "placements": "上岗（人次）",
    "no_shows": "未到岗（人次）",
    "completed": "完工（人次）",
    "wages_paid": "已付工资（人次）",
    "fairs_held": "举办招聘会（场）",
    "attendance": "招聘会入场（人次）",
    "intents": "达成意向（人次）",
    "hires": "招聘会录用（人）",
    "fill_rate": "岗位满足率",
    "time_to_fill_p50": "补岗用时中位数（分钟）",
    "time_to_fill_p90": "补岗用时90%分位（分钟）",
    "wage_paid_rate": "工资支付率",
}
DIMENSION_HEADERS: Mapping[str, str] = {"county": "县（区）", "market": "零工市场", "trade": "工种", "group": "人群"}
RATES = ("fill_rate", "wage_paid_rate")
MINUTES = ("time_to_fill_p50", "time_to_fill_p90")


def _percent(value: Any) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}%"


def _minutes(value: Any) -> str:
    return "" if value is None else f"{round(int(value) / 60)}"


def report_table(answer: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """A report answer (:func:`services.reports.report.build`) as Chinese CSV headers and rows: the key by its
    name, rates in per cent, times to fill in minutes."""
    dimension = str(answer["by"])
    columns = [str(c) for c in answer["columns"]]
    headers = ["期间", DIMENSION_HEADERS[dimension], *(REPORT_HEADERS.get(c, c) for c in columns)]
    kind = periods.parse_kind(answer["period"]["kind"])
    label = period_label(kind, periods.parse_period(kind, answer["period"]["code"]))
    rows: list[dict[str, Any]] = []
    for row in answer["rows"]:
        out: dict[str, Any] = {"期间": label, DIMENSION_HEADERS[dimension]: key_name(dimension, str(row["key"]))}
        for column in columns:
            value = row.get(column)
            if column in RATES:
                value = _percent(value)
            elif column in MINUTES:
                value = _minutes(value)
            out[REPORT_HEADERS.get(column, column)] = value
        rows.append(out)
    return headers, rows


LIST_HEADERS: Mapping[str, str] = {
    "worker_masked": "身份证号（脱敏）",
    "county": "县（区）",
    "market_id": "最近登记的零工市场",
    "last_check_in": "最近登记日期",
    "trades": "工种",
    "groups": "人群",
    "willing_to_travel": "愿意异地就业",
    "placements": "上岗次数",
}


def _names(codes: Iterable[str], name: Any) -> str:
    return "、".join(name(c) for c in codes)


def list_table(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The "1+3" list rows with Chinese headers and names (county, market, trades, groups; 是 / 否)."""
    headers = list(LIST_HEADERS.values())
    out = []
    for row in rows:
        out.append(
            {
                LIST_HEADERS["worker_masked"]: row["worker_masked"],
                LIST_HEADERS["county"]: place_name(row["county"]),
                LIST_HEADERS["market_id"]: place_name(row["market_id"]),
                LIST_HEADERS["last_check_in"]: row["last_check_in"],
                LIST_HEADERS["trades"]: _names(row["trades"], trade_name),
                LIST_HEADERS["groups"]: _names(row["groups"], group_name),
                LIST_HEADERS["willing_to_travel"]: "是" if row["willing_to_travel"] else "否",
                LIST_HEADERS["placements"]: row["placements"],
            }
        )
    return headers, out


SUPPLY_HEADERS: Mapping[str, str] = {
    "source": "来源",
    "county": "县（区）",
    "where": "零工市场或招聘会",
    "employer": "用人单位",
    "trade_zh": "工种或岗位",
    "positions": "空缺人数（人）",
    "wage": "工资",
    "date": "日期",
    "time": "时间",
    "place": "地点",
}


def supply_table(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The supply list's rows with Chinese headers and names (零工市场 / 招聘会, 钟山区 / 市本级)."""
    headers = list(SUPPLY_HEADERS.values())
    out = []
    for row in rows:
        source = SOURCE_NAME.get(str(row["source"]), {}).get("zh_CN", str(row["source"]))
        named = {**row, "source": source, "county": place_name(str(row["county"]))}
        out.append({SUPPLY_HEADERS[c]: named.get(c) for c in SUPPLY_HEADERS})
    return headers, out
