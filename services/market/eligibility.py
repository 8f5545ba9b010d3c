"""Who may be offered which job, and in words why not: one pure function for the matcher and for staff.

:func:`why_not` returns ``None`` when the worker is eligible for the request now, else the first rule that
fails, as a stable code with its Chinese and English explanation in :data:`REASONS` ("why not me?").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

REASONS: dict[str, tuple[str, str]] = {
    "not_checked_in": ("今天未在该市场登记或已离开", "not checked in at this market now"),
    "paused": (
        "两次未答复工作邀请，已暂停派工，确认“我还在等工作”后恢复",
        "paused after two unanswered offers, until the worker confirms they are still waiting",
    ),
    "holds_offer": ("正在等待答复另一份工作邀请", "already holds another offer"),
    "request_closed": ("该招工需求已招满、取消或过期", "the request is filled, cancelled or expired"),
    "other_market": ("不是同一个零工市场", "a different market"),
    "trade": ("工种不符", "the trade does not match"),
    "certificate": ("该工作需要相应证书", "the job requires a certificate the worker has not declared"),
    "wage": ("工资低于本人要求的最低日工资", "the wage is below the worker's minimum"),
    "hours": ("工作时间不在本人今天可工作的时间内", "the job's hours are outside the worker's hours today"),
    "busy": ("与已接受的工作时间重叠", "overlaps a job the worker already accepted"),
    "passed": ("本人已拒绝或错过该工作邀请", "the worker declined or missed an offer for this job"),
}


class WorkerLike(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def trades(self) -> tuple[str, ...]: ...
    @property
    def certificates(self) -> tuple[str, ...]: ...
    @property
    def min_day_wage(self) -> int: ...
    @property
    def available_from(self) -> int: ...
    @property
    def available_until(self) -> int: ...
    @property
    def busy(self) -> Iterable[tuple[int, int]]: ...
    @property
    def passed_requests(self) -> Iterable[str]: ...


class RequestLike(Protocol):
    @property
    def request_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def trade(self) -> str: ...
    @property
    def certificate_required(self) -> bool: ...
    @property
    def day_wage(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def hours(self) -> int: ...


def job_interval(request: RequestLike) -> tuple[int, int]:
    """The job's [start, end) in minutes since local midnight."""
    return request.start, request.start + request.hours * 60


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def fits(worker: WorkerLike, request: RequestLike) -> bool:
    """The lasting part of eligibility: trade, certificate, wage and hours (not status or other jobs).

    Used to measure how many of the day's requests a worker could do, and how many workers a request could
    use: the matcher keeps versatile workers for work that few others can do.
    """
    if request.trade not in worker.trades:
        return False
    if request.certificate_required and request.trade not in worker.certificates:
        return False
    start, end = job_interval(request)
    return request.day_wage >= worker.min_day_wage and worker.available_from <= start and end <= worker.available_until


def why_not(worker: WorkerLike, request: RequestLike) -> str | None:
    """``None`` if ``worker`` may be offered ``request`` now; else the first failing rule's code."""
    if worker.status == "left":
        return "not_checked_in"
    if worker.status == "paused":
        return "paused"
    if worker.status == "offered":
        return "holds_offer"
    if request.status != "open":
        return "request_closed"
    if request.trade not in worker.trades:
        return "trade"
    if request.certificate_required and request.trade not in worker.certificates:
        return "certificate"
    if request.day_wage < worker.min_day_wage:
        return "wage"
    start, end = job_interval(request)
    if start < worker.available_from or end > worker.available_until:
        return "hours"
    if any(overlaps((start, end), slot) for slot in worker.busy):
        return "busy"
    if request.request_id in worker.passed_requests:
        return "passed"
    return None
