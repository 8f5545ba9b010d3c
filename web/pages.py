"""Page handlers. Chinese first, English second; they only read read models, never write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import live
from services import geography, trades
from services.readmodels import keys
from services.readmodels.views import load, public
from web import countdown, i18n

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

STATUS_TEXT = {
    "queued": ("排队等候中", "waiting in the queue"),
    "offered": ("有工作邀请，请尽快答复", "you have a job offer: please answer"),
    "placed": ("已接受工作", "job accepted"),
    "refused": ("登记未被受理", "check-in refused"),
    "paused": ("已暂停派工", "offers paused"),
}


def setup(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        extensions=["jinja2.ext.i18n"],
        context_processors=[i18n.context_processor, aiohttp_jinja2.request_processor],
    )
    env.install_null_translations(newstyle=False)  # type: ignore[attr-defined]  # per request: i18n.py
    app.middlewares.append(i18n.remember_language)
    app[live.STREAMS] = set()
    app.on_shutdown.append(live.close_streams)
    env.globals["trade_svg"] = lambda code: f"/static/trades/{code}.svg"
    env.globals["trade_name"] = lambda code: (
        trades.TRADES_BY_CODE[code].name_zh if code in trades.TRADES_BY_CODE else code
    )
    env.globals["status_text"] = lambda status: STATUS_TEXT.get(status, (status, status))


@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict[str, Any]:
    return {"markets": geography.MARKETS, "counties": {c.code: c for c in geography.COUNTIES}}


@aiohttp_jinja2.template("ticket.html")
async def ticket(request: web.Request) -> dict[str, Any]:
    prefix = request.app[SETTINGS].topic_prefix
    checkin_id = request.match_info["checkin_id"]
    view = public(load(await request.app[REDIS].get(keys.ticket(prefix, checkin_id))))
    now = request.app[CLOCK]()
    offer = (view or {}).get("offer") or {}
    deadline = countdown.deadline(offer["expires_at"], now) if offer.get("expires_at") else None
    return {"ticket": view, "checkin_id": checkin_id, "server_now": now.isoformat(), "deadline": deadline}
