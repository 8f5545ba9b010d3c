"""Which services a registration is owed, and by when: its grade's (附件3 (六) 2) and "1311" (附件4 (十五)).

"1311" — 1 policy briefing, 3 job recommendations, 1 career guidance, 1 training — is owed to the registered
unemployed and to those willing to work elsewhere, and to graduates not yet placed (for whom a traineeship counts
instead of training), within :data:`WINDOW_1311` working days of the day the registration is confirmed.

The grade's services are owed while the person is in the grade, so each is due on the grade's last day (the
bound included: :func:`services.jobseekers.grade.add_months`); they open when the registration is confirmed (for
the grade of that day) and when the person crosses into a grade:

* 短期: 3 recommendations;
* 中短期: 1 career guidance and 3 recommendations;
* 中长期: 1 guidance, 3 recommendations and 1 training place;
* 长期: employment assistance (就业援助), due :data:`WINDOW_ASSISTANCE` working days after the crossing.

Only registered unemployed people have a grade; job seekers (求职登记) are owed "1311" when willing to work
elsewhere or graduates, and nothing otherwise. A delivery counts toward every open obligation that accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.jobseekers import records as r
from services.jobseekers.grade import UPPER_MONTHS, Grade, add_months
from services.workdays import CalendarNotCovered, add_working_days

#: Working days within which "1311" is owed, counted after the day of confirmation.
WINDOW_1311 = 5
#: Working days within which a self-service registration must be handled (附件3 (三)), counted after applying.
WINDOW_HANDLING = 3
#: Working days after entering 长期 within which the person joins employment assistance.
WINDOW_ASSISTANCE = 5


@dataclass(frozen=True, slots=True)
class Owed:
    """One obligation to open: ``required`` deliveries of any of ``accepts``, by the end of ``due``."""

    programme: r.Programme
    service: r.Service
    accepts: tuple[r.Service, ...]
    required: int
    due: date | None


def working_deadline(day: date, window: int) -> date | None:
    """``window`` working days after ``day``; ``None`` when the calendar does not cover it yet (pending)."""
    try:
        return add_working_days(day, window)
    except CalendarNotCovered:
        return None


def owes_1311(kind: r.Kind, willing_elsewhere: bool, graduate: bool) -> bool:
    """Whether a registration is owed "1311"."""
    return kind == "unemployed" or willing_elsewhere or graduate


def plan_1311(confirmed_on: date, graduate: bool) -> list[Owed]:
    """The four "1311" obligations of a registration confirmed on ``confirmed_on``."""
    due = working_deadline(confirmed_on, WINDOW_1311)
    training: tuple[r.Service, ...] = ("training", "traineeship") if graduate else ("training",)
    return [
        Owed("1311", "briefing", ("briefing",), 1, due),
        Owed("1311", "recommendation", ("recommendation",), 3, due),
        Owed("1311", "guidance", ("guidance",), 1, due),
        Owed("1311", "training", training, 1, due),
    ]


_PROGRAMME: dict[Grade, r.Programme] = {
    Grade.SHORT: "short",
    Grade.MID_SHORT: "mid_short",
    Grade.MID_LONG: "mid_long",
    Grade.LONG: "long",
}


def grade_last_day(registered_on: date, grade: Grade) -> date | None:
    """The last local date of ``grade`` for a registration on ``registered_on``; ``None`` for 长期 (no end)."""
    months = dict(UPPER_MONTHS).get(grade)
    return None if months is None else add_months(registered_on, months)


def plan_grade(registered_on: date, grade: Grade, entered_on: date) -> list[Owed]:
    """The obligations of ``grade``, entered on ``entered_on``."""
    if grade is Grade.LONG:
        return [Owed("long", "assistance", ("assistance",), 1, working_deadline(entered_on, WINDOW_ASSISTANCE))]
    due = grade_last_day(registered_on, grade)
    programme: r.Programme = _PROGRAMME[grade]
    owed = [Owed(programme, "recommendation", ("recommendation",), 3, due)]
    if grade in (Grade.MID_SHORT, Grade.MID_LONG):
        owed.append(Owed(programme, "guidance", ("guidance",), 1, due))
    if grade is Grade.MID_LONG:
        owed.append(Owed(programme, "training", ("training",), 1, due))
    return owed
