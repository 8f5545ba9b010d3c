"""The pure decision of a county's job-seeker registrations: ``decide(book, command) -> (book, facts)``.

The county's single writer (``streams/jobseeker_agent.py``) keeps one :class:`CountyBook` per county and applies
every command in order. Nothing here reads a clock: ``command.at`` is the time, and its Asia/Shanghai date is the
day of everything (a registration, a delivery, a deadline lapsing).

Rules, in the words of the plan:

* a self-service registration awaits staff and must be handled within 3 working days of the day it was made
  (附件3 (三)); confirming or refusing it tells the person the outcome (the fact carries the message);
  a staff-entered registration is confirmed at once; a person has one live registration per county;
* on confirmation the obligations of "1311" and of the grade open (:mod:`services.jobseekers.obligations`);
* a delivery counts once toward every open obligation that accepts it; a recommendation counts once per job
  (``job_ref``); an obligation is met when its deliveries reach what is required, on time if by the end of its
  deadline's day, and is never met twice;
* a tick at or after local midnight after a deadline's day makes the unmet obligation overdue (once), and the
  unhandled registration overdue (once); a tick on the first day of a new grade records the crossing and opens
  that grade's obligations; a pending deadline (the calendar did not cover its year) is set once it does;
* ending a registration (placed, moved away, withdrawn) closes its unmet obligations.

Refusals are facts (:class:`~services.jobseekers.records.JobseekerCommandRefused`) with a stable rule, zh and en.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, TypedDict

import msgspec

from services.clock import local_date
from services.jobseekers import obligations as plan
from services.jobseekers import records as r
from services.jobseekers.grade import first_day_of, grade_on
from services.records import derived_id

#: Command ids remembered per county to drop a redelivered command (the agent is at-least-once).
RECENT_COMMANDS_KEPT = 2048

Status = Literal["awaiting", "confirmed", "refused", "ended"]
ObligationStatus = Literal["open", "met", "overdue", "closed"]


class Obligation(msgspec.Struct, kw_only=True):
    obligation_id: str
    programme: r.Programme
    service: r.Service
    accepts: tuple[r.Service, ...]
    required: int
    delivered: int = 0
    opened_on: date
    due: date | None
    #: For a pending deadline: the working days after ``opened_on`` it will be, once the calendar knows.
    window: int | None = None
    status: ObligationStatus = "open"
    met_on: date | None = None
    on_time: bool | None = None


class Registration(msgspec.Struct, kw_only=True):
    registration_id: str
    person: str
    person_masked: str
    kind: r.Kind
    channel: r.Channel
    registered_on: date
    applied_on: date
    trades: tuple[str, ...]
    category: r.Category
    willing_elsewhere: bool
    graduate: bool
    groups: tuple[str, ...]
    min_day_wage: int | None = None
    status: Status = "awaiting"
    handling_due: date | None = None
    handling_overdue: bool = False
    confirmed_on: date | None = None
    grade: r.Grade | None = None
    obligations: dict[str, Obligation] = msgspec.field(default_factory=dict)
    jobs_seen: list[str] = msgspec.field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.status in ("awaiting", "confirmed")


class CountyBook(msgspec.Struct, kw_only=True):
    county: str
    registrations: dict[str, Registration] = msgspec.field(default_factory=dict)
    #: The last local date the clock reached (ticks or commands).
    today: date | None = None
    recent_commands: list[str] = msgspec.field(default_factory=list)


_book_encoder = msgspec.json.Encoder(order="deterministic")
_book_decoder = msgspec.json.Decoder(CountyBook)


def encode_book(book: CountyBook) -> bytes:
    """The book's canonical bytes."""
    return _book_encoder.encode(book)


def decode_book(data: bytes) -> CountyBook:
    return _book_decoder.decode(data)


def new_book(county: str) -> CountyBook:
    return CountyBook(county=county)


def obligation_id(registration_id: str, programme: str, service: str) -> str:
    """One obligation per registration, programme and service: opening it again is a no-op."""
    return derived_id("jobseeker-obligation", registration_id, programme, service)


class _Head(TypedDict):
    id: str
    at: datetime
    county: str
    command_id: str
    registration_id: str


