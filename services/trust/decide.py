"""The pure decision of a county's cases: ``decide(book, command, rules) -> (book, facts)``.

The county's single writer (``streams/trust_agent.py``) keeps one :class:`CaseBook` per county and applies every
command in order. Nothing here reads a clock: ``command.at`` is the time.

Rules:

* a worker's report opens one case per placement and kind (a second report changes nothing); staff owe a first
  response by the end of the ``first_response_days``-th working day after the day it was opened (State Council
  calendar, :mod:`services.workdays`); a tick after that with no response marks it overdue (once);
* the employer of the placement may answer (again: the latest answer stands); nobody else;
* an officer of the case's county (the partition: the gateway only sends an officer's actions to their own
  county) may respond (the first response stops the clock), uphold or reject (the finding, once), and resolve an
  upheld case (once);
* a finding of ``upheld`` corrects the reliability records (:mod:`services.trust.figures`); an upheld wage case
  (:data:`~services.trust.records.WAGE_KINDS`) stays ``upheld`` until resolved, and while it does its employer
  cannot post (:mod:`services.trust.rules`); any other finding closes the case at once;
* a refusal is a fact (:class:`~services.trust.records.CaseRefused`) with a stable rule, zh and en.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TypedDict

import msgspec

from services.clock import local_date, local_midnight_utc
from services.records import derived_id
from services.trust import records as tr
from services.workdays import CalendarNotCovered, add_working_days

#: Command ids remembered per county to drop a redelivered command (the agent is at-least-once).
RECENT_COMMANDS_KEPT = 2048
#: A resolved case leaves the county's book this many days after it was opened (the book stays small; the read
#: models keep it). A report of the same placement and kind after that would open a new case.
RESOLVED_KEPT_DAYS = 180


@dataclasses.dataclass(frozen=True, slots=True)
class CaseRules:
    """The knobs: staff's first response is due within this many working days
    (``LINGONG_CASE_RESPONSE_WORKING_DAYS``)."""

    first_response_days: int = 1


class Case(msgspec.Struct, kw_only=True):
    case_id: str
    kind: tr.CaseKind
    placement_id: str
    worker: str
    employer_id: str
    checkin_id: str = ""
    opened_at: datetime
    first_response_due: datetime | None
    responded_at: datetime | None = None
    overdue: bool = False
    answer: str = ""
    finding: tr.Finding | None = None
    state: tr.CaseState = "open"


class CaseBook(msgspec.Struct, kw_only=True):
    county: str
    cases: dict[str, Case] = msgspec.field(default_factory=dict)
    recent_commands: list[str] = msgspec.field(default_factory=list)


_book_decoder = msgspec.json.Decoder(CaseBook)


def encode_book(book: CaseBook) -> bytes:
    return msgspec.json.encode(book)


def decode_book(data: bytes) -> CaseBook:
    return _book_decoder.decode(data)


def new_book(county: str) -> CaseBook:
    return CaseBook(county=county)


def first_response_due(opened_at: datetime, working_days: int) -> datetime | None:
    """The end (local midnight after) of the ``working_days``-th working day after the day of ``opened_at``;
    ``None`` when the calendar does not cover that year."""
    try:
        last = add_working_days(local_date(opened_at), working_days)
    except CalendarNotCovered:
        return None
    return local_midnight_utc(last + timedelta(days=1))


class _Head(TypedDict):
    id: str
    at: datetime
    county: str
    command_id: str
    case_id: str


class _Emitter:
    """Collects the facts answering one command; ids derive from the command id and their order."""

    def __init__(self, book: CaseBook, command: tr.TrustCommand) -> None:
        self.book = book
        self.command = command
        self.facts: list[tr.TrustEventT] = []

    def head(self, case_id: str) -> _Head:
        return _Head(
            id=derived_id(self.command.id, str(len(self.facts))),
            at=self.command.at,
            county=self.book.county,
            command_id=self.command.id,
            case_id=case_id,
        )

    def refuse(self, case_id: str, rule: str, zh: str, en: str) -> None:
        self.facts.append(
            tr.CaseRefused(
                **self.head(case_id),
                command_type=str(type(self.command).__struct_config__.tag),
                rule=rule,
                message_zh=zh,
                message_en=en,
            )
        )


def decide(book: CaseBook, command: tr.TrustCommand, rules: CaseRules) -> tuple[CaseBook, list[tr.TrustEventT]]:
    """The book after ``command`` and the facts it caused (none for a command applied already)."""
    if command.id in book.recent_commands:
        return book, []
    out = _Emitter(book, command)
    match command:
        case tr.OpenCase():
            _open(book, command, rules, out)
        case tr.AnswerCase():
            _answer(book, command, out)
        case tr.ActOnCase():
            _act(book, command, out)
        case tr.Tick():
            _keep_time(book, command.at, out)
    book.recent_commands = [*book.recent_commands, command.id][-RECENT_COMMANDS_KEPT:]
    return book, out.facts


def _open(book: CaseBook, c: tr.OpenCase, rules: CaseRules, out: _Emitter) -> None:
    case_id = tr.case_id(c.placement.placement_id, c.kind)
    if case_id in book.cases:
        return  # reported already: nothing changes
    due = first_response_due(c.at, rules.first_response_days)
    book.cases[case_id] = Case(
        case_id=case_id,
        kind=c.kind,
        placement_id=c.placement.placement_id,
        worker=c.placement.worker,
        employer_id=c.placement.employer_id,
        checkin_id=c.placement.checkin_id,
        opened_at=c.at,
        first_response_due=due,
    )
    out.facts.append(tr.CaseOpened(**out.head(case_id), kind=c.kind, placement=c.placement, first_response_due=due))


_NO_CASE = ("case_unknown", "没有找到该投诉", "no such case")


def _answer(book: CaseBook, c: tr.AnswerCase, out: _Emitter) -> None:
    case = book.cases.get(c.case_id)
    if case is None or case.employer_id != c.employer_id:
        out.refuse(c.case_id, *_NO_CASE)
        return
    if case.state == "resolved":
        out.refuse(c.case_id, "case_resolved", "该投诉已处理完毕", "this case is resolved")
        return
    case.answer = c.answer
    out.facts.append(
        tr.CaseAnswered(
            **out.head(case.case_id), placement_id=case.placement_id, employer_id=c.employer_id, answer=c.answer
        )
    )


def _act(book: CaseBook, c: tr.ActOnCase, out: _Emitter) -> None:
    case = book.cases.get(c.case_id)
    if case is None:
        out.refuse(c.case_id, *_NO_CASE)
        return
    if c.action == "respond":
        if case.responded_at is None:
            _respond(case, c, out)
        return
    if c.action in ("uphold", "reject"):
        if case.finding is not None:
            out.refuse(case.case_id, "case_found", "该投诉已有处理结论", "this case has a finding already")
            return
        if case.responded_at is None:  # a finding is a response too
            _respond(case, c, out)
        case.finding = "upheld" if c.action == "uphold" else "rejected"
        case.state = "upheld" if case.finding == "upheld" and case.kind in tr.WAGE_KINDS else "resolved"
        out.facts.append(
            tr.CaseFound(
                **out.head(case.case_id),
                placement_id=case.placement_id,
                kind=case.kind,
                worker=case.worker,
                employer_id=case.employer_id,
                finding=case.finding,
                officer_id=c.officer_id,
                note=c.note,
                state=case.state,
                checkin_id=case.checkin_id,
            )
        )
        return
    # resolve
    if case.state != "upheld":
        out.refuse(
            case.case_id,
            "case_not_upheld",
            "只有已认定成立、尚未解决的欠薪投诉可以标记为已解决",
            "only an upheld wage case not yet resolved can be resolved",
        )
        return
    case.state = "resolved"
    out.facts.append(
        tr.CaseResolved(
            **out.head(case.case_id),
            placement_id=case.placement_id,
            kind=case.kind,
            employer_id=case.employer_id,
            officer_id=c.officer_id,
            note=c.note,
            checkin_id=case.checkin_id,
        )
    )


def _respond(case: Case, c: tr.ActOnCase, out: _Emitter) -> None:
    case.responded_at = c.at
    late = case.first_response_due is not None and c.at >= case.first_response_due
    out.facts.append(
        tr.CaseResponded(
            **out.head(case.case_id), placement_id=case.placement_id, officer_id=c.officer_id, note=c.note, late=late
        )
    )


def _keep_time(book: CaseBook, now: datetime, out: _Emitter) -> None:
    oldest = now - timedelta(days=RESOLVED_KEPT_DAYS)
    for gone in [c.case_id for c in book.cases.values() if c.state == "resolved" and c.opened_at < oldest]:
        del book.cases[gone]
    for case in book.cases.values():
        due = case.first_response_due
        if case.responded_at is None and not case.overdue and due is not None and now >= due:
            case.overdue = True
            out.facts.append(tr.CaseOverdue(**out.head(case.case_id), placement_id=case.placement_id, due=due))
