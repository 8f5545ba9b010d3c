"""Words of the placement step buttons (issue 23), shared by the employer's request page and the worker's phone
page: each step is two taps (the button, then "确认…？" with 确认 and 取消), a refusal shows its Chinese message
with the English second, and the pages follow the gateway's clock (``server_now``), not the device's.

See web/static/placement_steps.js and docs/placement-life.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from gateway.typedefs import CLOCK, SETTINGS
from web import i18n


def server_now(request: web.Request) -> str:
    """The gateway's clock (an ISO instant): the page offers "没拿到工资" and corrections by it."""
    now: datetime = request.app[CLOCK]()
    return now.isoformat()


def step_messages(request: web.Request) -> dict[str, Any]:
    _ = i18n.CATALOGUES[i18n.language(request)].gettext
    return {
        "ok": _("确认"),
        "cancel": _("取消"),
        "correction_minutes": request.app[SETTINGS].step_correction_minutes,
        "questions": {
            "arrived": _("确认标记到岗？"),
            "completed": _("确认标记完工？"),
            "arrived_completed": _("确认到岗并完工？"),
            "wage_paid": _("确认标记已付工资？"),
            "wage_received": _("确认已收到工资？"),
            "no_show": _("确认标记未到岗？"),
            "unpaid": _("确认报告没拿到工资？"),
        },
        "both_action": _("到岗并完工"),
        "unpaid_action": _("没拿到工资"),
        "unpaid_sent": _("已报告没拿到工资，人社部门会跟进"),
        "disputed": _("已报告没拿到工资"),
        "corrections": {
            "arrived": _("撤销到岗"),
            "completed": _("撤销完工"),
            "wage_paid": _("撤销已付工资"),
            "wage_received": _("撤销已收到工资"),
        },
        "correction_questions": {
            "arrived": _("确认撤销到岗记录？"),
            "completed": _("确认撤销完工记录？"),
            "wage_paid": _("确认撤销已付工资记录？"),
            "wage_received": _("确认撤销已收到工资记录？"),
        },
        "corrected": _("已撤销"),
    }
