"""Parsing the organiser's and officer's fair requests: every check the gateway makes before publishing.

Each parser collects all broken rules and raises them together as :class:`InvalidInput` (field and rule,
Chinese first, English second). Dates and ``HH:MM`` times are Asia/Shanghai; instants come back in UTC.
A raw ID number is returned inside a :class:`~services.people.identity.ResidentId` for the gateway to pseudonymise
at once; it never goes into a record.

Rule codes: ``required``, ``choice``, ``county_unknown``, ``kind_unknown``, ``date_format``, ``date_past``,
``date_too_far``, ``ends_before_start``, ``too_long_fair``, ``trade_unknown``, ``positions_type``,
``positions_required``, ``positions_too_many``, ``wage_order``, ``integer``, ``range``, ``string``,
``too_long``, ``time_format``, ``pass_or_id_number`` and those of :mod:`services.people.identity`,
:mod:`services.people.credit_code` and :mod:`services.fairs.passes`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from services import clock, forms, trades
from services.errors import FieldError, InvalidInput
from services.fairs import decide as fairs
from services.fairs import passes as fair_pass
from services.fairs import quotas
from services.fairs.records import FairPosition, Level, QuotaPolicy, WageUnit
from services.forms import parse_county
from services.people import credit_code, identity

MAX_DAYS_AHEAD = 400
MAX_FAIR_DAYS = 3
MAX_CAPACITY = 100_000
MAX_POSITIONS = 50
MAX_HEADCOUNT = 1_000
MAX_WAGE = 100_000


@dataclasses.dataclass(frozen=True, slots=True)
class FairTimes:
    starts_at: datetime
    ends_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleForm:
    level: Level
    kind: str
    county: str
    scope: str
    title: str
    venue: str
    times: FairTimes
    capacity: int


@dataclasses.dataclass(frozen=True, slots=True)
class EmployerForm:
    credit_code: str
    name: str
    booth: str
    positions: tuple[FairPosition, ...]


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class PersonForm:
    """A job seeker, and for intents and hires the employer, trade and wage. Keep ``resident`` in memory.

    The job seeker is given by their ID number (``resident``) or by the fair pass their phone showed
    (``pass_``, :mod:`services.fairs.passes`); exactly one of the two is set."""

    resident: identity.ResidentId | None
    credit_code: str = ""
    trade: str = ""
    wage: int = 0
    wage_unit: WageUnit = "day"
    pass_: fair_pass.FairPass | None = None

    def __repr__(self) -> str:
        return f"PersonForm(resident={self.resident!r}, pass_={self.pass_!r}, trade={self.trade!r})"

    def worker(self, pseudonym_key: bytes) -> tuple[str, str]:
        """The job seeker's pseudonym and masked ID number."""
        if self.pass_ is not None:
            return self.pass_.worker, self.pass_.worker_masked
        assert self.resident is not None
        return identity.pseudonymise(self.resident, pseudonym_key), identity.mask_id_number(self.resident.number)


def parse_scope(raw: object, field: str = "scope") -> str:
    """A quota scope: ``city`` or a county code."""
    if isinstance(raw, str) and raw.strip().lower() == quotas.CITY:
        return quotas.CITY
    return parse_county(raw, field)


def parse_schedule(body: object, *, now: datetime) -> ScheduleForm:
    data = forms.require_object(body)
    errors: list[FieldError] = []
    level = _choice(data, "level", ("city", "county"), "级别", errors)
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in fairs.KINDS_BY_CODE:
        errors.append(
            FieldError(
                "kind",
                "kind_unknown",
                "请从招聘会类型中选择",
                f"kind must be one of {', '.join(fairs.KINDS_BY_CODE)}",
            )
        )
        kind = ""
    county = _collect(lambda: parse_county(data.get("county")), "", errors)
    title = forms.text(data, "title", max_length=60, required=True, label_zh="招聘会名称", errors=errors)
    venue = forms.text(data, "venue", max_length=100, required=True, label_zh="举办地点", errors=errors)
    capacity = forms.integer(data, "capacity", low=1, high=MAX_CAPACITY, label_zh="容纳人数", errors=errors)
    times = _times(data, now, errors)
    if errors:
        raise InvalidInput(errors)
    assert times is not None and level in ("city", "county")
    return ScheduleForm(level, kind, county, fairs.scope_of(level, county), title, venue, times, capacity)  # type: ignore[arg-type]


def parse_reschedule(body: object, *, now: datetime) -> tuple[FairTimes, str | None]:
    data = forms.require_object(body)
    errors: list[FieldError] = []
    venue = forms.text(data, "venue", max_length=100, required=False, label_zh="举办地点", errors=errors)
    times = _times(data, now, errors)
    if errors:
        raise InvalidInput(errors)
    assert times is not None
    return times, venue or None


