"""A quota scope's fairs and the single-writer decision function: command in, facts out.

One :class:`FairBook` per scope (a county, or ``"city"``), the partition key of ``fair-commands``.
:func:`decide` is pure and deterministic: the same book and command always give the same new book and the
same facts (with the same ids), so a replay after a crash emits byte-identical facts that consumers
deduplicate by id.

Contracts:
- a command already applied (its id is in ``recent_commands``) yields no facts and no change;
- a person is counted once per fair; intents and hires need their attendance at that fair first;
- a fair with attendance has been held: it can no longer be rescheduled or cancelled;
- the book's clock only moves forward (``max`` of the instants seen), so a late tick changes nothing; after
  each command every tracked quota period is re-evaluated at that clock and each change of status is a fact;
  an early warning fires once per period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal, TypedDict

import msgspec

from services import clock
from services.fairs import quotas
from services.fairs import records as f
from services.records import derived_id

RECENT_COMMANDS_KEPT = 20_000
#: Intents and hires may be recorded up to this many days after a fair's last day.
FOLLOW_UP_DAYS = 30
#: Periods are kept this long after they end (a late attendance can still turn ``missed`` into ``met``).
PERIOD_RETENTION = timedelta(days=35)
#: At most this many periods are filled in when the clock jumps (a worker that was down for long).
CATCH_UP_PERIODS = 60


@dataclasses.dataclass(frozen=True, slots=True)
class FairKind:
    """A kind of recruitment event (plan clause 35), with Chinese and English names."""

    code: str
    name_zh: str
    name_en: str


FAIR_KINDS: tuple[FairKind, ...] = (
    FairKind("comprehensive", "综合性招聘会", "Comprehensive job fair"),
    FairKind("campus", "高校毕业生校园招聘", "Campus recruitment for graduates"),
    FairKind("veterans", "退役军人专场招聘会", "Job fair for veterans"),
    FairKind("disabled", "残疾人专场招聘会", "Job fair for people with disabilities"),
    FairKind("women", "女性专场招聘会", "Job fair for women"),
    FairKind("private_enterprise", "民营企业招聘月", "Private enterprise recruitment month"),
    FairKind("golden_autumn", "金秋招聘月", "Golden autumn recruitment month"),
    FairKind("online_100_days", "百日千万网络招聘", "100 days, 10 million online recruitment"),
    FairKind("relocation_site", "易地搬迁安置区专场", "Job fair at a relocation resettlement site"),
    FairKind("returning_migrants", "返乡就业专场", "Job fair for returning migrant workers"),
    FairKind("other", "其他招聘活动", "Other recruitment event"),
)
KINDS_BY_CODE: Mapping[str, FairKind] = MappingProxyType({k.code: k for k in FAIR_KINDS})


class BoothEmployer(msgspec.Struct, kw_only=True):
    employer_id: str
    employer_name: str
    booth: str
    positions: tuple[f.FairPosition, ...]
    attended: bool = False


class Fair(msgspec.Struct, kw_only=True):
    fair_id: str
    level: f.Level
    kind: str
    title: str
    venue: str
    venue_county: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: Literal["scheduled", "published", "cancelled"] = "scheduled"
    employers: dict[str, BoothEmployer] = msgspec.field(default_factory=dict)
    attendees: set[str] = msgspec.field(default_factory=set)
    intents: set[str] = msgspec.field(default_factory=set)
    hires: set[str] = msgspec.field(default_factory=set)

    @property
    def held(self) -> bool:
        return bool(self.attendees) or any(e.attended for e in self.employers.values())

    @property
    def first_day(self) -> date:
        return clock.local_date(self.starts_at)

    @property
    def last_day(self) -> date:
        return clock.local_date(self.ends_at)

    def counted(self) -> quotas.CountedFair:
        return quotas.CountedFair(
            self.fair_id,
            self.level,
            self.kind,
            self.first_day,
            self.last_day,
            self.status == "cancelled",
            self.held,
        )


class TrackedPeriod(msgspec.Struct, kw_only=True):
    rule: str
    code: str
    first_day: date
    last_day: date
    status: f.QuotaStatus | None = None
    warned: bool = False

    def period(self) -> quotas.Period:
        return quotas.Period(self.code, self.first_day, self.last_day)


class FairBook(msgspec.Struct, kw_only=True):
    scope: str
    clock: datetime | None = None
    policy: f.QuotaPolicy = msgspec.field(default_factory=f.QuotaPolicy)
    fairs: dict[str, Fair] = msgspec.field(default_factory=dict)
    periods: dict[str, TrackedPeriod] = msgspec.field(default_factory=dict)
    #: Per rule, the last day of the latest period reached by the clock.
    walked_until: dict[str, date] = msgspec.field(default_factory=dict)
    recent_commands: list[str] = msgspec.field(default_factory=list)


#: Sets and dict keys are written sorted: a set's iteration order depends on the string hash seed of the
#: process and on its insertion history, so a live book and the same book decoded from its bytes could
#: otherwise encode differently (``["w_1","w_2"]`` against ``["w_2","w_1"]``).
_book_encoder = msgspec.json.Encoder(order="deterministic")
_book_decoder = msgspec.json.Decoder(FairBook)


def encode_book(book: FairBook) -> bytes:
    """The book's canonical bytes: books that compare equal encode identically, whatever their history."""
    return _book_encoder.encode(book)


