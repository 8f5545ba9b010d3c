"""Organiser pages: the fairs, one fair's employers with booths and positions, and the door: attendance
(ID number, checked in the browser too), intents and hires.

The forms post to the fair JSON API (``/api/v1/fairs/{id}/attendance|employer-attendance|intents|hires``)
with the page session and its CSRF header (see :mod:`web.kiosk` for the decision); the fair agent's verdict
(``applied`` or ``refused`` with the rule) is then read from the command's status URL and shown beside the
form. The pages only read read models.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.problems import ApiError
from gateway.typedefs import REDIS, SETTINGS
from services import quotas, trades
from services.readmodels import fair_views
from services.readmodels.views import load, public
from web import i18n


def organiser_messages(request: web.Request) -> dict[str, Any]:
    lang = i18n.language(request)
    _ = i18n.CATALOGUES[lang].gettext
    return {
        "lang": lang,
        **i18n.submit_messages(_),
        "waiting": _("已提交，等待处理结果…"),
        "applied": _("已记录"),
        "refused": _("未记录："),
        **i18n.id_number_messages(_),
    }


async def _render(request: web.Request, template: str, context: dict[str, Any]) -> web.Response:
    response = web.Response(content_type="text/html")
    context = {**context, "csrf_token": await sessions.csrf_token(request, response)}
    context["messages"] = organiser_messages(request)
    response.text = aiohttp_jinja2.render_string(template, request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def fairs_page(request: web.Request) -> web.Response:
    """``GET /organiser``: every fair, by start."""
    principal = await sessions.page_principal(request, "organiser", "officer")
    prefix = request.app[SETTINGS].topic_prefix
    values = await request.app[REDIS].mget([fair_views.fair_index_key(prefix, s) for s in quotas.SCOPES])
    found = [entry for raw in values for entry in ((load(raw) or {}).get("fairs", {}).values())]
    found.sort(key=lambda e: (e["starts_at"], e["fair_id"]), reverse=True)
    return await _render(request, "organiser.html", {"organiser": principal, "fairs": found})


async def fair_page(request: web.Request) -> web.Response:
    """``GET /organiser/fairs/{fair_id}``: the fair, its employers, and the door forms."""
    principal = await sessions.page_principal(request, "organiser", "officer")
    prefix = request.app[SETTINGS].topic_prefix
    fair = public(load(await request.app[REDIS].get(fair_views.fair_key(prefix, request.match_info["fair_id"]))))
    if fair is None:
        raise ApiError(404, "fair_unknown", "没有找到该招聘会", "no such fair", field="fair_id")
    employers = sorted(fair.get("employers", {}).values(), key=lambda e: e.get("booth", ""))
    context = {"organiser": principal, "fair": fair, "employers": employers, "trades": trades.TRADES_BY_CODE}
    return await _render(request, "organiser_fair.html", context)
