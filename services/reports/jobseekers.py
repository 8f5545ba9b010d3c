"""Reports of the public employment service (issue 27), from the county ledgers of registered job seekers
(``jobseeker-ledger:<county>``, :mod:`services.readmodels.jobseeker_views`). Pure: the caller loads the ledgers.

Three tables, each by county with a city total (``total``):

- **by grade and category** (四级三类): live confirmed registrations now, one row per county and grade — 短期,
  中短期, 中长期, 长期, and ``none`` for job seekers (求职登记, no grade) — with a column per category (具备初级技能,
  缺乏基本技能, 存在就业困难) and their total;
- **the on-time rate of "1311"** per county and month of its deadline (the 5th working day after confirmation):
  ``decided`` registrations are those whose four services are all met, or whose deadline has passed; ``on_time``
  those met in full by the end of the deadline's day; ``rate`` = on_time ÷ decided (4 decimals, ``None`` without
  any); ``pending``: deadline not passed and not all met. A registration ended before its deadline without being
  late (its obligations closed) is not counted; a deadline not yet known (calendar) has no month and is left
  out until it is set;
- **placements toward the annual targets**: registrations ended as ``placed`` in ``year`` (up to ``today``):
  再就业 (``reemployment_unemployed``): registered unemployed (失业登记); 困难人员就业 (``people_in_difficulty``):
  those with employment difficulty — category 存在就业困难, grade 长期 at the end, or one of the groups of
  employment assistance (:data:`DIFFICULTY_GROUPS`, 附件3 (六) 2 and 22).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from services.reports import labels

GRADES = ("short", "mid_short", "mid_long", "long", "none")
CATEGORIES = ("basic_skills", "lacks_basic_skills", "employment_difficulty")
TOTAL = "total"
#: 就业援助 (附件3 (六) 2): 零就业家庭, 低保家庭, 脱贫户, 大龄, 残疾, 长期失业.
DIFFICULTY_GROUPS = frozenset(
    {
        "zero_employment_family",
        "minimum_living_allowance",
        "poverty_alleviated",
        "older_worker",
        "disabled",
        "long_term_unemployed",
    }
)
TARGETS = ("reemployment_unemployed", "people_in_difficulty")


def _entries(ledgers: Mapping[str, dict[str, Any] | None], county: str | None) -> Iterable[tuple[str, dict[str, Any]]]:
    for code, ledger in sorted(ledgers.items()):
        if ledger is None or (county is not None and code != county):
            continue
        for entry in ledger.get("registrations", {}).values():
            yield code, entry


def by_grade_and_category(
    ledgers: Mapping[str, dict[str, Any] | None], county: str | None = None
) -> list[dict[str, Any]]:
    """Live confirmed registrations by county and grade, a column per category; every grade of every county in
    ``ledgers`` (zeros too), then the city's rows (county ``total``)."""
    counties = sorted(c for c in ledgers if county is None or c == county)
    cells: dict[tuple[str, str], dict[str, int]] = {
        (c, g): dict.fromkeys(CATEGORIES, 0) for c in [*counties, TOTAL] for g in GRADES
    }
    for code, entry in _entries(ledgers, county):
        if entry["status"] != "confirmed":
            continue
        grade = entry.get("grade") or "none"
        for where in (code, TOTAL):
            cells[(where, grade)][entry["category"]] += 1
    return [
        {"county": c, "grade": g, **cells[(c, g)], "total": sum(cells[(c, g)].values())}
        for c in [*counties, TOTAL]
        for g in GRADES
    ]


def on_time_1311(
    ledgers: Mapping[str, dict[str, Any] | None], today: date, year: int, county: str | None = None
) -> list[dict[str, Any]]:
    """The on-time rate of "1311" per county and month (``YYYY-MM``) of its deadline in ``year``, months with any
    deadline only, then the city's (county ``total``) for the same months."""
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for code, entry in _entries(ledgers, county):
        o = entry.get("o1311")
        if o is None or o.get("due") is None:
            continue
        due = date.fromisoformat(o["due"])
        if due.year != year:
            continue
        month = due.isoformat()[:7]
        all_met = o["met"] >= o["count"]
        if o["closed"] and not o["overdue"]:
            continue  # ended before it was late: no longer owed
        for where in (code, TOTAL):
            cell = cells.setdefault((where, month), {"decided": 0, "on_time": 0, "pending": 0})
            if all_met or due < today:
                cell["decided"] += 1
                cell["on_time"] += int(o["met_on_time"] >= o["count"])
            else:
                cell["pending"] += 1
    rows = []
    for (where, month), cell in sorted(cells.items(), key=lambda kv: (kv[0][0] == TOTAL, kv[0])):
        decided = cell["decided"]
        rate = round(cell["on_time"] / decided, 4) if decided else None
        rows.append({"county": where, "month": month, **cell, "late": decided - cell["on_time"], "rate": rate})
    return rows


def difficulty(entry: Mapping[str, Any]) -> bool:
    """Whether a registered person counts toward 困难人员就业."""
    return (
        entry["category"] == "employment_difficulty"
        or entry.get("grade") == "long"
        or bool(DIFFICULTY_GROUPS & set(entry.get("groups") or ()))
    )


