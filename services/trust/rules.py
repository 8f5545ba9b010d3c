"""The rules that use the reliability records and the cases, each naming itself in the answer (zh, en).

* ``employer_unpaid_wage_dispute``: an employer with an upheld wage case (没拿到工资 / 工资少了) not yet resolved
  cannot post a job request until staff resolve it (the gateway answers 409, nothing is published);
* ``worker_paused_no_shows``: a worker whose no-show today brings their no-shows (not overturned) over the last
  30 local days above ``no_shows_before_pause`` is paused for the rest of the day: a check-in is refused with the
  reason; tomorrow it is accepted again (an overturned no-show no longer counts).

Pure: the figures and the day are inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from services.market.placement_life import Refusal
from services.trust import records as tr
from services.trust.figures import PlacementRecord, worker_figures

EMPLOYER_BLOCKED = "employer_unpaid_wage_dispute"
WORKER_PAUSED = "worker_paused_no_shows"
#: The window of the pause rule, in local days (today included).
PAUSE_WINDOW_DAYS = 30


def blocking_cases(cases: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The ids of an employer's cases that stop them posting: upheld wage cases not yet resolved."""
    return sorted(cid for cid, c in cases.items() if c.get("state") == "upheld" and c.get("kind") in tr.WAGE_KINDS)


def may_post(cases: Mapping[str, Mapping[str, Any]]) -> Refusal | None:
    """``None`` when the employer may post; else the refusal naming the rule and how many cases block it.

    ``cases``: the employer's cases by id, each with at least ``state`` and ``kind`` (the read model's)."""
    blocking = blocking_cases(cases)
    if not blocking:
        return None
    n = len(blocking)
    return Refusal(
        EMPLOYER_BLOCKED,
        f"您有 {n} 起经核实的欠薪投诉尚未解决，解决前不能发布招工。"
        "请向工人支付工资并联系县人社部门（规则：有欠薪未解决不得招工）",
        f"{n} upheld wage complaint(s) against you are not resolved: you cannot post until they are. Pay the "
        "worker and contact the county's staff (rule: no posting with an unpaid wage dispute)",
    )


def no_shows_today(placements: Iterable[PlacementRecord], today: date) -> int:
    """The worker's no-shows not overturned over the pause window ending ``today`` (the figure's count)."""
    return worker_figures(placements, today, PAUSE_WINDOW_DAYS).figures["no_shows"].count


def no_shows_on_days(days: Iterable[str], today: date) -> int:
    """How many of the standing no-shows' local ``days`` (ISO dates) lie in the pause window ending ``today``:
    the same count as :func:`no_shows_today`, from the worker's list view (one read at check-in)."""
    since = (today - timedelta(days=PAUSE_WINDOW_DAYS - 1)).isoformat()
    return sum(1 for d in days if since <= d <= today.isoformat())


def pause(no_show_days: Iterable[str], today: date, limit: int) -> Refusal | None:
    """``None`` when the worker may check in ``today``; else the pause with its reason. ``no_show_days``: the
    local days (ISO dates) of the worker's standing no-shows. Paused when a no-show of ``today`` brings the count
    over the last 30 days above ``limit``: for the rest of that day only (tomorrow they may check in again, and a
    further no-show then pauses them again). ``limit`` < 0 turns the rule off."""
    days = list(no_show_days)
    count = no_shows_on_days(days, today)
    if limit < 0 or count <= limit or today.isoformat() not in days:
        return None
    return Refusal(
        WORKER_PAUSED,
        f"近 30 天有 {count} 次被记为未到岗（超过 {limit} 次），今天暂停接活，明天可以再来登记。"
        "如果您其实到了，可以在手机页面或自助机上报“我到了但被记为未到岗”（规则：多次未到岗当天暂停）",
        f"{count} no-shows in the last 30 days (more than {limit}): paused for the rest of today, check in again "
        'tomorrow. If you were there, report "I was there but was marked absent" (rule: paused after no-shows)',
    )
