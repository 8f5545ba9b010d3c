"""Employer pages: post a same-day job, then watch it fill live and mark a worker's no-show.

The page's script posts to the JSON API (``/api/v1/job-requests``, ``/api/v1/placements/{id}/no-show``)
with the page session and its CSRF header, like the kiosk (see :mod:`web.kiosk`); the API's validation and
screening messages come back per field and are shown beside the field that caused them.
Arrival, completion and "wage paid" are placement steps (``/api/v1/placements/{id}/steps``, added with these
pages: gateway/views/placement_steps.py, records.RecordPlacementStep).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from services import geography, trades
from web import i18n, placement_steps, wage_hints


def employer_messages(request: web.Request) -> dict[str, Any]:
    lang = i18n.language(request)
    _ = i18n.CATALOGUES[lang].gettext
    return {
        "lang": lang,
        **i18n.submit_messages(_),
        "required": _("请填写此项"),
        "status": {
            "open": _("招工中"),
            "filled": _("已招满"),
            "cancelled": _("已取消"),
            "expired": _("已过期"),
            "start_passed": _("开工时间已过，已停止派人"),
        },
        # a request's life on the clock (issue 23): closed at its start plus the grace, reopened on request
        "late": _("开工时间已过 {minutes} 分钟，已停止派人"),
        "late_hint": _("如果还需要人，可以把开工时间改为现在，继续派人。"),
        "reopen_confirm": _("开工时间将改为现在（约 {time}），继续派人。确认吗？"),
        "reopen_sent": _("已提交：开工时间改为现在，继续派人"),
        "reopened": _("已重新派人，开工时间改为 {start}（原定 {previous}）"),
        "no_show": _("未到岗"),
        "no_show_sent": _("已标记未到岗，将自动邀请下一位"),
        "placement": {"started": _("已接受"), "no_show": _("未到岗"), "request_cancelled": _("已取消")},
        "steps": {
            "arrived": _("已到岗"),
            "completed": _("已完工"),
            "wage_paid": _("已付工资"),
            "wage_received": _("工人已确认收到工资"),
        },
        "step_actions": {"arrived": _("标记到岗"), "completed": _("标记完工"), "wage_paid": _("标记已付工资")},
        "step_sent": _("已提交"),
        # offers that say when they end (issue 23): web/static/employer_offers.js
        "ticket": _("{n} 号"),
        "deadline": _("{t} 前答复（还剩 {m} 分 {s} 秒）"),
        "deadline_over": _("答复时间已到"),
        "outcome": {"expired": _("已过期"), "declined": _("已拒绝")},
        "next_offered": _("已邀请下一位：{n} 号"),
        "no_next": _("还没有邀请下一位"),
        "trades": {t.code: (t.name_zh if lang == "zh_CN" else t.name_en) for t in trades.TRADES},
        **placement_steps.step_messages(request),
    }


async def _render(request: web.Request, template: str, context: dict[str, Any]) -> web.Response:
    response = web.Response(content_type="text/html")
    context = {**context, "csrf_token": await sessions.csrf_token(request, response)}
    context.setdefault("messages", employer_messages(request))
    response.text = aiohttp_jinja2.render_string(template, request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def post_job_page(request: web.Request) -> web.Response:
    """``GET /employer``: the same-day job form."""
    principal = await sessions.page_principal(request, "employer")
    lang = i18n.language(request)
    messages = {**employer_messages(request), "minimum_wage": wage_hints.market_minimums(request, lang)}
    context = {
        "employer": principal,
        "markets": geography.MARKETS,
        "trades": trades.TRADES,
        "messages": messages,
        # the first market is the one selected when the page opens; employer.js follows the choice
        "minimum_wage_hint": wage_hints.day_hint(request, geography.MARKETS[0].county, lang),
    }
    return await _render(request, "employer.html", context)


async def job_request_page(request: web.Request) -> web.Response:
    """``GET /employer/requests/{request_id}``: the job, its fills live (the SSE stream checks ownership)."""
    principal = await sessions.page_principal(request, "employer")
    context = {
        "employer": principal,
        "request_id": request.match_info["request_id"],
        "server_now": placement_steps.server_now(request),
    }
    return await _render(request, "employer_request.html", context)