def parse_cancel(body: object) -> str:
    data = forms.require_object(body)
    errors: list[FieldError] = []
    reason = forms.text(
        data, "reason", max_length=200, required=True, label_zh="取消原因", errors=errors, multiline=True
    )
    if errors:
        raise InvalidInput(errors)
    return reason


def parse_employer(body: object) -> EmployerForm:
    data = forms.require_object(body)
    errors: list[FieldError] = []
    code = _collect(lambda: credit_code.parse_credit_code(data.get("credit_code")), "", errors)
    name = forms.text(data, "name", max_length=100, required=True, label_zh="单位名称", errors=errors)
    booth = forms.text(data, "booth", max_length=20, required=True, label_zh="展位号", errors=errors)
    positions = _positions(data.get("positions"), errors)
    if errors:
        raise InvalidInput(errors)
    return EmployerForm(code, name, booth, positions)


def parse_credit_code_body(body: object) -> str:
    data = forms.require_object(body)
    return credit_code.parse_credit_code(data.get("credit_code"))


def parse_person(
    body: object,
    *,
    now: datetime,
    with_employer: bool = False,
    with_wage: bool = False,
    pseudonym_key: bytes | None = None,
) -> PersonForm:
    """Attendance (``id_number``, or with ``pseudonym_key`` given the worker's fair ``pass`` read from their
    QR code: one of the two, 422 ``pass_or_id_number`` for both), an intent (+ ``credit_code``, ``trade``) or
    a hire (+ ``wage``, ``wage_unit``)."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    resident, shown = None, None
    if pseudonym_key is not None and "pass" in data:
        if "id_number" in data:
            raise InvalidInput(
                FieldError(
                    "pass",
                    "pass_or_id_number",
                    "入场码和身份证号码只能填一项",
                    "give the fair pass or the ID number, not both",
                )
            )
        shown = _collect(lambda: fair_pass.verify(data.get("pass"), now=now, pseudonym_key=pseudonym_key), None, errors)
    else:
        resident = _collect(
            lambda: identity.parse_id_number(data.get("id_number"), today=clock.local_date(now)), None, errors
        )
    code, trade, wage, unit = "", "", 0, "day"
    if with_employer:
        code = _collect(lambda: credit_code.parse_credit_code(data.get("credit_code")), "", errors)
        trade = _trade(data.get("trade"), "trade", errors)
    if with_wage:
        wage = forms.integer(data, "wage", low=1, high=MAX_WAGE, label_zh="工资", errors=errors)
        unit = _choice(data, "wage_unit", ("day", "month"), "工资单位", errors)
    if errors:
        raise InvalidInput(errors)
    assert resident is not None or shown is not None
    return PersonForm(resident, code, trade, wage, unit, shown)  # type: ignore[arg-type]


def parse_policy(body: object) -> QuotaPolicy:
    """A scope's policy; fields left out keep the defaults of :data:`services.fairs.quotas.DEFAULT_POLICY`."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    default = quotas.DEFAULT_POLICY
    bounds = {
        "warn_weekday": (1, 7, "预警星期（1=周一）"),
        "warn_hour": (0, 23, "预警小时"),
        "warn_month_day": (1, 31, "月度预警日"),
        "target_attendees": (0, MAX_CAPACITY, "每周到场人数目标"),
        "target_employers": (0, MAX_CAPACITY, "每周到场单位目标"),
        "target_positions": (0, MAX_CAPACITY, "每周岗位数目标"),
        "target_hires": (0, MAX_CAPACITY, "每周录用人数目标"),
    }
    values: dict[str, int] = {}
    for name, (low, high, label) in bounds.items():
        if data.get(name) is None:
            values[name] = getattr(default, name)
        else:
            values[name] = forms.integer(data, name, low=low, high=high, label_zh=label, errors=errors)
    if errors:
        raise InvalidInput(errors)
    return QuotaPolicy(**values)


# ---------------------------------------------------------------- pieces


def _collect(parse: Any, fallback: Any, errors: list[FieldError]) -> Any:
    try:
        return parse()
    except InvalidInput as error:
        errors.extend(error.errors)
        return fallback


def _choice(data: Mapping[str, Any], field: str, options: tuple[str, ...], label: str, errors: list[FieldError]) -> str:
    value = data.get(field)
    if value not in options:
        errors.append(
            FieldError(
                field,
                "choice",
                f"{label}应为：{'、'.join(options)}",
                f"{field} must be one of {', '.join(options)}",
            )
        )
        return options[0]
    return str(value)


