"""The printed ticket: a page for a 58 mm or 80 mm receipt printer, printed from the kiosk.

Contract: ``GET /kiosk/tickets/{checkin_id}/print?paper=58|80`` (kiosk session; a check-in of its market, else
404; without ``paper``, the setting ``kiosk_receipt_paper_mm``): the local date, market, ticket number, trades,
the worker's minimum day wage, the masked ID, and the QR code of a phone link (:func:`web.worker_link.issue`,
valid for the rest of the day on the first phone that opens it).
The page's CSS (web/static/ticket_print.css) sets ``@page`` to the paper's width; its script prints at once and
goes back to the kiosk's start screen. Nothing but the check-in's own ticket is on it.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import clock, geography, trades
from services.readmodels import keys
from services.readmodels.views import load
from web import worker_link

PAPERS = ("58", "80")


async def print_ticket(request: web.Request) -> web.Response:
    """``GET /kiosk/tickets/{checkin_id}/print``."""
    principal = await sessions.page_principal(request, "kiosk")
    checkin_id = request.match_info["checkin_id"]
    ticket = load(await request.app[REDIS].get(keys.ticket(request.app[SETTINGS].topic_prefix, checkin_id)))
    if ticket is None or ticket.get("market_id") != principal.market_id or "ticket_no" not in ticket:
        raise ApiError(404, "checkin_unknown", "没有找到这次登记", "no such check-in", field="checkin_id")
    default = str(request.app[SETTINGS].kiosk_receipt_paper_mm)
    paper = request.query.get("paper", default)
    paper = paper if paper in PAPERS else (default if default in PAPERS else "58")
    link = await worker_link.issue(request, principal, checkin_id)
    day = clock.local_date(request.app[CLOCK]())
    context = {
        "paper": paper,
        "market": geography.market(ticket["market_id"]),
        "date": f"{day.year}年{day.month}月{day.day}日",
        "ticket": ticket,
        "trades": [trades.TRADES_BY_CODE[t].name_zh for t in ticket.get("trades", []) if t in trades.TRADES_BY_CODE],
        "qr": link["qr"],
    }
    response = aiohttp_jinja2.render_template("ticket_print.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response
