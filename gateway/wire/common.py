"""The wire's shared pieces: field types of the JSON API (patterns, ranges and enumerations that are the parsers'
own, so the document and the parsers say the same), the error answer, and the empty and open bodies.

A field type here is what :func:`gateway.operation.decode` checks a request against before the domain parser in
``services/`` sees it, and what ``gateway/openapi.py`` writes into the document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from services import clock, forms, geography, trades
from services.fairs import decide as fairs
from services.fairs import forms as fair_forms
from services.fairs import quotas
from services.people import credit_code, identity
from services.reports import periods

Role = Literal["kiosk", "employer", "organiser", "officer", "admin"]

# ---------------------------------------------------------------- shared pieces

TradeCode = Annotated[
    str,
    Meta(
        description="a trade code of the catalogue",
        extra_json_schema={"enum": [t.code for t in trades.TRADES]},
    ),
]
MarketId = Annotated[
    str,
    Meta(
        description="a market or station id",
        extra_json_schema={"enum": [m.market_id for m in geography.MARKETS]},
    ),
]
HHMM = Annotated[
    str,
    Meta(
        pattern=clock.TIME_PATTERN,
        description="local time, Asia/Shanghai, HH:MM (00:00-23:59), ASCII or full width (０６：３０), spaces "
        "around it allowed (else 422 `time_format`)",
    ),
]
_SHOWN = "text fit to show: no control characters or bidirectional controls, something visible"
_SHOWN_LINES = "text fit to show, lines allowed: no other control characters or bidirectional controls"


def shown(max_length: int, *, optional: bool = False, multiline: bool = False) -> Meta:
    """The constraints of a free-text field as ``services.forms.text`` accepts it (422 ``control_character``,
    ``bidi_control``, ``invisible_only``), for ``Annotated[str, shown(...)]``; ``optional``: empty or only spaces
    is allowed too."""
    return Meta(
        max_length=max_length,
        pattern=forms.text_pattern(multiline=multiline, optional=optional),
        description=_SHOWN_LINES if multiline else _SHOWN,
    )


Text = Annotated[str, shown(500, optional=True, multiline=True)]
IdNumber = Annotated[
    str,
    Meta(
        pattern=identity.ID_NUMBER_PATTERN,
        description="18-character resident ID number (GB 11643): 17 digits and a digit or X, ASCII or full width, "
        "either case of X, spaces around it allowed (the server normalises it: NFKC, strip, upper case). Format "
        "`gb11643`: its region code, birth date and check character must be right (422 `id_region`, "
        "`id_birth_date_invalid`, `id_check_character`…)",
        extra_json_schema={"format": "gb11643"},
    ),
]
CreditCode = Annotated[
    str,
    Meta(
        pattern=credit_code.CREDIT_CODE_PATTERN,
        description="unified social credit code (GB 32100): 18 digits or letters without I, O, S, V, Z, ASCII "
        "or full width, either case, spaces around it allowed (the server normalises it: NFKC, strip, upper "
        "case; else 422 `credit_code_format`); format `gb32100`: the last is its check character (422 "
        "`credit_code_check_character`)",
        extra_json_schema={"format": "gb32100"},
    ),
]
CountyCode = Annotated[
    str,
    Meta(description="a county code", extra_json_schema={"enum": [c.code for c in geography.COUNTIES]}),
]
Scope = Annotated[
    str,
    Meta(
        description="a quota scope: `city` (市本级) or a county code",
        extra_json_schema={"enum": list(quotas.SCOPES)},
    ),
]
FairKind = Annotated[
    str,
    Meta(description="a kind of fair", extra_json_schema={"enum": [k.code for k in fairs.FAIR_KINDS]}),
]
Day = Annotated[date, Meta(description="a local date (Asia/Shanghai), YYYY-MM-DD")]
WrittenDay = Annotated[
    str,
    Meta(
        pattern=clock.DATE_PATTERN,
        description="a local date (Asia/Shanghai) that exists, YYYY-MM-DD, ASCII or full width, spaces around it "
        "allowed (else 422 `date_format`)",
    ),
]
Instant = Annotated[
    datetime, Meta(description="an instant, ISO 8601 with offset", extra_json_schema={"format": "date-time"})
]
IsoWeek = Annotated[
    str,
    Meta(
        pattern=f"^(?:{periods.WEEK_PATTERN})$",
        description="an ISO week of 2000-2099, e.g. 2026-W48 (W53 only in a year that has one)",
    ),
]
Month = Annotated[
    str, Meta(pattern=f"^(?:{periods.MONTH_PATTERN})$", description="a calendar month of 2000-2099, e.g. 2026-11")
]
Wage = Annotated[int, Meta(ge=1, le=fair_forms.MAX_WAGE, description="yuan per `wage_unit`")]
QuotaRule = Annotated[str, Meta(description="a quota rule", extra_json_schema={"enum": list(quotas.RULES_BY_CODE)})]


class FieldErrorBody(msgspec.Struct):
    """One broken rule on one field; ``rule`` is a stable code."""

    field: str
    rule: str
    message_zh: str
    message_en: str


class Problem(msgspec.Struct):
    """Every error answer: a stable code and messages in Chinese then English; validation lists each rule."""

    error: str
    message_zh: str
    message_en: str
    field: str | None = None
    rule: str | None = None
    errors: list[FieldErrorBody] | None = None


class EmptyBody(msgspec.Struct):
    """No fields are read; send ``{}``."""


class AnyObject(msgspec.Struct):
    """A JSON object whose fields this document does not detail yet (see the operation's description)."""


class Health(msgspec.Struct):
    status: Literal["ok"]
    kafka: bool
    redis: bool


class OpenApiDocument(msgspec.Struct):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]
