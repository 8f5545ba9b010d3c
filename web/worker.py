"""The worker's phone page: their check-in's queue number, status and offers, live; accept or decline.

The phone is signed in by the link the kiosk showed (for the day, on the first phone that opens it:
:mod:`web.worker_link`), as the principal ``worker`` whose subject is the check-in id; it answers offers through
the same JSON API as the kiosk
(``/api/v1/offers/{id}/answer`` accepts a worker session for the offers of its own check-in).
The worker confirms the wage received with the placement step ``wage_received``
(``/api/v1/placements/{id}/steps``, gateway/views/placement_steps.py), added with these pages; after the job's
scheduled end (by the gateway's clock) the page also offers "没拿到工资" (``/api/v1/placements/{id}/unpaid``, a
wage dispute), and the worker may withdraw their confirmation within the correction window (issue 23). Issue 28:
after the job the worker may report 没拿到工资, 工资少了 or 工作内容不符 (a case in the county's staff queue, two
taps each; ``/api/v1/placements/{id}/complaints``), and 我到了但被记为未到岗 on a job marked a no-show; the page
shows each case's state, and an offer shows the employer's pay record.

The page also shows the worker's fair pass (:mod:`services.fairs.passes`, as ``/fair-pass`` shows it), signed for
the pseudonym the check-in's ticket view keeps out of sight (``_worker``): at a fair's door the organiser's camera
reads it, so a worker with a phone types no ID number there. Each load signs a fresh pass (15 minutes);
``?pass=open`` shows it open, which the page's script (web/static/worker.js) asks for when the worker opens a
pass that is about to expire. A ticket projected before the view kept the pseudonym shows a link to
``/fair-pass`` instead.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway import sessions
from gateway.typedefs import REDIS, SETTINGS
from services.readmodels import keys
from services.readmodels.views import load
from web import i18n, placement_steps
from web.fair_pass_page import shown_pass
from web.kiosk import kiosk_messages


def complaint_messages(request: web.Request) -> dict[str, Any]:
    """Words of the worker's reports after a job (issue 28, docs/trust.md): the four kinds, two taps each, and the
    states of a case."""
    _ = i18n.CATALOGUES[i18n.language(request)].gettext
    return {
        "kinds": {
            "unpaid": _("没拿到工资"),
            "underpaid": _("工资少了"),
            "not_as_described": _("工作内容不符"),
            "marked_absent": _("我到了但被记为未到岗"),
        },
        "questions": {
            "unpaid": _("确认报告没拿到工资？"),
            "underpaid": _("确认报告工资少了？"),
            "not_as_described": _("确认报告工作内容不符？"),
            "marked_absent": _("确认报告您到了但被记为未到岗？"),
        },
        "states": {
            "open": _("处理中"),
            "upheld": _("已认定属实，等待解决"),
            "resolved": _("已处理完毕"),
        },
        "reported": _("已报告"),
        "sent": _("已报告，县人社部门会在 1 个工作日内答复"),
        "report": _("报告问题"),
    }


async def worker(request: web.Request) -> web.Response:
    """``GET /worker`` (worker session)."""
    principal = await sessions.page_principal(request, "worker")
    response = web.Response(content_type="text/html")
    token = await sessions.csrf_token(request, response)
    ticket = load(await request.app[REDIS].get(keys.ticket(request.app[SETTINGS].topic_prefix, principal.subject_id)))
    worker = (ticket or {}).get("_worker")
    masked = (ticket or {}).get("worker_masked") or principal.display_name
    context = {
        "fair_pass": shown_pass(request, worker, masked) if worker else None,
        "pass_open": request.query.get("pass") == "open",
        "csrf_token": token,
        "checkin_id": principal.subject_id,
        "masked": principal.display_name,
        "messages": {
            **kiosk_messages(request),
            **placement_steps.step_messages(request),
            "trust": complaint_messages(request),
        },
        "server_now": placement_steps.server_now(request),
    }
    response.text = aiohttp_jinja2.render_string("worker.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response