def decode_book(data: bytes) -> FairBook:
    return _book_decoder.decode(data)


def new_book(scope: str) -> FairBook:
    return FairBook(scope=scope)


def scope_of(level: f.Level, county: str) -> str:
    """The quota scope (partition key) of a fair of ``level`` held in ``county``."""
    return quotas.CITY if level == "city" else county


def placement_id(fair_id: str, employer_id: str, worker: str) -> str:
    """One placement per person, employer and fair, however often the hire is sent."""
    return derived_id("fair-placement", fair_id, employer_id, worker)


def intent_id(fair_id: str, employer_id: str, worker: str) -> str:
    return derived_id("fair-intent", fair_id, employer_id, worker)


class _Head(TypedDict):
    id: str
    at: datetime
    county: str
    command_id: str


class _Emitter:
    """Builds the facts that answer one command, with ids derived from the command id and their order."""

    def __init__(self, book: FairBook, command: f.FairCommand) -> None:
        self.book = book
        self.command = command
        self.events: list[f.FairEvent] = []

    def head(self) -> _Head:
        return {
            "id": derived_id(self.command.id, str(len(self.events))),
            "at": self.command.at,
            "county": self.book.scope,
            "command_id": self.command.id,
        }

    def refuse(self, rule: str, zh: str, en: str) -> None:
        self.events.append(
            f.FairCommandRefused(
                **self.head(),
                command_type=f.tag_of(self.command),
                fair_id=getattr(self.command, "fair_id", None),
                rule=rule,
                message_zh=zh,
                message_en=en,
            )
        )


def decide(book: FairBook, command: f.FairCommand) -> tuple[FairBook, list[f.FairEvent]]:
    """Apply ``command`` to ``book`` (which it mutates and returns) and return the facts it caused.

    ``command.at`` (the time the gateway accepted it, or the timer's time for a tick) drives the clock, so
    replays decide identically. On an exception the caller must reload the book from its stored bytes.
    """
    if command.id in book.recent_commands:
        return book, []
    out = _Emitter(book, command)
    if not isinstance(command, f.Tick):
        _apply(book, command, out)
        book.recent_commands.append(command.id)
        if len(book.recent_commands) > RECENT_COMMANDS_KEPT:
            del book.recent_commands[: len(book.recent_commands) - RECENT_COMMANDS_KEPT]
    _track_quotas(book, command.at, out)
    return book, out.events


