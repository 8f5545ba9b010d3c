"""Parsing the staff's job-seeker requests: every check the gateway makes before publishing.

Each parser collects all broken rules and raises them together as :class:`InvalidInput` (field and rule, Chinese
first, English second). A raw ID number comes back inside a :class:`~services.people.identity.ResidentId` for the
gateway to pseudonymise and mask at once; it never goes into a record.

Rule codes: ``choice``, ``boolean``, ``date_format``, ``date_future``, ``date_too_old``, ``required``,
``string``, ``too_long`` and those of :mod:`services.people.identity`, :mod:`services.trades`,
:mod:`services.people.groups` and :func:`services.forms.parse_county`.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, get_args

from services import forms, trades
from services.errors import FieldError, InvalidInput
from services.forms import parse_county
from services.jobseekers import records as js
from services.people import groups, identity

#: The oldest registration date staff may enter from a paper ledger (about ten years back).
MAX_YEARS_BACK = 10
MAX_NOTE = 500
MAX_REASON = 200
#: The highest day wage a person may ask (as at the gig market's check-in).
MAX_DAY_WAGE = 5_000


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class RegistrationForm:
    """A registration entered by staff. Keep ``resident`` in memory only: pseudonymise and mask it at once."""

    resident: identity.ResidentId
    county: str
    kind: js.Kind
    registered_on: date
    trades: tuple[str, ...]
    category: js.Category
    willing_elsewhere: bool
    graduate: bool
    groups: tuple[str, ...]
    min_day_wage: int | None = None

    def __repr__(self) -> str:
        return f"RegistrationForm(county={self.county!r}, kind={self.kind!r}, registered_on={self.registered_on})"


def parse_registration(body: object, *, today: date) -> RegistrationForm:
    """``id_number``, ``county`` (the county keeping the registration), ``kind``, ``category``, ``trades``,
    optional ``registered_on`` (default ``today``; not after it, at most :data:`MAX_YEARS_BACK` years before),
    ``willing_elsewhere``, ``graduate``, ``groups``, optional ``min_day_wage`` (the lowest day wage asked, 0 to
    :data:`MAX_DAY_WAGE` yuan; what recommendations must pay at least). Whether the caller may register in
    ``county`` is the gateway's check."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    resident = _collect(lambda: identity.parse_id_number(data.get("id_number"), today=today), None, errors)
    county = _collect(lambda: parse_county(data.get("county")), "", errors)
    kind = _choice(data, "kind", get_args(js.Kind), "登记类别", errors)
    category = _choice(data, "category", get_args(js.Category), "人员类别", errors)
    chosen = _collect(lambda: trades.parse_trades(data.get("trades")), (), errors)
    tags = _collect(lambda: groups.parse_groups(data.get("groups")), (), errors)
    registered_on = today
    if data.get("registered_on") is not None:
        registered_on = _date(data, "registered_on", errors) or today
        if registered_on > today:
            errors.append(
                FieldError(
                    "registered_on", "date_future", "登记日期不能晚于今天", "registered_on cannot be after today"
                )
            )
        elif registered_on < today - timedelta(days=366 * MAX_YEARS_BACK):
            errors.append(
                FieldError(
                    "registered_on",
                    "date_too_old",
                    f"登记日期不能早于{MAX_YEARS_BACK}年前",
                    f"registered_on cannot be more than {MAX_YEARS_BACK} years ago",
                )
            )
    willing = _boolean(data, "willing_elsewhere", "是否愿意外出务工", errors)
    graduate = _boolean(data, "graduate", "是否未就业毕业生", errors)
    wage: int | None = None
    if data.get("min_day_wage") is not None:
        wage = forms.integer(data, "min_day_wage", low=0, high=MAX_DAY_WAGE, label_zh="最低日工资", errors=errors)
    if errors:
        raise InvalidInput(errors)
    assert resident is not None
    return RegistrationForm(
        resident,
        county,
        kind,  # type: ignore[arg-type]
        registered_on,
        chosen,
        category,  # type: ignore[arg-type]
        willing,
        graduate,
        tags,
        wage,
    )


def parse_service(body: object) -> tuple[js.StaffService, str]:
    """``service`` (briefing, guidance, training, traineeship, assistance) and an optional ``note``."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    service = _choice(data, "service", get_args(js.StaffService), "服务项目", errors)
    note = forms.text(data, "note", max_length=MAX_NOTE, required=False, label_zh="备注", errors=errors)
    if errors:
        raise InvalidInput(errors)
    return service, note  # type: ignore[return-value]


#: A job as the matcher names it: ``gig:<request id>`` or ``fair:<fair>/<employer>/<position>``.
MAX_JOB_REF = 200
JOB_REF = re.compile(r"^(gig|fair):\S")


def parse_job_ref(body: object) -> str:
    """``job_ref``: the recommended job staff told the person of by phone, as the recommendations name it
    (``gig:…`` or ``fair:…``, at most :data:`MAX_JOB_REF` characters). Whether it is a job the matcher
    recommends is not checked: staff may tell of a job found another way, and it counts once like any other."""
    data = forms.require_object(body)
    ref = data.get("job_ref")
    if not isinstance(ref, str) or len(ref) > MAX_JOB_REF or not JOB_REF.match(ref):
        raise InvalidInput(
            FieldError(
                "job_ref",
                "job_ref_format",
                "推荐岗位应为推荐列表中的编号（gig: 或 fair: 开头，不超过 200 个字符）",
                "job_ref must be a recommendation's job (gig:… or fair:…, at most 200 characters)",
            )
        )
    return ref


def parse_refusal(body: object) -> str:
    """``reason``, told to the applicant as written."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    reason = forms.text(data, "reason", max_length=MAX_REASON, required=True, label_zh="不予登记的原因", errors=errors)
    if errors:
        raise InvalidInput(errors)
    return reason


def parse_end(body: object) -> js.EndReason:
    """``reason``: placed, moved_away or withdrawn."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    reason = _choice(data, "reason", get_args(js.EndReason), "结束原因", errors)
    if errors:
        raise InvalidInput(errors)
    return reason  # type: ignore[return-value]


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
                field, "choice", f"{label}应为：{'、'.join(options)}", f"{field} must be one of {', '.join(options)}"
            )
        )
        return options[0]
    return str(value)


def _boolean(data: Mapping[str, Any], field: str, label: str, errors: list[FieldError]) -> bool:
    value = data.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        errors.append(FieldError(field, "boolean", f"{label}应为 true 或 false", f"{field} must be true or false"))
        return False
    return value


def _date(data: Mapping[str, Any], field: str, errors: list[FieldError]) -> date | None:
    raw = data.get(field)
    try:
        if not isinstance(raw, str):
            raise ValueError
        return date.fromisoformat(unicodedata.normalize("NFKC", raw).strip())
    except ValueError:
        errors.append(
            FieldError(field, "date_format", "日期格式应为 YYYY-MM-DD，例如 2026-03-01", f"{field} must be YYYY-MM-DD")
        )
        return None
