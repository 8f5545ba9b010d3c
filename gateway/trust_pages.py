"""The staff's queue of complaints and wage disputes (issue 28): ``GET /cases``.

A county officer sees their county's cases only, the city administrator every county: awaiting a first response
first (overdue marked), then upheld wage cases awaiting settlement, then resolved ones. Each case shows its
evidence (the placement's steps with their local times), the employer's answer and its history; the actions are
the JSON API's (``/api/v1/cases/{id}/actions``, web/static/cases.js). Places by their Chinese names, times in
Asia/Shanghai, the masked ID number only. Kept in ``gateway/`` (as gateway/jobseeker_pages.py) because a page
needs the page session.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from gateway import sessions
from gateway.jobseeker_pages import _render, day_text, time_text
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from services import clock, geography, trades
from services.people import access
from services.readmodels import trust_views as tv
from services.readmodels.views import load
from services.trust import records as tr
from web import i18n

STATES: dict[str, tuple[str, str]] = {
    "open": ("待处理", "awaiting staff"),
    "upheld": ("已认定属实，待解决", "upheld, awaiting settlement"),
    "resolved": ("已处理完毕", "resolved"),
}
STEPS: dict[str, tuple[str, str]] = {
    "arrived": ("到岗", "arrived"),
    "completed": ("完工", "completed"),
    "wage_paid": ("已付工资", "wage paid"),
    "wage_received": ("已收到工资", "wage received"),
}
HISTORY: dict[str, tuple[str, str]] = {
    "opened": ("工人报告", "reported by the worker"),
    "answered": ("用人单位答复", "employer answered"),
    "responded": ("工作人员答复", "staff responded"),
    "upheld": ("认定属实", "upheld"),
    "rejected": ("认定不属实", "rejected"),
    "resolved": ("已解决", "resolved"),
    "overdue": ("超过答复时限", "first response overdue"),
}


def _pick(words: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    zh, en = words.get(code, (code, code))
    return en if lang == "en" else zh


def _last_day(due: str | None, lang: str) -> str:
    """The last day of a due time (the local midnight ending it): "2026年11月27日（周五）" for 11-28 00:00."""
    if not due:
        return ""
    last = (datetime.fromisoformat(due) - timedelta(seconds=1)).astimezone(clock.ZONE).date()
    return day_text(last.isoformat(), lang)


def _case(row: dict[str, Any], case: dict[str, Any] | None, lang: str) -> dict[str, Any]:
    placement = (case or {}).get("placement", {})
    market = geography.MARKETS_BY_ID.get(row.get("market_id", ""))
    trade = trades.TRADES_BY_CODE.get(row.get("trade", ""))
    return {
        **row,
        "kind_text": tr.KIND_EN[row["kind"]] if lang == "en" else tr.KIND_ZH[row["kind"]],
        "state_text": _pick(STATES, row["state"], lang),
        "market_text": (market.name_en if lang == "en" else market.name_zh) if market else "",
        "trade_text": (trade.name_en if lang == "en" else trade.name_zh) if trade else row.get("trade", ""),
        "day_text": day_text(row.get("day"), lang),
        "start_text": clock.format_hhmm(int(placement.get("start", 0))),
        "hours": placement.get("hours", 0),
        "opened_text": time_text(row["opened_at"], lang),
        "due_text": _last_day(row.get("first_response_due"), lang),
        "answer": (case or {}).get("answer", ""),
        "evidence": [
            {"step": _pick(STEPS, s["step"], lang), "when": time_text(s["at"], lang) if s.get("at") else ""}
            for s in placement.get("steps", [])
        ],
        "cancelled": placement.get("cancelled", ""),
        "history": [
            {"when": time_text(h["at"], lang), "what": _pick(HISTORY, h["what"], lang), "note": h.get("note", "")}
            for h in (case or {}).get("history", [])
        ],
    }


async def cases_page(request: web.Request) -> web.Response:
    """``GET /cases``: the queue of every county the officer may see."""
    principal = await sessions.page_principal(request, "officer")
    lang = i18n.language(request)
    counties = access.visible(principal.viewer, [c.code for c in geography.COUNTIES])
    prefix = request.app[SETTINGS].topic_prefix
    now = request.app[CLOCK]()
    redis = request.app[REDIS]
    queues = []
    for code, value in zip(counties, await redis.mget([tv.queue_key(prefix, c) for c in counties]), strict=True):
        rows = tv.queue_rows(load(value), now.isoformat())
        cases = await redis.mget([tv.case_key(prefix, r["case_id"]) for r in rows]) if rows else []
        shown = [_case(r, load(c), lang) for r, c in zip(rows, cases, strict=True)]
        county = geography.COUNTIES_BY_CODE[code]
        queues.append(
            {
                "code": code,
                "name": county.name_en if lang == "en" else county.name_zh,
                "cases": shown,
                "open": sum(1 for c in shown if c["state"] == "open"),
                "overdue": sum(1 for c in shown if c["state"] != "resolved" and c["overdue"]),
            }
        )
    # a county without cases is listed only for the staff of that county (the admin sees the counties with any)
    queues = [q for q in queues if q["cases"] or len(counties) == 1]
    context = {"staff": principal, "lang": lang, "queues": queues, "now_text": time_text(now.isoformat(), lang)}
    return await _render(request, "cases.html", context)
