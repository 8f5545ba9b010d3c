"""Parsing an employer's same-day job request: the gateway's checks before anything is published.

The start: a wall-clock ``HH:MM`` not before the current local minute (rule ``start_past``), or ``start_now: true``
("现在就要人"), which sets it to now rounded up to the minute and ignores ``start``
(:mod:`services.market.request_life`).

After the field checks, the posting is screened (:mod:`services.screening.postings`): refusals join the field
errors (``description`` / ``place`` / ``day_wage`` naming the rule), review flags travel on the form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services import clock, forms, geography, trades
from services.errors import FieldError, InvalidInput
from services.market import request_life
from services.screening import postings as screening

MAX_HEADCOUNT = 200
MAX_DAY_WAGE = 5_000
MAX_HOURS = 12


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
    certificate_required: bool = False
    #: Rule codes of :mod:`services.screening.postings` flags (legal, but for staff review), e.g. ``wage_above_usual``.
    review_flags: tuple[str, ...] = ()


def parse_job_request(body: object, *, now: datetime, policy: screening.Policy | None = None) -> JobRequestForm:
    """Validate a job request body against the Asia/Shanghai time of ``now`` (aware), then screen it."""
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
            FieldError("trade", "trade_unknown", "请从工种目录中选择工种", "trade must be a code from the catalogue")
        )
        trade = ""
    headcount = forms.integer(data, "headcount", low=1, high=MAX_HEADCOUNT, label_zh="招工人数", errors=errors)
    wage = forms.integer(data, "day_wage", low=1, high=MAX_DAY_WAGE, label_zh="日工资", errors=errors)
    hours = forms.integer(data, "hours", low=1, high=MAX_HOURS, label_zh="工作小时数", errors=errors)
    place = forms.text(data, "place", max_length=100, required=True, label_zh="工作地点", errors=errors)
    description = forms.text(
        data, "description", max_length=500, required=False, label_zh="说明", errors=errors, multiline=True
    )
    start = 0
    wants_now = data.get("start_now", False)
    try:
        if not isinstance(wants_now, bool):
            raise InvalidInput(
                FieldError("start_now", "boolean", "“现在就要人”只能选是或否", "start_now must be true or false")
            )
        start = request_life.start_now(now) if wants_now else clock.parse_hhmm(data.get("start"), "start")
    except InvalidInput as error:
        errors.extend(error.errors)
    else:
        past = request_life.posting_start_error(start, now)
        if past is not None:
            errors.append(past)
        if start + hours * 60 > clock.MINUTES_PER_DAY:
            errors.append(FieldError("hours", "ends_tomorrow", "工作必须在今天内结束", "the job must end today"))
    bad = {error.field for error in errors}
    posting = screening.Posting(
        trade=trade,
        day_wage=wage,
        hours=hours,
        county=market.county if market else "",
        description="" if "description" in bad else description,
        place="" if "place" in bad else place,
    )
    verdict = screening.screen(posting, policy or screening.Policy())
    wage_checked = not bad & {"market_id", "trade", "day_wage", "hours"}
    errors.extend(e for e in verdict.refusals if e.field != "day_wage" or wage_checked)
    if errors:
        raise InvalidInput(errors)
    assert market is not None
    return JobRequestForm(
        market,
        trade,
        headcount,
        wage,
        start,
        hours,
        place,
        description,
        certificate_required(data, trade),
        verdict.review_flags if wage_checked else (),
    )


def certificate_required(data: Mapping[str, Any], trade: str) -> bool:
    """Whether the job needs the trade's certificate: the employer's choice, by default yes when one exists."""
    explicit = data.get("certificate_required")
    if isinstance(explicit, bool):
        return explicit
    return trades.TRADES_BY_CODE[trade].certificate is not None
