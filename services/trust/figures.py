"""Reliability records, both ways, as a pure fold over the market's facts and the cases' findings.

A placement's record (:class:`PlacementRecord`) is folded from the facts about it (:func:`apply`): who worked for
whom, on which local day (Asia/Shanghai), the steps standing (corrections included), when a wage step was
recorded, whether the placement was cancelled (by the employer, or the worker marked absent), and the findings of
cases about it (a no-show overturned, a dispute upheld). The figures of a worker or an employer
(:func:`worker_figures`, :func:`employer_figures`) count those records over the last 30 and 90 local days, each
figure with the placements behind it. Pure: the day of reading is an input, never the machine's clock.

Contracts:
- a fact applied twice (a replay, a duplicate delivery) changes nothing: each record keeps the ids applied;
- a step fact older than the record's ``version`` changes nothing (the ledger's rule: the latest version wins);
- a finding counts once per case, however often it is delivered: an overturned no-show or an upheld dispute
  changes its figure exactly once;
- a figure's ``count`` always equals the number of its ``placements`` (or, for disputes, of its ``cases``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal

import msgspec

from services import clock
from services.market import records as r
from services.trust import records as tr

#: The windows every figure is given over, in local days (today included).
WINDOWS: tuple[int, ...] = (30, 90)
#: How long a record is kept in a person's list: the longest window.
KEPT_DAYS = max(WINDOWS)
#: Ids of applied facts kept per record (a placement has a handful of facts; the findings too).
APPLIED_KEPT = 64

Cancelled = Literal["", "request_cancelled", "no_show"]


class PlacementRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What the platform knows of one placement, for the reliability of both parties.

    ``day`` is the local date the placement was made (the market's day; day labour starts and ends that day).
    ``step_at`` maps each standing step to when it was recorded (ISO UTC). ``overturned_by`` is the case whose
    finding says the worker was there after all (a no-show overturned); ``upheld`` the cases whose finding went
    against the employer (unpaid, short-paid, work not as described)."""

    placement_id: str
    market_id: str
    county: str
    worker: str
    employer_id: str
    request_id: str = ""
    checkin_id: str = ""
    trade: str = ""
    day_wage: int = 0
    day: str
    start: int = 0
    hours: int = 0
    steps: tuple[str, ...] = ()
    step_at: dict[str, str] = msgspec.field(default_factory=dict)
    version: int = 0
    cancelled: Cancelled = ""
    overturned_by: str = ""
    upheld: tuple[str, ...] = ()
    applied: tuple[str, ...] = ()


_record_decoder = msgspec.json.Decoder(PlacementRecord)


def encode_record(record: PlacementRecord) -> bytes:
    return msgspec.json.encode(record)


def decode_record(data: bytes | str) -> PlacementRecord:
    return _record_decoder.decode(data)


#: The facts that change a placement's record.
PlacementFact = (
    r.PlacementStarted | r.PlacementCancelled | r.PlacementStepRecorded | r.PlacementStepCorrected | tr.CaseFound
)


def placement_of(event: object) -> str | None:
    """The placement a fact is about, if it changes a reliability record."""
    if isinstance(
        event, r.PlacementStarted | r.PlacementCancelled | r.PlacementStepRecorded | r.PlacementStepCorrected
    ):
        return event.placement_id
    if isinstance(event, tr.CaseFound):
        return event.placement_id
    return None