def target_progress(
    ledgers: Mapping[str, dict[str, Any] | None],
    targets: Mapping[str, int],
    today: date,
    year: int,
    county: str | None = None,
) -> list[dict[str, Any]]:
    """Registered people placed in ``year`` (up to ``today``), against the annual targets."""
    placed = dict.fromkeys(TARGETS, 0)
    first, last = date(year, 1, 1).isoformat(), min(date(year, 12, 31), today).isoformat()
    for _, entry in _entries(ledgers, county):
        ended = entry.get("ended_on")
        if entry["status"] != "ended" or entry.get("end_reason") != "placed" or not ended:
            continue
        if not first <= ended <= last:
            continue
        if entry["kind"] == "unemployed":
            placed["reemployment_unemployed"] += 1
        if difficulty(entry):
            placed["people_in_difficulty"] += 1
    out = []
    for name in TARGETS:
        target = targets.get(name, 0)
        out.append(
            {
                "target": name,
                "year": year,
                "actual": placed[name],
                "annual_target": target,
                "share": round(placed[name] / target, 4) if target else None,
            }
        )
    return out


def build(
    ledgers: Mapping[str, dict[str, Any] | None],
    *,
    today: date,
    year: int,
    targets: Mapping[str, int],
    county: str | None = None,
) -> dict[str, Any]:
    """The three tables for ``county`` (``None``: every county and the city)."""
    return {
        "county": county,
        "today": today.isoformat(),
        "year": year,
        "grades": by_grade_and_category(ledgers, county),
        "on_time_1311": on_time_1311(ledgers, today, year, county),
        "targets": target_progress(ledgers, targets, today, year, county),
    }


# ---------------------------------------------------------------- words for staff (pages and CSV)

GRADE_NAMES: Mapping[str, tuple[str, str]] = {
    "short": ("短期失业", "short-term"),
    "mid_short": ("中短期失业", "mid-short"),
    "mid_long": ("中长期失业", "mid-long"),
    "long": ("长期失业", "long-term"),
    "none": ("求职登记（无等级）", "job seekers (no grade)"),
}
CATEGORY_NAMES: Mapping[str, tuple[str, str]] = {
    "basic_skills": ("具备初级技能", "basic skills"),
    "lacks_basic_skills": ("缺乏基本技能", "lacks basic skills"),
    "employment_difficulty": ("存在就业困难", "employment difficulty"),
    "total": ("合计", "total"),
}
TARGET_NAMES: Mapping[str, tuple[str, str]] = {
    "reemployment_unemployed": ("失业人员再就业", "re-employment of the unemployed"),
    "people_in_difficulty": ("就业困难人员就业", "employment of people in difficulty"),
}
TABLES = ("grades", "on_time_1311", "targets")


def _pick(pair: tuple[str, str], lang: labels.Lang) -> str:
    return pair[1] if lang == "en" else pair[0]


def _place(code: str, lang: labels.Lang) -> str:
    return labels.TOTAL_NAME[lang] if code == TOTAL else labels.place_name(code, lang)


def month_name(month: str, lang: labels.Lang) -> str:
    """``2026-10`` as ``2026年10月`` (``Oct 2026``)."""
    day = date.fromisoformat(f"{month}-01")
    return f"{day:%b %Y}" if lang == "en" else f"{day.year}年{day.month}月"


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def table(answer: Mapping[str, Any], name: str, lang: labels.Lang = "zh_CN") -> tuple[list[str], list[dict[str, Any]]]:
    """One of :data:`TABLES` as headers and rows of words (place, grade, category, month names; rates in %),
    for the page and the CSV export (headers Chinese and English)."""
    if name == "grades":
        columns = [CATEGORY_NAMES[c] for c in (*CATEGORIES, "total")]
        headers = ["区县 county", "等级 grade", *(f"{z} {e}" for z, e in columns)]
        rows = [
            dict(
                zip(
                    headers,
                    [
                        _place(r["county"], lang),
                        _pick(GRADE_NAMES[r["grade"]], lang),
                        *(r[c] for c in (*CATEGORIES, "total")),
                    ],
                    strict=True,
                )
            )
            for r in answer["grades"]
        ]
        return headers, rows
    if name == "on_time_1311":
        headers = [
            "区县 county",
            "月份（期限所在月） month of the deadline",
            "已到期 decided",
            "按时完成 on time",
            "逾期 late",
            "未到期 pending",
            "按时率 on-time rate",
        ]
        rows = [
            dict(
                zip(
                    headers,
                    [
                        _place(r["county"], lang),
                        month_name(r["month"], lang),
                        r["decided"],
                        r["on_time"],
                        r["late"],
                        r["pending"],
                        _percent(r["rate"]),
                    ],
                    strict=True,
                )
            )
            for r in answer["on_time_1311"]
        ]
        return headers, rows
    headers = ["目标 target", "年度 year", "已就业登记人员 placed", "年度目标 annual target", "完成率 share"]
    rows = [
        dict(
            zip(
                headers,
                [
                    _pick(TARGET_NAMES[r["target"]], lang),
                    r["year"],
                    r["actual"],
                    r["annual_target"],
                    _percent(r["share"]),
                ],
                strict=True,
            )
        )
        for r in answer["targets"]
    ]
    return headers, rows
