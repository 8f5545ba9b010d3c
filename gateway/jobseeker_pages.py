"""The staff's pages of registered job seekers (issue 27): the county board and a person's page.

Read-only pages over the read models of :mod:`services.readmodels.jobseeker_views` (the actions are the JSON API's,
:mod:`gateway.views.jobseekers`). A county officer sees their county, the city administrator every county. Places by
their Chinese names, dates and times in Asia/Shanghai, the masked ID number only. Kept in ``gateway/`` (not
``web/``) because a page needs the page session, and the pages' imports into the gateway may only shrink
(``tests/unit/test_architecture.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import jobseeker_reports, jobseekers
from services import clock, geography, trades
from services.people import access
from services.readmodels import jobseeker_views
from services.readmodels.views import load, public
from services.reports import jobseekers as jobseeker_report
from services.reports import labels
from web import i18n

WEEKDAYS_ZH = "一二三四五六日"
#: zh, en of each code the pages show.
WORDS: dict[str, tuple[str, str]] = {
    "short": ("短期", "short-term"),
    "mid_short": ("中短期", "mid-short"),
    "mid_long": ("中长期", "mid-long"),
    "long": ("长期", "long-term"),
    "basic_skills": ("具备初级技能", "has basic skills"),
    "lacks_basic_skills": ("缺乏基本技能", "lacks basic skills"),
    "employment_difficulty": ("存在就业困难", "has difficulty finding work"),
    "unemployed": ("失业登记", "registered unemployed"),
    "job_seeking": ("求职登记", "job seeker"),
    "briefing": ("政策宣讲", "policy briefing"),
    "recommendation": ("岗位推荐", "job recommendation"),
    "guidance": ("职业指导", "career guidance"),
    "training": ("职业培训", "training"),
    "traineeship": ("就业见习", "traineeship"),
    "assistance": ("就业援助", "employment assistance"),
    "1311": ("“1311”服务", '"1311" services'),
    "awaiting": ("待办理", "awaiting staff"),
    "confirmed": ("已登记", "registered"),
    "refused": ("未予登记", "refused"),
    "ended": ("已结束", "ended"),
    "open": ("未完成", "open"),
    "met": ("已完成", "done"),
    "overdue": ("已逾期", "overdue"),
    "closed": ("已关闭", "closed"),
    "placed": ("已就业", "placed"),
    "moved_away": ("已迁出", "moved away"),
    "withdrawn": ("本人撤回", "withdrawn"),
    "kiosk": ("自助终端", "kiosk"),
    "phone": ("手机", "phone"),
    "staff": ("工作人员录入", "entered by staff"),
}
FACTS: dict[str, tuple[str, str]] = {
    "registration_applied": ("提交登记申请", "registration applied for"),
    "registration_confirmed": ("登记已确认", "registration confirmed"),
    "registration_refused": ("登记未通过", "registration refused"),
    "registration_handling_overdue": ("登记办理逾期", "registration not handled in time"),
    "registration_ended": ("登记结束", "registration ended"),
    "obligation_opened": ("服务项目开始计时", "service clock started"),
    "obligation_deadline_set": ("服务期限已确定", "deadline set"),
    "service_delivered": ("提供服务", "service delivered"),
    "obligation_met": ("服务项目完成", "service obligation met"),
    "obligation_overdue": ("服务项目逾期", "service obligation overdue"),
    "obligation_closed": ("服务项目关闭", "service obligation closed"),
    "grade_crossed": ("进入新的失业等级", "entered the next grade"),
}
WORDS.update(
    {
        "staff_phone": ("工作人员电话告知", "told by staff by phone"),
    }
)


def word(code: str | None, lang: str) -> str:
    """The Chinese (or English) word for a code; the code itself if unknown, empty for none."""
    if not code:
        return ""
    zh, en = WORDS.get(code, (code, code))
    return en if lang == "en" else zh


def day_text(day_iso: str | None, lang: str) -> str:
    """``2026-12-03`` as ``12月3日（周四）`` (``Thu 3 Dec``); empty for none."""
    if not day_iso:
        return ""
    day = date.fromisoformat(day_iso)
    if lang == "en":
        return f"{day:%a %-d %b %Y}"
    return f"{day.year}年{day.month}月{day.day}日（周{WEEKDAYS_ZH[day.weekday()]}）"


def time_text(instant_iso: str, lang: str) -> str:
    """An instant as the local date and time in Liupanshui."""
    local = datetime.fromisoformat(instant_iso).astimezone(clock.ZONE)
    return f"{day_text(local.date().isoformat(), lang)} {local:%H:%M}"


def _row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        **row,
        "grade_text": word(row.get("grade"), lang),
        "category_text": word(row.get("category"), lang),
        "service_text": word(row.get("service"), lang),
        "programme_text": word(row.get("programme"), lang),
        "due_text": day_text(row.get("due") or row.get("handling_due"), lang),
    }


async def _render(request: web.Request, template: str, context: dict[str, Any]) -> web.Response:
    response = web.Response(content_type="text/html")
    context = {**context, "csrf_token": await sessions.csrf_token(request, response)}
    response.text = aiohttp_jinja2.render_string(template, request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def board_page(request: web.Request) -> web.Response:
    """``GET /jobseekers``: per visible county, what is due today, overdue, done and awaiting staff."""
    principal = await sessions.page_principal(request, "officer")
    lang = i18n.language(request)
    counties = access.visible(principal.viewer, [c.code for c in geography.COUNTIES])
    prefix = request.app[SETTINGS].topic_prefix
    today = clock.local_date(request.app[CLOCK]())
    values = await request.app[REDIS].mget([jobseeker_views.board_key(prefix, c) for c in counties])
    boards = []
    for code, value in zip(counties, values, strict=True):
        board = jobseeker_views.compose_board(load(value), today)
        county = geography.COUNTIES_BY_CODE[code]
        sections = {k: [_row(r, lang) for r in board[k]] for k in ("due_today", "overdue", "awaiting", "done")}
        boards.append({"code": code, "name": county.name_en if lang == "en" else county.name_zh, **sections})
    context = {"staff": principal, "boards": boards, "today_text": day_text(today.isoformat(), lang), "lang": lang}
    return await _render(request, "jobseekers.html", context)


async def person_page(request: web.Request) -> web.Response:
    """``GET /jobseekers/{registration_id}``: a person's registration, grade, obligations and history (masked)."""
    principal = await sessions.page_principal(request, "officer")
    lang = i18n.language(request)
    prefix = request.app[SETTINGS].topic_prefix
    key = jobseeker_views.person_key(prefix, request.match_info["registration_id"])
    page = public(load(await request.app[REDIS].get(key)))
    if page is None:
        raise ApiError(404, "registration_unknown", "没有找到该登记", "no such registration", field="registration_id")
    if not access.may_read(principal.viewer, page["county"]):
        raise ApiError(403, "county_out_of_scope", "您的账号只能查看本县（市、区）的数据", "own county only")
    county = geography.COUNTIES_BY_CODE[page["county"]]
    obligations = sorted(
        (_row({**o, "status_text": word(o["status"], lang)}, lang) for o in page["obligations"].values()),
        key=lambda o: (o["programme"] != "1311", o["due"] or "9999", o["service"]),
    )
    history = [
        {
            "when": time_text(h["at"], lang),
            "what": FACTS.get(h["fact"], (h["fact"], h["fact"]))[1 if lang == "en" else 0],
            "detail": " ".join(
                word(h.get(k), lang)
                for k in ("service", "grade", "reason", "channel")
                if h.get(k) and h.get(k) != "staff"
            ),
        }
        for h in reversed(page["history"])
        if h["fact"] != "obligation_opened"
    ]
    trade_names = [
        (t.name_en if lang == "en" else t.name_zh) for t in (trades.TRADES_BY_CODE.get(c) for c in page["trades"]) if t
    ]
    recommendations = (
        [r.as_view() for r in await jobseekers.recommendations_for(request, page)]
        if page["status"] == "confirmed"
        else []
    )
    context = {
        "staff": principal,
        "lang": lang,
        "person": page,
        "recommendations": recommendations,
        "county_text": county.name_en if lang == "en" else county.name_zh,
        "kind_text": word(page["kind"], lang),
        "status_text": word(page["status"], lang),
        "grade_text": word(page.get("grade"), lang),
        "category_text": word(page["category"], lang),
        "channel_text": word(page["channel"], lang),
        "registered_text": day_text(page["registered_on"], lang),
        "handling_due_text": day_text(page.get("handling_due"), lang),
        "trades_text": "、".join(trade_names) if lang != "en" else ", ".join(trade_names),
        "obligations": obligations,
        "history": history,
    }
    return await _render(request, "jobseeker.html", context)


