"""A hypothesis state machine over a county's registrations: the obligations' invariants hold whatever happens.

* no obligation is met twice, and none is both met and closed;
* "1311" deadlines are 5 working days after the day they opened, handling deadlines 3, and both are working days;
* an obligation becomes overdue exactly on the first tick after the end of its deadline's local day, and then is
  overdue as long as it is unmet; ``on_time`` says whether it was met by the end of that day;
* the book survives its stored form, and replaying the command log decides the same facts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from services.clock import local_date
from services.jobseekers import records as r
from services.jobseekers.decide import decide, decode_book, encode_book, new_book
from services.workdays import add_working_days, is_working_day

COUNTY = "shuicheng"
PEOPLE = ("p1", "p2", "p3")
SERVICES: tuple[r.StaffService, ...] = ("briefing", "guidance", "training", "traineeship", "assistance")


class CountyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = new_book(COUNTY)
        self.log: list[r.JobseekerCommand] = []
        self.facts: list[r.JobseekerEvent] = []
        self.now = datetime(2025, 1, 1, tzinfo=UTC)
        self.n = 0
        self.status: dict[str, str] = {}  # obligation id -> open / met / overdue / closed
        self.due: dict[str, date | None] = {}
        self.handling_due: dict[str, date | None] = {}
        self.handled: set[str] = set()

    @initialize(start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 9, 1)), hour=st.integers(0, 23))
    def start(self, start: date, hour: int) -> None:
        self.now = datetime(start.year, start.month, start.day, hour, tzinfo=UTC)

    def _id(self) -> str:
        self.n += 1
        return f"cmd-{self.n}"

    def _run(self, command: r.JobseekerCommand) -> list[r.JobseekerEvent]:
        self.log.append(command)
        _, facts = decide(self.book, command)
        self.facts.extend(facts)
        today = local_date(command.at)
        for f in facts:
            match f:
                case r.ObligationOpened():
                    assert f.obligation_id not in self.status
                    self.status[f.obligation_id] = "open"
                    self.due[f.obligation_id] = f.due
                    if f.programme == "1311":
                        assert f.due is None or f.due == add_working_days(f.opened_on, 5)
                    if f.due is not None and f.programme in ("1311", "long"):
                        assert is_working_day(f.due)
                case r.ObligationMet():
                    assert self.status[f.obligation_id] in ("open", "overdue"), "met twice or after closing"
                    self.status[f.obligation_id] = "met"
                    due = self.due[f.obligation_id]
                    assert f.on_time == (due is None or f.met_on <= due)
                    assert f.met_on == today
                case r.ObligationOverdue():
                    assert self.status[f.obligation_id] == "open"
                    assert today > f.due
                    self.status[f.obligation_id] = "overdue"
                case r.ObligationClosed():
                    assert self.status[f.obligation_id] in ("open", "overdue")
                    self.status[f.obligation_id] = "closed"
                case r.RegistrationApplied():
                    self.handling_due[f.registration_id] = f.handling_due
                    if f.handling_due is not None:
                        assert f.handling_due == add_working_days(today, 3)
                case r.RegistrationHandlingOverdue():
                    assert today > f.handling_due
                    assert f.registration_id not in self.handled
                    self.handled.add(f.registration_id)
                case _:
                    pass
        # exactly after the deadline's day: whatever is unmet with a past deadline is overdue by now
        for oid, status in self.status.items():
            due = self.due[oid]
            if status == "open" and due is not None:
                assert today <= due, f"{oid} still open on {today}, due {due}"
        return facts

    def _registrations(self, status: str) -> list[str]:
        return sorted(k for k, v in self.book.registrations.items() if v.status == status)

    @rule(
        person=st.sampled_from(PEOPLE),
        staff=st.booleans(),
        kind=st.sampled_from(["unemployed", "job_seeking"]),
        elsewhere=st.booleans(),
        graduate=st.booleans(),
        months_ago=st.integers(0, 14),
    )
    def register(
        self, person: str, staff: bool, kind: r.Kind, elsewhere: bool, graduate: bool, months_ago: int
    ) -> None:
        today = local_date(self.now)
        self._run(
            r.RegisterJobseeker(
                id=self._id(),
                at=self.now,
                county=COUNTY,
                person=person,
                person_masked="5201**1234",
                kind=kind,
                channel="staff" if staff else "kiosk",
                officer_id="o" if staff else None,
                registered_on=today - timedelta(days=30 * months_ago) if staff else today,
                category="basic_skills",
                willing_elsewhere=elsewhere,
                graduate=graduate,
            )
        )

    @precondition(lambda self: self._registrations("awaiting"))
    @rule(data=st.data(), confirm=st.booleans())
    def handle(self, data: st.DataObject, confirm: bool) -> None:
        reg = data.draw(st.sampled_from(self._registrations("awaiting")))
        if confirm:
            self._run(
                r.ConfirmRegistration(id=self._id(), at=self.now, county=COUNTY, registration_id=reg, officer_id="o")
            )
        else:
            self._run(
                r.RefuseRegistration(
                    id=self._id(), at=self.now, county=COUNTY, registration_id=reg, officer_id="o", reason="不符"
                )
            )

    @precondition(lambda self: self._registrations("confirmed"))
    @rule(data=st.data(), what=st.sampled_from(SERVICES))
    def deliver(self, data: st.DataObject, what: r.StaffService) -> None:
        reg = data.draw(st.sampled_from(self._registrations("confirmed")))
        self._run(
            r.RecordService(
                id=self._id(), at=self.now, county=COUNTY, registration_id=reg, officer_id="o", service=what
            )
        )

    @precondition(lambda self: self._registrations("confirmed"))
    @rule(data=st.data(), job=st.sampled_from(["j1", "j2", "j3", "j4"]))
    def see(self, data: st.DataObject, job: str) -> None:
        reg = data.draw(st.sampled_from(self._registrations("confirmed")))
        self._run(
            r.RecordRecommendationSeen(
                id=self._id(), at=self.now, county=COUNTY, registration_id=reg, job_ref=job, channel="kiosk"
            )
        )

    @precondition(lambda self: self._registrations("confirmed"))
    @rule(data=st.data())
    def end(self, data: st.DataObject) -> None:
        reg = data.draw(st.sampled_from(self._registrations("confirmed")))
        self._run(
            r.EndRegistration(
                id=self._id(), at=self.now, county=COUNTY, registration_id=reg, officer_id="o", reason="placed"
            )
        )

    @rule(hours=st.integers(1, 24 * 12))
    def time_passes(self, hours: int) -> None:
        later = self.now + timedelta(hours=hours)
        if local_date(later) > date(2026, 11, 30):
            return
        self.now = later
        self._run(r.Tick(id=self._id(), at=self.now, county=COUNTY))

    @rule()
    def redeliver(self) -> None:
        if self.log:
            _, facts = decide(self.book, self.log[-1])
            assert facts == []

    @invariant()
    def stored_form_round_trips(self) -> None:
        assert decode_book(encode_book(self.book)) == self.book

    def teardown(self) -> None:
        replayed = new_book(COUNTY)
        facts: list[r.JobseekerEvent] = []
        for c in self.log:
            _, more = decide(replayed, c)
            facts.extend(more)
        assert facts == self.facts
        assert encode_book(replayed) == encode_book(self.book)


CountyMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestCountyMachine = CountyMachine.TestCase