def _apply(book: FairBook, c: f.FairCommand, out: _Emitter) -> None:
    if isinstance(c, f.ScheduleFair):
        _schedule(book, c, out)
        return
    if isinstance(c, f.SetQuotaPolicy):
        book.policy = c.policy
        out.events.append(f.QuotaPolicySet(**out.head(), officer_id=c.officer_id, policy=c.policy))
        return
    fair = book.fairs.get(getattr(c, "fair_id", ""))
    if fair is None:
        out.refuse("fair_unknown", "没有找到该招聘会", "no such fair in this county")
        return
    if fair.status == "cancelled":
        out.refuse("fair_cancelled", "该招聘会已取消", "this fair was cancelled")
        return
    match c:
        case f.RegisterFairEmployer():
            _register_employer(fair, c, out)
        case f.PublishFair():
            _publish(fair, c, out)
        case f.RescheduleFair():
            _reschedule(fair, c, out)
        case f.CancelFair():
            _cancel(fair, c, out)
        case f.RecordAttendance():
            _attend(fair, c, out)
        case f.RecordEmployerAttendance():
            _employer_attends(fair, c, out)
        case f.RecordIntent() | f.RecordHire():
            _follow_up(fair, c, out)


def _schedule(book: FairBook, c: f.ScheduleFair, out: _Emitter) -> None:
    if c.fair_id in book.fairs:
        return
    if scope_of(c.level, c.venue_county) != book.scope:
        out.refuse(
            "fair_scope",
            "招聘会的级别与所属区县不一致",
            f"a {c.level}-level fair in {c.venue_county} does not belong to scope {book.scope}",
        )
        return
    book.fairs[c.fair_id] = Fair(
        fair_id=c.fair_id,
        level=c.level,
        kind=c.kind,
        title=c.title,
        venue=c.venue,
        venue_county=c.venue_county,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        capacity=c.capacity,
    )
    out.events.append(
        f.FairScheduled(
            **out.head(),
            fair_id=c.fair_id,
            organiser_id=c.organiser_id,
            level=c.level,
            kind=c.kind,
            title=c.title,
            venue=c.venue,
            venue_county=c.venue_county,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            capacity=c.capacity,
        )
    )


def _register_employer(fair: Fair, c: f.RegisterFairEmployer, out: _Emitter) -> None:
    previous = fair.employers.get(c.employer_id)
    fair.employers[c.employer_id] = BoothEmployer(
        employer_id=c.employer_id,
        employer_name=c.employer_name,
        booth=c.booth,
        positions=c.positions,
        attended=previous.attended if previous else False,
    )
    out.events.append(
        f.FairEmployerRegistered(
            **out.head(),
            fair_id=fair.fair_id,
            employer_id=c.employer_id,
            employer_name=c.employer_name,
            booth=c.booth,
            positions=c.positions,
            employers=len(fair.employers),
            positions_total=sum(p.headcount for e in fair.employers.values() for p in e.positions),
        )
    )


def _publish(fair: Fair, c: f.PublishFair, out: _Emitter) -> None:
    if fair.status != "published":
        fair.status = "published"
        out.events.append(f.FairPublished(**out.head(), fair_id=fair.fair_id))


def _reschedule(fair: Fair, c: f.RescheduleFair, out: _Emitter) -> None:
    if fair.held:
        out.refuse(
            "fair_already_held",
            "该招聘会已有到场记录，不能改期",
            "this fair already has attendance and cannot be rescheduled",
        )
        return
    previous = (fair.starts_at, fair.ends_at)
    fair.starts_at, fair.ends_at = c.starts_at, c.ends_at
    fair.venue = c.venue or fair.venue
    out.events.append(
        f.FairRescheduled(
            **out.head(),
            fair_id=fair.fair_id,
            starts_at=fair.starts_at,
            ends_at=fair.ends_at,
            venue=fair.venue,
            previous_starts_at=previous[0],
            previous_ends_at=previous[1],
        )
    )


