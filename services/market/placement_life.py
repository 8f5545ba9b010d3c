"""The life of a placement after the offer was accepted: which step may be recorded when, and by whom.

Pure: the clock is a parameter (``now``, an aware instant); nothing here reads it. Each ``may_*`` function
returns ``None`` when the command may be applied, else the :class:`Refusal` naming the rule (a stable code)
with a message in Chinese and English. The market (:mod:`services.market.decide`) asks these functions with its own
clock (the latest command time it saw, so a command stamped earlier is judged at the market's later time);
the gateway asks them with its clock and the placement's read model, to answer 409 before publishing.

Rules (issue 23; ``start`` and ``end`` are the job's scheduled local times on the market's day):

- ``arrived`` (employer): not earlier than :data:`ARRIVAL_LEAD` before ``start``;
- ``completed`` (employer): after ``arrived``; or, when the employer confirms both at once ("到岗并完工"),
  not before ``start``;
- ``wage_paid`` (employer), ``wage_received`` (worker): after ``completed``, or after ``end``;
- arrival and completion are refused once a wage step is recorded (a later step already stands);
- no-show (employer): not before ``start``, never once any step is recorded, nor once the worker reported
  "没拿到工资" (the dispute is for the county's staff to settle);
- "没拿到工资" (worker): not before ``end``, and not while the worker's ``wage_received`` stands;
- a correction withdraws a recorded step: only by the party who records that step, within the correction
  window after it was recorded, and only when no later step that depends on it stands (``completed`` depends on
  ``arrived``; ``wage_paid`` and ``wage_received`` depend on ``completed``): those are corrected first.

Rule codes: ``placement_unknown``, ``arrival_too_early``, ``completion_before_arrival``,
``completion_before_start``, ``wage_before_completion``, ``step_after_wage``, ``no_show_before_start``,
``no_show_after_arrival``, ``no_show_disputed``, ``unpaid_before_end``, ``unpaid_after_received``,
``correction_nothing``, ``correction_window_passed``, ``correction_dependent_step``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta

from services import clock

#: Arrival may be recorded from this long before the job's start.
ARRIVAL_LEAD = timedelta(minutes=60)
#: The default window in which the party who recorded a step may correct it (``Settings.step_correction_minutes``).
CORRECTION_WINDOW = timedelta(minutes=30)

EMPLOYER_STEPS = ("arrived", "completed", "wage_paid")
WORKER_STEPS = ("wage_received",)
WAGE_STEPS = ("wage_paid", "wage_received")
STEPS = (*EMPLOYER_STEPS, *WORKER_STEPS)
#: What each step rests on: it must be corrected before the step it depends on.
DEPENDS_ON: Mapping[str, str] = {"completed": "arrived", "wage_paid": "completed", "wage_received": "completed"}


@dataclasses.dataclass(frozen=True, slots=True)
class Refusal:
    """Why a command is refused: a stable rule code and the message in Chinese and English."""

    rule: str
    message_zh: str
    message_en: str


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule:
    """The job's scheduled start and end as instants (UTC)."""

    start: datetime
    end: datetime


def schedule(day: date, start: int, hours: int) -> Schedule:
    """The job's start and end: ``start`` minutes after local midnight of ``day`` (Asia/Shanghai), for ``hours``."""
    begin = clock.local_midnight_utc(day) + timedelta(minutes=start)
    return Schedule(begin, begin + timedelta(hours=hours))


def party_of(step: str) -> str:
    """``employer`` or ``worker``: who records ``step`` (and alone may correct it)."""
    return "worker" if step in WORKER_STEPS else "employer"


def _hhmm(at: datetime) -> str:
    local = at.astimezone(clock.ZONE)
    return f"{local.hour:02d}:{local.minute:02d}"


UNKNOWN = Refusal("placement_unknown", "没有找到该用工记录", "no such active placement")


def may_record(
    step: str, steps: Collection[str], when: Schedule, now: datetime, *, with_arrival: bool = False
) -> Refusal | None:
    """Whether ``step`` may be recorded at ``now`` on a started placement whose standing steps are ``steps``.

    ``with_arrival``: the employer confirms arrival and completion at once (``step`` is ``completed``).
    A step already standing is not refused (recording it again changes nothing).
    """
    if step in steps:
        return None
    if step in ("arrived", "completed") and any(s in steps for s in WAGE_STEPS):
        return Refusal(
            "step_after_wage",
            "已记录工资，不能再记录到岗或完工（如有错误，请先更正工资记录）",
            "a wage step is already recorded: arrival and completion can no longer be recorded (correct it first)",
        )
    if step == "arrived":
        if now < when.start - ARRIVAL_LEAD:
            earliest = _hhmm(when.start - ARRIVAL_LEAD)
            return Refusal(
                "arrival_too_early",
                f"开工前 60 分钟内才能记录到岗（开工 {_hhmm(when.start)}，最早 {earliest}）",
                f"arrival can be recorded from 60 minutes before the start ({_hhmm(when.start)}; from {earliest})",
            )
        return None
    if step == "completed":
        if "arrived" in steps:
            return None
        if not with_arrival:
            return Refusal(
                "completion_before_arrival",
                "请先记录到岗（开工后也可选择“到岗并完工”）",
                'record the arrival first (after the start, "arrived and completed" records both)',
            )
        if now < when.start:
            return Refusal(
                "completion_before_start",
                f"开工后才能确认到岗并完工（开工 {_hhmm(when.start)}）",
                f"arrival and completion together only after the start ({_hhmm(when.start)})",
            )
        return None
    if step in WAGE_STEPS:
        if "completed" in steps or now >= when.end:
            return None
        return Refusal(
            "wage_before_completion",
            f"完工后或下工时间（{_hhmm(when.end)}）以后才能确认工资",
            f"the wage can be confirmed after completion or after the scheduled end ({_hhmm(when.end)})",
        )
    return UNKNOWN


