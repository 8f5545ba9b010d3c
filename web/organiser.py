"""Organiser pages: the home page with the quota panel and the fairs; scheduling a fair; one fair's whole life
(publish, reschedule, cancel, booths with their positions) and the door (attendance by ID number or by the
worker's fair pass read from its QR code with the device camera, the employer's arrival, intents and hires).

The forms post to the fair JSON API (``/api/v1/fairs`` and ``/api/v1/fairs/{id}/…``) with the page session and
its CSRF header (see :mod:`web.kiosk` for the decision); the fair agent's verdict (``applied`` or ``refused``
with the rule) is then read from the command's status URL and shown beside the form. The pages only read read
models; county and trade codes are shown by their Chinese names, dates in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.middlewares import SECURITY_HEADERS
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import clock, geography, trades
from services.fairs import decide as fairs
from services.fairs import organiser_quota, quotas
from services.readmodels import fair_views
from services.readmodels.views import load, public
from web import i18n

WEEKDAYS_ZH = "一二三四五六日"
STATUS_ZH = {"scheduled": "未发布", "published": "已发布", "cancelled": "已取消"}
STATUS_EN = {"scheduled": "not published", "published": "published", "cancelled": "cancelled"}
LEVEL_ZH = {"county": "县级", "city": "市级"}
LEVEL_EN = {"county": "county level", "city": "city level"}


def organiser_messages(request: web.Request) -> dict[str, Any]:
    lang = i18n.language(request)
    _ = i18n.CATALOGUES[lang].gettext
    return {
        "lang": lang,
        **i18n.submit_messages(_),
        "waiting": _("已提交，等待处理结果…"),
        "applied": _("已记录"),
        "refused": _("未记录："),
        "attended": _("已到场"),
        "scan_start": _("打开摄像头扫码"),
        "scan_stop": _("关闭摄像头"),
        "scan_looking": _("请把求职者手机上的入场码对准摄像头"),
        "scan_read": _("已读到入场码，正在登记…"),
        "scan_no_camera": _("无法打开摄像头，请输入身份证号码登记"),
        "position_required": _("请至少填写一个岗位"),
        **i18n.id_number_messages(_),
    }


def local_day(day_iso: str, lang: str) -> str:
    """``2026-11-26`` as ``2026年11月26日（周四）`` (or ``Thu 26 Nov 2026``): the fair's local date."""
    day = date.fromisoformat(day_iso)
    if lang == "en":
        return f"{day:%a %-d %b %Y}"
    return f"{day.year}年{day.month}月{day.day}日（周{WEEKDAYS_ZH[day.weekday()]}）"


def county_name(code: str, lang: str) -> str:
    county = geography.COUNTIES_BY_CODE.get(code)
    if county is None:
        return code
    return county.name_en if lang == "en" else county.name_zh


def _describe(fair: dict[str, Any], lang: str) -> dict[str, Any]:
    """The words a page shows for a fair (index entry or view): local date, county, level, status."""
    en = lang == "en"
    kind = fairs.KINDS_BY_CODE.get(fair.get("kind", ""))
    status = "held" if fair.get("held") and fair["status"] != "cancelled" else fair["status"]
    held_zh, held_en = "已举办", "held"
    starts, ends = (datetime.fromisoformat(fair[k]).astimezone(clock.ZONE) for k in ("starts_at", "ends_at"))
    return {
        **fair,
        "start": f"{starts:%H:%M}",
        "end": f"{ends:%H:%M}",
        "day_text": local_day(fair["date"], lang),
        "county_text": county_name(fair["venue_county"], lang),
        "level_text": (LEVEL_EN if en else LEVEL_ZH).get(fair["level"], ""),
        "kind_text": (kind.name_en if en else kind.name_zh) if kind else "",
        "status_text": (held_en if en else held_zh) if status == "held" else (STATUS_EN if en else STATUS_ZH)[status],
        "status_code": status,
    }


#: The fair's page may use the device camera (the door scanner); every other page keeps it off.
CAMERA_POLICY = SECURITY_HEADERS["Permissions-Policy"].replace("camera=()", "camera=(self)")


async def _render(
    request: web.Request, template: str, context: dict[str, Any], *, camera: bool = False
) -> web.Response:
    response = web.Response(content_type="text/html")
    if camera:
        response.headers["Permissions-Policy"] = CAMERA_POLICY
    context = {**context, "csrf_token": await sessions.csrf_token(request, response)}
    context["messages"] = organiser_messages(request)
    response.text = aiohttp_jinja2.render_string(template, request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def fairs_page(request: web.Request) -> web.Response:
    """``GET /organiser``: the quota panel (the organiser's county, or every county, and the city; this week and
    this month) and the fairs, latest first."""
    principal = await sessions.page_principal(request, "organiser", "officer")
    prefix = request.app[SETTINGS].topic_prefix
    lang = i18n.language(request)
    values = await request.app[REDIS].mget([fair_views.fair_index_key(prefix, s) for s in quotas.SCOPES])
    indexes = {scope: load(raw) for scope, raw in zip(quotas.SCOPES, values, strict=True)}
    found = [
        _describe({**entry, "scope": scope}, lang)
        for scope, index in indexes.items()
        for entry in (index or {}).get("fairs", {}).values()
        if principal.county is None or scope in (principal.county, quotas.CITY)
    ]
    found.sort(key=lambda e: (e["starts_at"], e["fair_id"]), reverse=True)
    panel = organiser_quota.panel(indexes, principal.county, request.app[CLOCK]())
    context = {"organiser": principal, "fairs": found, "panel": panel, "lang": lang}
    return await _render(request, "organiser.html", context)


async def new_fair_page(request: web.Request) -> web.Response:
    """``GET /organiser/fairs/new``: the form to schedule a fair; an organiser bound to a county has it chosen."""
    principal = await sessions.page_principal(request, "organiser", "officer")
    lang = i18n.language(request)
    today = clock.local_date(request.app[CLOCK]())
    counties = [c for c in geography.COUNTIES if principal.county in (None, c.code)]
    context = {
        "organiser": principal,
        "lang": lang,
        "kinds": fairs.FAIR_KINDS,
        "counties": counties,
        "today": today.isoformat(),
        "city_allowed": principal.county is None,
    }
    return await _render(request, "organiser_new_fair.html", context)


async def fair_page(request: web.Request) -> web.Response:
    """``GET /organiser/fairs/{fair_id}``: the fair, its actions, its employers, and the door forms."""
    principal = await sessions.page_principal(request, "organiser", "officer")
    prefix = request.app[SETTINGS].topic_prefix
    lang = i18n.language(request)
    fair = public(load(await request.app[REDIS].get(fair_views.fair_key(prefix, request.match_info["fair_id"]))))
    if fair is None:
        raise ApiError(404, "fair_unknown", "没有找到该招聘会", "no such fair", field="fair_id")
    employers = sorted(fair.get("employers", {}).values(), key=lambda e: e.get("booth", ""))
    # the trades each employer offers at this fair: the hire and intent forms list only those
    offered = {e["employer_id"]: sorted({p["trade"] for p in e["positions"]}) for e in employers}
    trade_names = {code: (t.name_en if lang == "en" else t.name_zh) for code, t in trades.TRADES_BY_CODE.items()}
    context = {
        "organiser": principal,
        "fair": _describe(fair, lang),
        "employers": employers,
        "trades": trades.TRADES_BY_CODE,
        "trade_names": trade_names,
        "offered": offered,
        "lang": lang,
    }
    return await _render(request, "organiser_fair.html", context, camera=True)
