"""Employer pages: register, post a same-day job, then watch it fill live and mark a worker's no-show; "我的用工"
lists today's and the last seven days' requests (issue 24), from each the request page, "post again" (the form
prefilled from it, for today), a headcount change and a cancel (two taps each).

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
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import clock, geography, trades
from services.readmodels import keys
from services.readmodels.views import load, public
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
        # every step answered in words (issue 24): web/static/employer_request.js fills {who}, {time}, {wage}
        "step_done": {
            "arrived": _("已确认 {who} 于 {time} 到岗"),
            "arrived_completed": _("已确认 {who} 到岗并于 {time} 完工"),
            "completed": _("已确认 {who} 于 {time} 完工"),
            "wage_paid": _("已确认于 {time} 向 {who} 付清工资 {wage} 元"),
            "no_show": _("已标记 {who} 未到岗（{time}），将自动邀请下一位"),
        },
        "wage_unit": _("{wage} 元/天"),
        "start_hours": _("{start} 开工，干 {hours} 小时"),
        "headcount_sent": _("已提交：招工人数改为 {n} 人"),
        "headcount_done": _("招工人数已改为 {n} 人（原来 {previous} 人）"),
        "headcount_question": _("确认把招工人数改为 {n} 人？"),
        "cancel_question_none": _("确认取消这条招工？取消后不再给您派人。"),
        "cancel_question_some": _("确认取消这条招工？已接受的 {n} 位工人会收到取消通知，回到排队中原来的位置。"),
        "cancel_sent": _("已提交取消"),
        "cancelled_done": _("这条招工已取消，不再派人"),
        # offers that say when they end (issue 23): web/static/employer_offers.js
        "ticket": _("{n} 号"),
        "deadline": _("{t} 前答复（还剩 {m} 分 {s} 秒）"),
        "deadline_over": _("答复时间已到"),
        "outcome": {"expired": _("已过期"), "declined": _("已拒绝")},
        "next_offered": _("已邀请下一位：{n} 号"),
        "no_next": _("还没有邀请下一位"),
        "trades": {t.code: (t.name_zh if lang == "zh_CN" else t.name_en) for t in trades.TRADES},
        **placement_steps.step_messages(request),
        # issue 28: what an employer sees of a worker's record (a count, never who)
        "completed_30": _("近 30 天完工 {n} 次"),
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
        "again": await _again(request, principal.subject_id),
        "nav": "post",
    }
    return await _render(request, "employer.html", context)


async def job_request_page(request: web.Request) -> web.Response:
    """``GET /employer/requests/{request_id}``: the job, its fills live (the SSE stream checks ownership)."""
    principal = await sessions.page_principal(request, "employer")
    context = {
        "employer": principal,
        "request_id": request.match_info["request_id"],
        "server_now": placement_steps.server_now(request),
        "nav": "request",
    }
    return await _render(request, "employer_request.html", context)


#: The request states in words on "我的用工" and the request page (a request of an earlier day still open or
#: filled in its view ended with that day).
def state_words(_: Any) -> dict[str, str]:
    return {
        "open": _("招工中"),
        "filled": _("已招满"),
        "cancelled": _("已取消"),
        "expired": _("已结束"),
        "start_passed": _("已过开工时间"),
        "ended": _("已结束"),
    }


def _day_label(day: str, today: str, _: Any) -> str:
    if day == today:
        return str(_("今天"))
    _year, m, d = (int(x) for x in day.split("-"))
    return str(_("{m}月{d}日")).format(m=m, d=d)


async def requests_page(request: web.Request) -> web.Response:
    """``GET /employer/requests`` ("我的用工"): the employer's requests of today and the seven days before, newest
    first, each with its state in words, its fill, its wage with the unit and a link to its page."""
    principal = await sessions.page_principal(request, "employer")
    lang = i18n.language(request)
    _ = i18n.CATALOGUES[lang].gettext
    redis = request.app[REDIS]
    prefix = request.app[SETTINGS].topic_prefix
    listing = load(await redis.get(keys.employer_requests(prefix, principal.subject_id))) or {}
    entries = listing.get("requests", [])
    raw = await redis.mget([keys.job_request(prefix, e["request_id"]) for e in entries]) if entries else []
    today = clock.local_date(request.app[CLOCK]()).isoformat()
    words = state_words(_)
    rows = []
    for entry, value in zip(entries, raw, strict=True):
        view = public(load(value))
        if view is None:
            continue
        status = view.get("status", "open")
        if entry["date"] != today and status in ("open", "filled"):
            status = "ended"
        trade = trades.trade(view["trade"]) if view.get("trade") else None
        market = geography.MARKETS_BY_ID.get(view.get("market_id", ""))
        rows.append(
            {
                "request_id": entry["request_id"],
                "day": _day_label(entry["date"], today, _),
                "today": entry["date"] == today,
                "trade": (trade.name_zh if lang == "zh_CN" else trade.name_en) if trade else "",
                "market": (market.name_zh if lang == "zh_CN" else market.name_en) if market else "",
                "start": view.get("start", ""),
                "hours": view.get("hours", ""),
                "wage": str(_("{wage} 元/天")).format(wage=view.get("day_wage", "")),
                "accepted": len(view.get("accepted", [])),
                "headcount": view.get("headcount", 0),
                "status": status,
                "state": words.get(status, status),
                "place": view.get("place", ""),
            }
        )
    context = {"employer": principal, "rows": rows, "nav": "requests"}
    return await _render(request, "employer_requests.html", context)


async def register_page(request: web.Request) -> web.Response:
    """``GET /employer/register``: a company registers by its unified social credit code, an individual by an ID
    number; the page posts to ``POST /api/v1/employers`` (never through the outbox: the ID number is not kept on
    the device) and shows each refusal beside its field, then leads to sign-in."""
    lang = i18n.language(request)
    _ = i18n.CATALOGUES[lang].gettext
    messages = {
        "lang": lang,
        **i18n.submit_messages(_),
        **i18n.id_number_messages(_),
        "registered": _("注册成功，请用刚才的登录名和密码登录"),
        "taken": _("该单位或个人已经注册过，请直接登录"),
    }
    return await _render(request, "employer_register.html", {"messages": messages, "nav": "register"})


async def _again(request: web.Request, employer_id: str) -> dict[str, Any] | None:
    """The fields of the employer's own request ``?again=<id>`` to prefill the form ("再发一条"), else None."""
    request_id = request.query.get("again", "")
    if not request_id or len(request_id) > 100:
        return None
    view = public(load(await request.app[REDIS].get(keys.job_request(request.app[SETTINGS].topic_prefix, request_id))))
    if view is None or view.get("employer_id") != employer_id:
        return None
    return {k: view.get(k) for k in ("market_id", "trade", "headcount", "day_wage", "start", "hours", "place")}
