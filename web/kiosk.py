"""The kiosk page (gig market): a device signed in once with its kiosk access key; the session is bound to
its market (the principal's ``market_id``).

How the page talks to the API (decision): the kiosk's script posts to the same JSON API as every other
client (``/api/v1/checkins``, ``/api/v1/offers/{id}/answer``), authenticated by the page session cookie plus
the session's CSRF token in the ``X-CSRF-Token`` header (:func:`gateway.auth.authenticate`). So the command
code, validation and the Idempotency-Key guarantee are the API's own — one path, not a second one for pages —
and the offline outbox (web/static/outbox.js) can replay a submission with its key until it is delivered.
The offer appears live over server-sent events (:mod:`gateway.views.live`).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.bodies import decode_json
from services import geography, trades
from web import i18n, wage_hints, worker_link

#: Seconds without a touch before the kiosk goes back to its start screen (``?idle=`` may shorten it).
IDLE_SECONDS = 120


def kiosk_messages(request: web.Request) -> dict[str, Any]:
    """The strings kiosk.js shows, in the request's language."""
    lang = i18n.language(request)
    _ = i18n.CATALOGUES[lang].gettext
    return {
        "lang": lang,
        **i18n.id_number_messages(_),
        "trades_required": _("请至少选择一个工种"),
        "wage_required": _("请填写最低日工资"),
        "hours_required": _("请填写可工作时间"),
        **i18n.submit_messages(_),
        "queued_offline": _("网络不通：登记已保存在本机，网络恢复后自动提交"),
        "processing": _("正在处理您的登记…"),
        "accepted": _("您已接受这份工作，请按时到达"),
        "declined": _("您已拒绝，继续排队"),
        "yuan": _("元"),
        "hours": _("小时"),
        "status": {
            "queued": _("排队等候中，有工作会在这里显示"),
            "offered": _("有工作邀请，请尽快答复"),
            "placed": _("已接受工作"),
            "left": _("已离开队伍"),
            "paused": _("已暂停派工：两次没有答复邀请"),
        },
        "trades": {t.code: (t.name_zh if lang == "zh_CN" else t.name_en) for t in trades.TRADES},
        "steps": {
            "arrived": _("已到岗"),
            "completed": _("已完工"),
            "wage_paid": _("用工单位已付工资"),
            "wage_received": _("已确认收到工资"),
        },
        "confirm_wage": _("确认已收到工资"),
        # offers that say when they end (issue 23)
        "countdown": _("请在 {m} 分 {s} 秒内答复（{t} 前）"),
        "countdown_over": _("答复时间已到"),
        "still_queued": _("您仍在排队，有新工作会再通知您"),
        "paused": _("您已两次没有答复工作邀请，暂停派工。还要找工作，请点“我还在等工作”"),
        "still_waiting_sent": _("已确认，您继续排队等工作"),
        "step_sent": _("已提交"),
        "ahead": _("前面还有 {n} 人在等（会做同样工种、优先或更早登记的人）"),
        "ahead_none": _("前面没有人了，有合适的工作会马上邀请您"),
        "waiting_total": _("本市场现在有 {n} 人在等候"),
        "lookup_failed": _("查询失败，请重试或到服务台询问"),
        "already_here": _("您今天已在本市场登记，这是您的登记，不用重新排队"),
    }


async def kiosk(request: web.Request) -> web.Response:
    """``GET /kiosk`` (kiosk session): the whole check-in flow on one page."""
    principal = await sessions.page_principal(request, "kiosk")
    market = geography.market(principal.market_id or "")
    response = web.Response(content_type="text/html")
    token = await sessions.csrf_token(request, response)
    try:
        idle = max(2, min(600, int(request.query.get("idle", IDLE_SECONDS))))
    except ValueError:
        idle = IDLE_SECONDS
    context = {
        "csrf_token": token,
        "market": market,
        "trades": trades.TRADES,
        "idle_seconds": idle,
        "messages": kiosk_messages(request),
        "minimum_wage_hint": wage_hints.day_hint(request, market.county, i18n.language(request)),
    }
    response.text = aiohttp_jinja2.render_string("kiosk.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def phone_link(request: web.Request) -> web.Response:
    """``POST /kiosk/phone-link`` (kiosk session + X-CSRF-Token) ``{"checkin_id": ...}``: a link (and its QR code
    as an SVG data URI) that signs the worker's phone in to this check-in, for the day, on the first phone that
    opens it (:mod:`web.worker_link`)."""
    principal = await sessions.page_principal(request, "kiosk")
    body = decode_json(await request.read())
    await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get("X-CSRF-Token", "")})
    checkin_id = str(body.get("checkin_id", "")) if isinstance(body, dict) else ""
    link = await worker_link.issue(request, principal, checkin_id)
    return web.json_response(link)
