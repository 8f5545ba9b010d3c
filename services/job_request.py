"""Parsing an employer's same-day job request: the gateway's checks before anything is published."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from services import clock, forms, geography, trades
from services.errors import FieldError, InvalidInput

MAX_HEADCOUNT = 200
MAX_DAY_WAGE = 5_000
MAX_HOURS = 12
#: A job may be posted up to this long after its start (workers already at the market can still go).
LATE_POSTING_MINUTES = 60


@dataclasses.dataclass(frozen=True, slots=True)
class JobRequestForm:
    market: geography.Market
    trade: str
    headcount: int
    day_wage: int
    start: int
    hours: int
    place: str
    description: str


def parse_job_request(body: object, *, now: datetime) -> JobRequestForm:
    """Validate a job request body against the Asia/Shanghai time of ``now`` (aware)."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    market: geography.Market | None = None
    try:
        market = geography.parse_market_id(data.get("market_id"))
    except InvalidInput as error:
        errors.extend(error.errors)
    trade = data.get("trade")
    if not isinstance(trade, str) or trade not in trades.TRADES_BY_CODE:
        errors.append(
            FieldError(
                "trade", "trade_unknown", "请从工种目录中选择工种", "trade must be a code from the catalogue"
            )
        )
        trade = ""
    headcount = forms.integer(
        data, "headcount", low=1, high=MAX_HEADCOUNT, label_zh="招工人数", errors=errors
    )
    wage = forms.integer(data, "day_wage", low=1, high=MAX_DAY_WAGE, label_zh="日工资", errors=errors)
    hours = forms.integer(data, "hours", low=1, high=MAX_HOURS, label_zh="工作小时数", errors=errors)
    place = forms.text(data, "place", max_length=100, required=True, label_zh="工作地点", errors=errors)
    description = forms.text(
        data, "description", max_length=500, required=False, label_zh="说明", errors=errors
    )
    start = 0
    try:
        start = clock.parse_hhmm(data.get("start"), "start")
    except InvalidInput as error:
        errors.extend(error.errors)
    else:
        local_now = now.astimezone(clock.ZONE)
        if start < local_now.hour * 60 + local_now.minute - LATE_POSTING_MINUTES:
            errors.append(
                FieldError("start", "start_past", "开工时间已经过去", "start is already past today")
            )
        if start + hours * 60 > 24 * 60:
            errors.append(
                FieldError("hours", "ends_tomorrow", "工作必须在今天内结束", "the job must end today")
            )
    if errors:
        raise InvalidInput(errors)
    assert market is not None
    return JobRequestForm(market, trade, headcount, wage, start, hours, place, description)