def _cancel(fair: Fair, c: f.CancelFair, out: _Emitter) -> None:
    if fair.held:
        out.refuse(
            "fair_already_held",
            "该招聘会已有到场记录，已算作举办，不能取消",
            "this fair already has attendance, so it was held and cannot be cancelled",
        )
        return
    fair.status = "cancelled"
    out.events.append(f.FairCancelled(**out.head(), fair_id=fair.fair_id, reason=c.reason))


def _on_the_day(fair: Fair, at: datetime, out: _Emitter) -> bool:
    if fair.status != "published":
        out.refuse(
            "fair_not_published",
            "招聘会尚未发布，请先发布再登记到场",
            "publish the fair before recording attendance",
        )
        return False
    if not fair.first_day <= clock.local_date(at) <= fair.last_day:
        out.refuse(
            "fair_not_today",
            f"只能在招聘会当天（{fair.first_day.isoformat()}）登记到场",
            f"attendance can only be recorded on the day of the fair ({fair.first_day.isoformat()})",
        )
        return False
    return True


def _attend(fair: Fair, c: f.RecordAttendance, out: _Emitter) -> None:
    if not _on_the_day(fair, c.at, out):
        return
    if c.worker in fair.attendees:
        out.refuse(
            "already_attended",
            "该求职者已登记到场，只计一次",
            "this person is already recorded as attending; counted once",
        )
        return
    if len(fair.attendees) >= fair.capacity:
        out.refuse("fair_full", "招聘会已达到容纳人数", "the fair has reached its capacity")
        return
    first = not fair.held
    fair.attendees.add(c.worker)
    if first:
        out.events.append(f.FairHeld(**out.head(), fair_id=fair.fair_id))
    out.events.append(
        f.AttendanceRecorded(
            **out.head(),
            fair_id=fair.fair_id,
            worker=c.worker,
            worker_masked=c.worker_masked,
            attendees=len(fair.attendees),
        )
    )


def _employer_attends(fair: Fair, c: f.RecordEmployerAttendance, out: _Emitter) -> None:
    employer = fair.employers.get(c.employer_id)
    if employer is None:
        out.refuse(
            "employer_not_registered",
            "该用人单位未在本场招聘会登记",
            "this employer is not registered at this fair",
        )
        return
    if not _on_the_day(fair, c.at, out) or employer.attended:
        return
    first = not fair.held
    employer.attended = True
    if first:
        out.events.append(f.FairHeld(**out.head(), fair_id=fair.fair_id))
    out.events.append(
        f.EmployerAttended(
            **out.head(),
            fair_id=fair.fair_id,
            employer_id=c.employer_id,
            employers_attended=sum(1 for e in fair.employers.values() if e.attended),
        )
    )


def _follow_up(fair: Fair, c: f.RecordIntent | f.RecordHire, out: _Emitter) -> None:
    what_zh, what_en = ("录用", "hire") if isinstance(c, f.RecordHire) else ("意向", "intent")
    employer = fair.employers.get(c.employer_id)
    if employer is None:
        out.refuse(
            "employer_not_registered",
            "该用人单位未在本场招聘会登记",
            "this employer is not registered at this fair",
        )
        return
    if c.worker not in fair.attendees:
        out.refuse(
            "worker_not_attended",
            f"该求职者没有在本场招聘会登记到场，不能记录{what_zh}",
            f"this person was never recorded as attending this fair; no {what_en} can be recorded",
        )
        return
    if c.trade not in {p.trade for p in employer.positions}:
        out.refuse(
            "trade_not_offered",
            "该用人单位在本场招聘会没有这个工种的岗位",
            "this employer offers no position of that trade at this fair",
        )
        return
    if clock.local_date(c.at) > fair.last_day + timedelta(days=FOLLOW_UP_DAYS):
        out.refuse(
            "follow_up_closed",
            f"招聘会结束已超过{FOLLOW_UP_DAYS}天，不能再记录{what_zh}",
            f"more than {FOLLOW_UP_DAYS} days after the fair, no {what_en} can be recorded",
        )
        return
    if isinstance(c, f.RecordIntent):
        iid = intent_id(fair.fair_id, c.employer_id, c.worker)
        if iid in fair.intents:
            out.refuse("intent_already_recorded", "该意向已记录", "this intent is already recorded")
            return
        fair.intents.add(iid)
        out.events.append(
            f.IntentRecorded(
                **out.head(),
                fair_id=fair.fair_id,
                intent_id=iid,
                worker=c.worker,
                worker_masked=c.worker_masked,
                employer_id=c.employer_id,
                trade=c.trade,
                intents=len(fair.intents),
            )
        )
        return
    pid = placement_id(fair.fair_id, c.employer_id, c.worker)
    if pid in fair.hires:
        out.refuse("hire_already_recorded", "该录用已记录", "this hire is already recorded")
        return
    fair.hires.add(pid)
    out.events.append(
        f.FairPlacementStarted(
            **out.head(),
            placement_id=pid,
            fair_id=fair.fair_id,
            venue_county=fair.venue_county,
            worker=c.worker,
            worker_masked=c.worker_masked,
            employer_id=c.employer_id,
            trade=c.trade,
            wage=c.wage,
            wage_unit=c.wage_unit,
            day_wage=c.wage if c.wage_unit == "day" else None,
            hires=len(fair.hires),
        )
    )