def apply(record: PlacementRecord | None, event: PlacementFact) -> PlacementRecord | None:
    """The placement's record after ``event`` (``None`` while nothing is known). A placement's market facts come
    in their writer's order, its start first; a case's finding may come before them (another topic): it is kept
    in a record without a ``day``, which the start completes."""
    if isinstance(event, r.PlacementStarted):
        if record is not None and (record.day or event.id in record.applied):
            return record
        return PlacementRecord(
            placement_id=event.placement_id,
            market_id=event.market_id,
            county=event.county,
            worker=event.worker,
            employer_id=event.employer_id,
            request_id=event.request_id,
            checkin_id=event.checkin_id,
            trade=event.trade,
            day_wage=event.day_wage,
            day=clock.local_date(event.at).isoformat(),
            start=event.start,
            hours=event.hours,
            overturned_by=record.overturned_by if record else "",
            upheld=record.upheld if record else (),
            applied=(*(record.applied if record else ()), event.id)[-APPLIED_KEPT:],
        )
    if record is None and isinstance(event, tr.CaseFound):
        # the cases' topic ran ahead of the market's: keep the finding in a record the start will complete
        record = PlacementRecord(
            placement_id=event.placement_id,
            market_id="",
            county=event.county,
            worker=event.worker,
            employer_id=event.employer_id,
            day="",
        )
    if record is None or event.id in record.applied:
        return record
    applied = (*record.applied, event.id)[-APPLIED_KEPT:]
    match event:
        case r.PlacementCancelled():
            return msgspec.structs.replace(record, cancelled=record.cancelled or event.reason, applied=applied)
        case r.PlacementStepRecorded() | r.PlacementStepCorrected():
            if event.version and event.version <= record.version:
                return msgspec.structs.replace(record, applied=applied)
            step_at = {s: at for s, at in record.step_at.items() if s in event.steps}
            if isinstance(event, r.PlacementStepRecorded):
                step_at.setdefault(event.step, event.at.isoformat())
            return msgspec.structs.replace(
                record, steps=tuple(event.steps), step_at=step_at, version=event.version, applied=applied
            )
        case tr.CaseFound():
            if event.finding != "upheld":
                return msgspec.structs.replace(record, applied=applied)
            if event.kind == "marked_absent":
                overturned = record.overturned_by or event.case_id  # counts only where a no-show stands
                return msgspec.structs.replace(record, overturned_by=overturned, applied=applied)
            upheld = record.upheld if event.case_id in record.upheld else (*record.upheld, event.case_id)
            return msgspec.structs.replace(record, upheld=upheld, applied=applied)
    return record


def fold(events: Iterable[PlacementFact]) -> dict[str, PlacementRecord]:
    """Every placement's record after ``events`` in order (the projector applies the same :func:`apply`)."""
    out: dict[str, PlacementRecord] = {}
    for event in events:
        pid = placement_of(event)
        if pid is None:
            continue
        new = apply(out.get(pid), event)
        if new is not None:
            out[pid] = new
    return out


# ---------------------------------------------------------------- what a record says


def is_completed(p: PlacementRecord) -> bool:
    """The worker did the job: 完工 stands and the placement was not cancelled."""
    return not p.cancelled and "completed" in p.steps


def is_no_show(p: PlacementRecord) -> bool:
    """The employer marked the worker absent and no finding overturned it."""
    return p.cancelled == "no_show" and not p.overturned_by


def paid_at(p: PlacementRecord) -> datetime | None:
    """When the wage was first recorded (已付工资 by the employer or 已收到工资 by the worker), if one stands."""
    times = [datetime.fromisoformat(p.step_at[s]) for s in ("wage_paid", "wage_received") if s in p.step_at]
    return min(times) if times else None


def pay_due(p: PlacementRecord, today: date) -> bool:
    """The employer owes this wage by now: the job was done (完工 stands) and either a wage step stands or the job's
    day is over (day labour is paid the same day)."""
    return is_completed(p) and (paid_at(p) is not None or date.fromisoformat(p.day) < today)


def paid_on_time(p: PlacementRecord) -> bool:
    """The wage was recorded on the job's own local day."""
    at = paid_at(p)
    return is_completed(p) and at is not None and clock.local_date(at).isoformat() <= p.day


def paid_late(p: PlacementRecord) -> bool:
    """The wage was recorded, but after the job's local day."""
    at = paid_at(p)
    return is_completed(p) and at is not None and clock.local_date(at).isoformat() > p.day


def not_paid(p: PlacementRecord, today: date) -> bool:
    """Completed, the job's day over, and no wage step stands."""
    return pay_due(p, today) and paid_at(p) is None


# ---------------------------------------------------------------- figures


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    """One count over a window, with what is behind it: the placements (and, for disputes, the cases)."""

    count: int
    placements: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    """A person's figures over the last ``days`` local days: ``since`` to ``until`` (both included)."""

    days: int
    since: str
    until: str
    figures: dict[str, Figure]