class _Emitter:
    """Builds the facts answering one command, ids derived from the command id and their order."""

    def __init__(self, book: CountyBook, command: r.JobseekerCommand) -> None:
        self.book = book
        self.command = command
        self.events: list[r.JobseekerEvent] = []

    def head(self, registration_id: str) -> _Head:
        return {
            "id": derived_id(self.command.id, str(len(self.events))),
            "at": self.command.at,
            "county": self.book.county,
            "command_id": self.command.id,
            "registration_id": registration_id,
        }

    def refuse(self, registration_id: str, rule: str, zh: str, en: str) -> None:
        self.events.append(
            r.JobseekerCommandRefused(
                **self.head(registration_id),
                command_type=r.tag_of(self.command),
                rule=rule,
                message_zh=zh,
                message_en=en,
            )
        )


def decide(book: CountyBook, command: r.JobseekerCommand) -> tuple[CountyBook, list[r.JobseekerEvent]]:
    """Apply ``command`` to ``book`` (mutated and returned) and return the facts it caused, in order.

    A command id seen recently gives no facts. A command for another county raises :class:`ValueError` (the
    agent dead-letters it). On an exception the caller must reload the book from its stored bytes.
    """
    if command.county != book.county:
        raise ValueError(f"command for county {command.county!r} met the book of {book.county!r}")
    if command.id in book.recent_commands:
        return book, []
    out = _Emitter(book, command)
    today = local_date(command.at)
    if not isinstance(command, r.Tick):
        _apply(book, command, today, out)
        book.recent_commands.append(command.id)
        if len(book.recent_commands) > RECENT_COMMANDS_KEPT:
            del book.recent_commands[: len(book.recent_commands) - RECENT_COMMANDS_KEPT]
    if book.today is None or today > book.today:
        book.today = today
    _keep_time(book, book.today, out)
    return book, out.events


def _apply(book: CountyBook, c: r.JobseekerCommand, today: date, out: _Emitter) -> None:
    if isinstance(c, r.RegisterJobseeker):
        _register(book, c, today, out)
        return
    registration = book.registrations.get(getattr(c, "registration_id", ""))
    if registration is None:
        out.refuse(getattr(c, "registration_id", ""), "registration_unknown", "没有找到该登记", "no such registration")
        return
    match c:
        case r.ConfirmRegistration():
            if registration.status != "awaiting":
                _refuse_not_awaiting(registration, out)
                return
            _confirm(registration, c.officer_id, today, out)
        case r.RefuseRegistration():
            if registration.status != "awaiting":
                _refuse_not_awaiting(registration, out)
                return
            _refuse_registration(registration, c, today, out)
        case r.EndRegistration():
            if not registration.live:
                out.refuse(
                    registration.registration_id, "registration_closed", "该登记已结束", "registration is closed"
                )
                return
            _end(registration, c, today, out)
        case r.RecordService():
            if registration.status != "confirmed":
                _refuse_not_confirmed(registration, out)
                return
            _deliver(registration, c.service, today, c.officer_id, None, "staff", out)
        case r.RecordRecommendationSeen():
            if registration.status != "confirmed":
                _refuse_not_confirmed(registration, out)
                return
            if c.job_ref in registration.jobs_seen:
                return
            registration.jobs_seen.append(c.job_ref)
            _deliver(registration, "recommendation", today, None, c.job_ref, c.channel, out)


def _refuse_not_awaiting(registration: Registration, out: _Emitter) -> None:
    out.refuse(
        registration.registration_id, "registration_handled", "该登记已经办理过了", "registration already handled"
    )


def _refuse_not_confirmed(registration: Registration, out: _Emitter) -> None:
    out.refuse(
        registration.registration_id,
        "registration_not_confirmed",
        "该登记未确认或已结束，不能记录服务",
        "registration is not confirmed (or has ended); no service can be recorded",
    )


