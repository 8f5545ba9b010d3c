"""The hall screen: a television in the market's hall calls the ticket numbers that have an open offer.

Contract: ``GET /hall/{market_id}`` (public, read-only, laid out for 1920×1080) and its live feed
``GET /live/hall/{market_id}`` (server-sent events, :func:`gateway.views.live.stream_view`). The feed sends the
market's open offers (:func:`services.readmodels.kiosk_views.hall_board`) now and after every change the
projector announces for ``hall:<market>``: ticket number, trade, day wage (元/天) and start (local HH:MM) — never
a name, an employer or an ID number. The page chimes (WebAudio) and, where the browser has a zh-CN voice, reads
the number aloud (web/static/hall.js).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import live
from services import geography, trades
from services.readmodels import keys
from services.readmodels.kiosk_views import hall_board
from services.readmodels.views import View, load_fields


def _market(request: web.Request) -> geography.Market:
    market_id = request.match_info["market_id"]
    if market_id not in geography.MARKETS_BY_ID:
        raise web.HTTPNotFound(text="没有这个零工市场 · no such market")
    return geography.market(market_id)


async def hall_page(request: web.Request) -> web.Response:
    """``GET /hall/{market_id}``: the page; its script opens the feed."""
    market = _market(request)
    response = aiohttp_jinja2.render_template("hall.html", request, {"market": market})
    response.headers["Cache-Control"] = "no-store"
    return response


async def hall_stream(request: web.Request) -> web.StreamResponse:
    """``GET /live/hall/{market_id}``: ``{"offers": [...]}`` now and after every change."""
    market = _market(request)
    key = keys.hall(request.app[SETTINGS].topic_prefix, market.market_id)
    redis = request.app[REDIS]

    async def read() -> View | None:
        entries = load_fields(await redis.hgetall(key))
        return {"offers": [_shown(v) for v in hall_board(entries, request.app[CLOCK]())]}

    async def shown(view: View) -> View | None:
        return view

    return await live.stream_view(request, key, shown, read)


def _shown(entry: View) -> dict[str, Any]:
    trade = trades.TRADES_BY_CODE.get(entry["trade"])
    return {
        "offer_id": entry["offer_id"],
        "ticket_no": entry["ticket_no"],
        "trade": trade.name_zh if trade else entry["trade"],
        "day_wage": entry["day_wage"],
        "start": entry["start"],
    }