def _trade(raw: object, field: str, errors: list[FieldError]) -> str:
    if not isinstance(raw, str) or raw not in trades.TRADES_BY_CODE:
        errors.append(
            FieldError(
                field,
                "trade_unknown",
                "请从工种目录中选择工种",
                f"{field} must be a code from the trade catalogue",
            )
        )
        return ""
    return raw


def _date(data: Mapping[str, Any], field: str, errors: list[FieldError]) -> date | None:
    raw = data.get(field)
    try:
        return clock.parse_written_date(raw)
    except ValueError:
        errors.append(
            FieldError(
                field,
                "date_format",
                "日期格式应为 YYYY-MM-DD，例如 2027-03-01",
                f"{field} must be YYYY-MM-DD",
            )
        )
        return None


def _times(data: Mapping[str, Any], now: datetime, errors: list[FieldError]) -> FairTimes | None:
    """``date`` + ``start`` .. (``end_date`` or ``date``) + ``end``, local; in UTC."""
    first = _date(data, "date", errors)
    last = _date(data, "end_date", errors) if data.get("end_date") is not None else first
    minutes: list[int] = []
    for field in ("start", "end"):
        try:
            minutes.append(clock.parse_hhmm(data.get(field), field))
        except InvalidInput as error:
            errors.extend(error.errors)
    if first is None or last is None or len(minutes) != 2:
        return None
    if date.min in (first, last):  # its local midnight is before the first instant a datetime can hold
        if first == date.min:
            errors.append(FieldError("date", "date_past", "举办日期已经过去", "date is already past"))
        else:
            errors.append(FieldError("end", "ends_before_start", "结束时间必须晚于开始时间", "end must be after start"))
        return None
    starts_at = clock.local_midnight_utc(first) + timedelta(minutes=minutes[0])
    ends_at = clock.local_midnight_utc(last) + timedelta(minutes=minutes[1])
    today = clock.local_date(now)
    if first < today:
        errors.append(FieldError("date", "date_past", "举办日期已经过去", "date is already past"))
    if first > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.append(
            FieldError(
                "date",
                "date_too_far",
                f"举办日期不能晚于{MAX_DAYS_AHEAD}天以后",
                f"date must be within {MAX_DAYS_AHEAD} days",
            )
        )
    if ends_at <= starts_at:
        errors.append(FieldError("end", "ends_before_start", "结束时间必须晚于开始时间", "end must be after start"))
    elif ends_at - starts_at > timedelta(days=MAX_FAIR_DAYS):
        errors.append(
            FieldError(
                "end_date",
                "too_long_fair",
                f"一场招聘会最长{MAX_FAIR_DAYS}天",
                f"a fair lasts at most {MAX_FAIR_DAYS} days",
            )
        )
    return FairTimes(starts_at, ends_at)


def _positions(raw: object, errors: list[FieldError]) -> tuple[FairPosition, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, Mapping) for p in raw):
        errors.append(FieldError("positions", "positions_type", "岗位应为列表", "positions must be a list of objects"))
        return ()
    if not raw:
        errors.append(FieldError("positions", "positions_required", "请至少填写一个岗位", "at least one position"))
    if len(raw) > MAX_POSITIONS:
        errors.append(
            FieldError(
                "positions",
                "positions_too_many",
                f"最多{MAX_POSITIONS}个岗位",
                f"at most {MAX_POSITIONS} positions",
            )
        )
        return ()
    found: list[FairPosition] = []
    for i, item in enumerate(raw):
        mine: list[FieldError] = []
        trade = _trade(item.get("trade"), "trade", mine)
        title = forms.text(item, "title", max_length=60, required=False, label_zh="岗位名称", errors=mine)
        headcount = forms.integer(item, "headcount", low=1, high=MAX_HEADCOUNT, label_zh="招聘人数", errors=mine)
        low = forms.integer(item, "wage_min", low=1, high=MAX_WAGE, label_zh="最低工资", errors=mine)
        high = forms.integer(item, "wage_max", low=1, high=MAX_WAGE, label_zh="最高工资", errors=mine)
        unit = _choice(item, "wage_unit", ("day", "month"), "工资单位", mine)
        if not mine and high < low:
            mine.append(FieldError("wage_max", "wage_order", "最高工资不能低于最低工资", "wage_max below wage_min"))
        errors.extend(dataclasses.replace(e, field=f"positions[{i}].{e.field}") for e in mine)
        if not mine:
            found.append(
                FairPosition(
                    trade=trade,
                    title=title,
                    headcount=headcount,
                    wage_min=low,
                    wage_max=high,
                    wage_unit=unit,  # type: ignore[arg-type]
                )
            )
    return tuple(found)
