""" "Why not me?": the answer staff give a worker, computed from the read models with the matcher's own rules.

:func:`explain` rebuilds the worker and the request from their views and asks
:func:`services.market.eligibility.why_not` — the same function the market agent uses — which rule fails first.
Jobs the worker accepted at another market earlier today are not in this market's views, so "busy" is
judged on this market's jobs only; the market agent itself also knows the others.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from services.clock import parse_hhmm
from services.market.eligibility import REASONS, why_not
from services.readmodels.views import View

_STATUS = {
    "queued": "waiting",
    "placed": "waiting",
    "offered": "offered",
    "paused": "paused",
    "left": "left",
    "refused": "left",
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Worker:
    status: str
    trades: tuple[str, ...]
    certificates: tuple[str, ...]
    min_day_wage: int
    available_from: int
    available_until: int
    busy: tuple[tuple[int, int], ...]
    passed_requests: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class _Request:
    request_id: str
    status: str
    trade: str
    certificate_required: bool
    day_wage: int
    start: int
    hours: int


def explain(ticket: View, request: View, placed: list[View]) -> dict[str, Any]:
    """The first rule that keeps the worker of ``ticket`` from ``request``, and who was offered it, and why.

    ``placed``: the ticket views of the workers who hold or accepted the request's offers.
    """
    offered_here = (ticket.get("offer") or {}).get("request_id") == request.get("request_id")
    worker = _Worker(
        status="waiting" if offered_here else _STATUS.get(ticket.get("status", ""), "left"),
        trades=tuple(ticket.get("trades", ())),
        certificates=tuple(ticket.get("certificates", ())),
        min_day_wage=int(ticket.get("min_day_wage", 0)),
        available_from=int(ticket.get("available_minutes", [0, 0])[0]),
        available_until=int(ticket.get("available_minutes", [0, 0])[1]),
        busy=tuple(
            (parse_hhmm(j["start"], "start"), parse_hhmm(j["start"], "start") + int(j["hours"]) * 60)
            for j in ticket.get("jobs", [])
            if j.get("status") == "started" and j.get("request_id") != request.get("request_id")
        ),
        passed_requests=tuple(p["request_id"] for p in ticket.get("past_offers", []) if "request_id" in p),
    )
    job = _Request(
        request_id=str(request.get("request_id")),
        # A filled request is judged as if open: the question is whether the worker qualified, and who came first.
        status="open" if request.get("status") in ("open", "filled") else "closed",
        trade=str(request.get("trade")),
        certificate_required=bool(request.get("certificate_required", False)),
        day_wage=int(request.get("day_wage", 0)),
        start=parse_hhmm(request.get("start"), "start"),
        hours=int(request.get("hours", 0)),
    )
    reason = why_not(worker, job)
    mine = ticket.get("checkin_id") in set(request.get("accepted", [])) or offered_here
    zh, en = REASONS.get(reason or "", ("符合条件", "eligible"))
    return {
        "checkin_id": ticket.get("checkin_id"),
        "request_id": request.get("request_id"),
        "eligible": reason is None,
        "got_it": mine,
        "rule": reason,
        "message_zh": zh,
        "message_en": en,
        "worker": {"ticket_no": ticket.get("ticket_no"), "tier": ticket.get("tier"), "status": ticket.get("status")},
        "given_to": [
            {"ticket_no": v.get("ticket_no"), "tier": v.get("tier"), "why": (v.get("offer") or {}).get("why")}
            for v in placed
        ],
    }