WorkerFigure = Literal["completed", "no_shows"]
EmployerFigure = Literal[
    "filled",
    "completed",
    "late_cancellations",
    "no_shows_overturned",
    "pay_due",
    "paid_on_time",
    "paid_late",
    "not_paid",
    "disputes_upheld",
]


def in_window(p: PlacementRecord, today: date, days: int) -> bool:
    """Whether the placement's local day lies in the last ``days`` days up to ``today`` (today included); a record
    holding only a finding (its placement's start not seen yet) lies in none."""
    if not p.day:
        return False
    day = date.fromisoformat(p.day)
    return today - timedelta(days=days - 1) <= day <= today


def _figure(ps: list[PlacementRecord]) -> Figure:
    return Figure(count=len(ps), placements=tuple(p.placement_id for p in ps))


def worker_figures(placements: Iterable[PlacementRecord], today: date, days: int) -> Figures:
    """A worker's jobs completed and no-shows (not overturned) over the window.

    Late cancels after accepting: the market has no command by which a worker withdraws from an accepted job (a
    check-out keeps accepted jobs), so there is no such figure yet; see docs/trust.md."""
    ps = sorted((p for p in placements if in_window(p, today, days)), key=lambda p: (p.day, p.placement_id))
    return Figures(
        days=days,
        since=(today - timedelta(days=days - 1)).isoformat(),
        until=today.isoformat(),
        figures={
            "completed": _figure([p for p in ps if is_completed(p)]),
            "no_shows": _figure([p for p in ps if is_no_show(p)]),
        },
    )


def employer_figures(placements: Iterable[PlacementRecord], today: date, days: int) -> Figures:
    """An employer's places filled and completed, accepted places cancelled (late cancellations), no-shows reported
    and later overturned, wages due / paid on time / paid late / not paid, and disputes upheld, over the window."""
    ps = sorted((p for p in placements if in_window(p, today, days)), key=lambda p: (p.day, p.placement_id))
    upheld = [(p, case) for p in ps for case in p.upheld]
    return Figures(
        days=days,
        since=(today - timedelta(days=days - 1)).isoformat(),
        until=today.isoformat(),
        figures={
            "filled": _figure(ps),
            "completed": _figure([p for p in ps if is_completed(p)]),
            "late_cancellations": _figure([p for p in ps if p.cancelled == "request_cancelled"]),
            "no_shows_overturned": _figure([p for p in ps if p.cancelled == "no_show" and p.overturned_by]),
            "pay_due": _figure([p for p in ps if pay_due(p, today)]),
            "paid_on_time": _figure([p for p in ps if pay_due(p, today) and paid_on_time(p)]),
            "paid_late": _figure([p for p in ps if paid_late(p)]),
            "not_paid": _figure([p for p in ps if not_paid(p, today)]),
            "disputes_upheld": Figure(
                count=len(upheld),
                placements=tuple(dict.fromkeys(p.placement_id for p, _ in upheld)),
                cases=tuple(case for _, case in upheld),
            ),
        },
    )


def both_windows(placements: Iterable[PlacementRecord], today: date, *, employer: bool) -> dict[str, Figures]:
    """The figures over every window of :data:`WINDOWS`, keyed ``"30"``, ``"90"``."""
    ps = list(placements)
    of = employer_figures if employer else worker_figures
    return {str(days): of(ps, today, days) for days in WINDOWS}


def pay_record_line(figures: Figures) -> tuple[str, str]:
    """The employer's pay record as the worker sees it on an offer: "近 30 天按时付薪 12/12" (zh, en)."""
    on_time = figures.figures["paid_on_time"].count
    due = figures.figures["pay_due"].count
    upheld = figures.figures["disputes_upheld"].count
    zh = f"近 {figures.days} 天按时付薪 {on_time}/{due}"
    en = f"paid on time {on_time}/{due} in the last {figures.days} days"
    if upheld:
        zh += f"，欠薪投诉成立 {upheld} 起"
        en += f", {upheld} wage complaints upheld"
    return zh, en