async def report_page(request: web.Request) -> web.Response:
    """``GET /jobseeker-report?year=&county=``: the reports of registered job seekers — by grade and category, the
    on-time rate of "1311" per county and month, placements toward the annual targets — with their CSV links."""
    principal = await sessions.page_principal(request, "officer")
    lang = i18n.language(request)
    words: labels.Lang = "en" if lang == "en" else "zh_CN"
    answer = await jobseeker_reports.load_answer(request, principal)
    tables = []
    for name, title in (
        ("grades", ("按等级和类别（现有登记人员）", "By grade and category (registered now)")),
        ("on_time_1311", ("“1311”服务按时完成率（按期限所在月）", '"1311" on-time rate (by month of the deadline)')),
        ("targets", ("登记人员就业与年度目标", "Registered people placed, toward the annual targets")),
    ):
        headers, rows = jobseeker_report.table(answer, name, words)
        shown = [h.split(" ", 1)[1 if lang == "en" else 0] for h in headers]
        query = f"table={name}&year={answer['year']}" + (f"&county={answer['county']}" if answer["county"] else "")
        tables.append(
            {
                "name": name,
                "title": title[1 if lang == "en" else 0],
                "headers": shown,
                "rows": [[row[h] for h in headers] for row in rows],
                "csv": f"/exports/jobseekers.csv?{query}",
            }
        )
    today = clock.local_date(request.app[CLOCK]())
    context = {
        "staff": principal,
        "lang": lang,
        "year": answer["year"],
        "years": list(range(today.year, today.year - 5, -1)),
        "county_text": labels.place_name(answer["county"], words) if answer["county"] else "",
        "as_of_text": f"{day_text(answer['today'], lang)} {answer['as_of_local']}",
        "tables": tables,
    }
    return await _render(request, "jobseeker_report.html", context)