# ---------------------------------------------------------------- quotas


def _track_quotas(book: FairBook, at: datetime, out: _Emitter) -> None:
    """Move the clock to ``at`` (never back), then re-evaluate every tracked period and warn once."""
    now = at if book.clock is None or at > book.clock else book.clock
    moved = book.clock != now
    book.clock = now
    if not moved and not out.events:
        return
    today = clock.local_date(now)
    counted = [fair.counted() for fair in book.fairs.values()]
    for rule in quotas.rules_for(book.scope):
        for period in quotas.periods_through(rule, book.walked_until.get(rule.code), today, CATCH_UP_PERIODS):
            _track(book, rule, period)
        book.walked_until[rule.code] = rule.period_of(today).last_day
        for fair in counted:
            period = rule.period_of(fair.first_day)
            if rule.counts(fair) and not fair.cancelled and period.end + PERIOD_RETENTION >= now:
                _track(book, rule, period)
        for key in sorted(book.periods, key=lambda k: (book.periods[k].first_day, k)):
            tracked = book.periods[key]
            if tracked.rule != rule.code:
                continue
            period = tracked.period()
            count = quotas.evaluate(rule, period, counted, now)
            if count.status != tracked.status:
                out.events.append(
                    f.QuotaStatusChanged(
                        **out.head(),
                        rule=rule.code,
                        period=period.code,
                        period_start=period.start,
                        period_end=period.end,
                        status=count.status,
                        previous=tracked.status,
                        held=count.held,
                        pending=count.pending,
                        target=count.target,
                    )
                )
                tracked.status = count.status
            if not tracked.warned and quotas.should_warn(rule, period, count, book.policy, now):
                tracked.warned = True
                out.events.append(
                    f.QuotaEarlyWarning(
                        **out.head(),
                        rule=rule.code,
                        period=period.code,
                        warn_at=rule.warn_at(period, book.policy),
                        held=count.held,
                        pending=count.pending,
                        target=count.target,
                    )
                )
    _prune(book, now)


def _track(book: FairBook, rule: quotas.QuotaRule, period: quotas.Period) -> None:
    key = f"{rule.code}:{period.code}"
    if key not in book.periods:
        book.periods[key] = TrackedPeriod(
            rule=rule.code, code=period.code, first_day=period.first_day, last_day=period.last_day
        )


def _prune(book: FairBook, now: datetime) -> None:
    """Forget fairs past their follow-up window and periods long over, so the book stays small."""
    today = clock.local_date(now)
    for fair_id in [k for k, v in book.fairs.items() if v.last_day + timedelta(days=FOLLOW_UP_DAYS) < today]:
        del book.fairs[fair_id]
    for key in [k for k, v in book.periods.items() if v.period().end + PERIOD_RETENTION < now]:
        del book.periods[key]