def known_refusal(
    command: str, step: str, when: Schedule, now: datetime, *, with_arrival: bool = False
) -> Refusal | None:
    """A refusal certain from the clock alone, whatever steps were recorded or corrected meanwhile: what a reader
    of a read model that may lag (the gateway) can refuse at once. ``command``: ``step``, ``no_show`` or
    ``unpaid``. Every other refusal depends on the standing steps and is the market's to make.

    Before ``start - ARRIVAL_LEAD`` no step can stand (arrival is the first and is not allowed yet), so every step
    is refused as :func:`may_record` refuses it on no steps; a no-show is refused before the start, "没拿到工资"
    before the end.
    """
    if command == "no_show":
        return may_mark_no_show((), when, now)
    if command == "unpaid":
        return may_report_unpaid((), when, now)
    if now < when.start - ARRIVAL_LEAD:
        return may_record(step, (), when, now, with_arrival=with_arrival)
    return None


def may_mark_no_show(steps: Collection[str], when: Schedule, now: datetime, disputed: bool = False) -> Refusal | None:
    """Whether the employer may report the worker absent at ``now``; ``disputed``: the worker reported
    "没拿到工资" (a dispute for the county's staff, not settled by the employer's word)."""
    if disputed:
        return Refusal(
            "no_show_disputed",
            "工人已报告没拿到工资，不能再标记未到岗；请联系人社部门处理",
            "the worker reported the wage unpaid: a no-show can no longer be marked; contact the county's staff",
        )
    if steps:
        return Refusal(
            "no_show_after_arrival",
            "已记录到岗或后续步骤，不能再标记未到岗",
            "arrival or a later step is recorded: the worker cannot be marked absent",
        )
    if now < when.start:
        return Refusal(
            "no_show_before_start",
            f"开工后才能标记未到岗（开工 {_hhmm(when.start)}）",
            f"a no-show can be marked only after the start ({_hhmm(when.start)})",
        )
    return None


def may_report_unpaid(steps: Collection[str], when: Schedule, now: datetime) -> Refusal | None:
    """Whether the worker may report "没拿到工资" at ``now`` (it opens a wage dispute)."""
    if "wage_received" in steps:
        return Refusal(
            "unpaid_after_received",
            "您已确认收到工资；如确认有误，请先更正",
            "you confirmed the wage was received; correct that first if it was a mistake",
        )
    if now < when.end:
        return Refusal(
            "unpaid_before_end",
            f"下工时间（{_hhmm(when.end)}）以后才能报告没拿到工资",
            f"an unpaid wage can be reported after the scheduled end ({_hhmm(when.end)})",
        )
    return None


def may_correct(
    step: str,
    steps: Collection[str],
    recorded_at: Mapping[str, datetime],
    now: datetime,
    window: timedelta = CORRECTION_WINDOW,
) -> Refusal | None:
    """Whether ``step`` may be withdrawn at ``now`` (the caller checks the party: :func:`party_of`).

    ``recorded_at``: when each standing step was (last) recorded.
    """
    if step not in steps or step not in recorded_at:
        return Refusal("correction_nothing", "该步骤尚未记录，无需更正", "that step is not recorded")
    if now > recorded_at[step] + window:
        minutes = int(window.total_seconds() // 60)
        return Refusal(
            "correction_window_passed",
            f"只能在记录后 {minutes} 分钟内更正",
            f"a step can be corrected only within {minutes} minutes of recording it",
        )
    dependent = [s for s in STEPS if DEPENDS_ON.get(s) == step and s in steps]
    if dependent:
        return Refusal(
            "correction_dependent_step",
            "请先更正后面的步骤：" + "、".join(STEP_NAMES_ZH[s] for s in dependent),
            "correct the later steps first: " + ", ".join(dependent),
        )
    return None


STEP_NAMES_ZH: Mapping[str, str] = {
    "arrived": "到岗",
    "completed": "完工",
    "wage_paid": "已付工资",
    "wage_received": "已收到工资",
}