def _register(book: CountyBook, c: r.RegisterJobseeker, today: date, out: _Emitter) -> None:
    if any(x.person == c.person and x.live for x in book.registrations.values()):
        out.refuse(
            c.id, "already_registered", "此人在本县已有有效登记", "this person already has a live registration here"
        )
        return
    if c.registered_on > today:
        out.refuse(c.id, "registered_on_future", "登记日期不能晚于今天", "registration date cannot be after today")
        return
    if (c.channel == "staff") != (c.officer_id is not None):
        out.refuse(c.id, "officer_channel", "工作人员录入须注明经办人", "a staff entry names its officer, only it")
        return
    registration = Registration(
        registration_id=c.id,
        person=c.person,
        person_masked=c.person_masked,
        kind=c.kind,
        channel=c.channel,
        registered_on=c.registered_on if c.channel == "staff" else today,
        applied_on=today,
        trades=c.trades,
        category=c.category,
        willing_elsewhere=c.willing_elsewhere,
        graduate=c.graduate,
        groups=c.groups,
        min_day_wage=c.min_day_wage,
    )
    book.registrations[c.id] = registration
    if c.officer_id is not None:
        _confirm(registration, c.officer_id, today, out)
        return
    registration.handling_due = plan.working_deadline(today, plan.WINDOW_HANDLING)
    out.events.append(
        r.RegistrationApplied(
            **out.head(c.id),
            person=c.person,
            person_masked=c.person_masked,
            kind=c.kind,
            channel=c.channel,
            registered_on=registration.registered_on,
            trades=c.trades,
            category=c.category,
            willing_elsewhere=c.willing_elsewhere,
            graduate=c.graduate,
            groups=c.groups,
            handling_due=registration.handling_due,
            min_day_wage=c.min_day_wage,
        )
    )


def _on_time(due: date | None, day: date) -> bool:
    return due is None or day <= due


def _confirm(registration: Registration, officer_id: str, today: date, out: _Emitter) -> None:
    registration.status = "confirmed"
    registration.confirmed_on = today
    grade = grade_on(registration.registered_on, today) if registration.kind == "unemployed" else None
    registration.grade = grade.value if grade is not None else None
    out.events.append(
        r.RegistrationConfirmed(
            **out.head(registration.registration_id),
            officer_id=officer_id,
            person=registration.person,
            person_masked=registration.person_masked,
            kind=registration.kind,
            channel=registration.channel,
            registered_on=registration.registered_on,
            trades=registration.trades,
            category=registration.category,
            willing_elsewhere=registration.willing_elsewhere,
            graduate=registration.graduate,
            groups=registration.groups,
            confirmed_on=today,
            grade=registration.grade,
            on_time=_on_time(registration.handling_due, today),
            message_zh="您的登记已确认，我们将在5个工作日内为您提供政策宣讲、岗位推荐、职业指导和培训。",
            message_en="Your registration is confirmed; within 5 working days you will be offered a policy briefing, "
            "job recommendations, career guidance and training.",
            min_day_wage=registration.min_day_wage,
        )
    )
    owed: list[tuple[plan.Owed, int | None]] = []
    if plan.owes_1311(registration.kind, registration.willing_elsewhere, registration.graduate):
        owed += [(o, plan.WINDOW_1311) for o in plan.plan_1311(today, registration.graduate)]
    if grade is not None:
        owed += [(o, _window_of(o)) for o in plan.plan_grade(registration.registered_on, grade, today)]
    for o, window in owed:
        _open(registration, o, window, today, out)


def _window_of(owed: plan.Owed) -> int | None:
    return plan.WINDOW_ASSISTANCE if owed.programme == "long" else None


def _open(registration: Registration, owed: plan.Owed, window: int | None, today: date, out: _Emitter) -> None:
    oid = obligation_id(registration.registration_id, owed.programme, owed.service)
    if oid in registration.obligations:
        return
    registration.obligations[oid] = Obligation(
        obligation_id=oid,
        programme=owed.programme,
        service=owed.service,
        accepts=owed.accepts,
        required=owed.required,
        opened_on=today,
        due=owed.due,
        window=window,
    )
    out.events.append(
        r.ObligationOpened(
            **out.head(registration.registration_id),
            obligation_id=oid,
            programme=owed.programme,
            service=owed.service,
            accepts=owed.accepts,
            required=owed.required,
            opened_on=today,
            due=owed.due,
        )
    )


