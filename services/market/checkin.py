"""Parsing a worker's check-in at a kiosk: every rule the gateway checks before anything is published.

The raw ID number is parsed here and returned inside :class:`CheckInForm` for the gateway to pseudonymise
at once; it never goes into a record. All failures are collected and raised together as ``InvalidInput``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from services import clock, forms, trades
from services.errors import FieldError, InvalidInput
from services.people import groups, identity

MAX_DAY_WAGE = 5_000


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class CheckInForm:
    """A valid check-in. ``resident`` holds the raw number: keep it in memory, never log or publish it."""

    resident: identity.ResidentId
    trades: tuple[str, ...]
    min_day_wage: int
    available_from: int
    available_until: int
    groups: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    willing_to_travel: bool = False

    def __repr__(self) -> str:
        return f"CheckInForm(resident={self.resident!r}, trades={self.trades!r})"


def parse_check_in(body: object, *, now: datetime, minimum_age: int = 16) -> CheckInForm:
    """Validate a check-in body against the Asia/Shanghai date and time of ``now`` (aware)."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    today = clock.local_date(now)
    resident: identity.ResidentId | None = None
    raw_id = data.get("id_number")
    if not isinstance(raw_id, str) or not raw_id.strip():
        errors.append(FieldError("id_number", "required", "请输入身份证号码", "id_number is required"))
    else:
        try:
            resident = identity.parse_id_number(raw_id, today=today, minimum_age=minimum_age)
        except InvalidInput as error:
            errors.extend(error.errors)
    chosen: tuple[str, ...] = ()
    try:
        chosen = trades.parse_trades(data.get("trades"))
    except InvalidInput as error:
        errors.extend(error.errors)
    wage = forms.integer(data, "min_day_wage", low=0, high=MAX_DAY_WAGE, label_zh="最低日工资", errors=errors)
    start, end = _hours(data, now, errors)
    declared: tuple[str, ...] = ()
    try:
        declared = groups.parse_groups(data.get("groups"))
    except InvalidInput as error:
        errors.extend(error.errors)
    held: tuple[str, ...] = ()
    if data.get("certificates") is not None:
        try:
            held = trades.parse_trades(data.get("certificates"), field="certificates")
        except InvalidInput as error:
            errors.extend(error.errors)
    travel = data.get("willing_to_travel", False)
    if not isinstance(travel, bool):
        errors.append(
            FieldError(
                "willing_to_travel",
                "boolean",
                "是否愿意外出务工须为是或否",
                "willing_to_travel must be true or false",
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert resident is not None
    return CheckInForm(resident, chosen, wage, start, end, declared, held, bool(travel))


def _hours(data: Mapping[str, object], now: datetime, errors: list[FieldError]) -> tuple[int, int]:
    bounds: list[int] = []
    for field in ("available_from", "available_until"):
        try:
            bounds.append(clock.parse_hhmm(data.get(field), field))
        except InvalidInput as error:
            errors.extend(error.errors)
    if len(bounds) != 2:
        return 0, 0
    start, end = bounds
    if end <= start:
        errors.append(
            FieldError(
                "available_until",
                "hours_order",
                "可工作的结束时间必须晚于开始时间",
                "available_until must be later than available_from",
            )
        )
    local_now = now.astimezone(clock.ZONE)
    if end <= local_now.hour * 60 + local_now.minute:
        errors.append(
            FieldError(
                "available_until",
                "hours_past",
                "可工作时间已经过去，请选择今天稍后的时间",
                "available_until is already past today",
            )
        )
    return start, end