def _refuse_registration(registration: Registration, c: r.RefuseRegistration, today: date, out: _Emitter) -> None:
    registration.status = "refused"
    out.events.append(
        r.RegistrationRefused(
            **out.head(registration.registration_id),
            officer_id=c.officer_id,
            person=registration.person,
            reason=c.reason,
            on_time=_on_time(registration.handling_due, today),
            message_zh=f"您的登记未通过：{c.reason}",
            message_en=f"Your registration was not accepted: {c.reason}",
        )
    )


def _end(registration: Registration, c: r.EndRegistration, today: date, out: _Emitter) -> None:
    registration.status = "ended"
    out.events.append(
        r.RegistrationEnded(
            **out.head(registration.registration_id),
            officer_id=c.officer_id,
            person=registration.person,
            reason=c.reason,
            ended_on=today,
        )
    )
    for o in registration.obligations.values():
        if o.status in ("open", "overdue"):
            o.status = "closed"
            out.events.append(
                r.ObligationClosed(
                    **out.head(registration.registration_id),
                    obligation_id=o.obligation_id,
                )
            )


def _deliver(
    registration: Registration,
    service: r.Service,
    today: date,
    officer_id: str | None,
    job_ref: str | None,
    channel: str,
    out: _Emitter,
) -> None:
    advanced = [
        o for o in registration.obligations.values() if o.status in ("open", "overdue") and service in o.accepts
    ]
    for o in advanced:
        o.delivered += 1
    out.events.append(
        r.ServiceDelivered(
            **out.head(registration.registration_id),
            service=service,
            delivered_on=today,
            officer_id=officer_id,
            job_ref=job_ref,
            channel=channel,
            counted_for=tuple(o.obligation_id for o in advanced),
        )
    )
    for o in advanced:
        if o.delivered >= o.required:
            o.status = "met"
            o.met_on = today
            o.on_time = _on_time(o.due, today)
            out.events.append(
                r.ObligationMet(
                    **out.head(registration.registration_id),
                    obligation_id=o.obligation_id,
                    met_on=today,
                    on_time=o.on_time,
                )
            )


def _keep_time(book: CountyBook, today: date, out: _Emitter) -> None:
    """Everything the clock decides on the local date ``today``, in registration order."""
    for registration in book.registrations.values():
        if registration.status == "awaiting":
            if registration.handling_due is None:
                registration.handling_due = plan.working_deadline(registration.applied_on, plan.WINDOW_HANDLING)
            due = registration.handling_due
            if due is not None and today > due and not registration.handling_overdue:
                registration.handling_overdue = True
                out.events.append(
                    r.RegistrationHandlingOverdue(
                        **out.head(registration.registration_id),
                        person_masked=registration.person_masked,
                        handling_due=due,
                    )
                )
        if registration.status != "confirmed":
            continue
        _cross_grades(registration, today, out)
        for o in registration.obligations.values():
            if o.due is None and o.window is not None:
                o.due = plan.working_deadline(o.opened_on, o.window)
                if o.due is not None:
                    out.events.append(
                        r.ObligationDeadlineSet(
                            **out.head(registration.registration_id),
                            obligation_id=o.obligation_id,
                            due=o.due,
                        )
                    )
            if o.status == "open" and o.due is not None and today > o.due:
                o.status = "overdue"
                out.events.append(
                    r.ObligationOverdue(
                        **out.head(registration.registration_id),
                        obligation_id=o.obligation_id,
                        due=o.due,
                        delivered=o.delivered,
                        required=o.required,
                    )
                )


def _cross_grades(registration: Registration, today: date, out: _Emitter) -> None:
    if registration.grade is None:
        return
    current = grade_on(registration.registered_on, today)
    if current.value == registration.grade:
        return
    previous = registration.grade
    registration.grade = current.value
    entered_on = first_day_of(registration.registered_on, current)
    out.events.append(
        r.GradeCrossed(
            **out.head(registration.registration_id),
            previous=previous,
            grade=current.value,
            on=entered_on,
        )
    )
    for o in plan.plan_grade(registration.registered_on, current, entered_on):
        _open(registration, o, _window_of(o), entered_on, out)
