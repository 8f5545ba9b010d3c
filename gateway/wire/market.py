"""The market's requests and answers: check-ins, job requests, offers, placement steps (issues 6, 23, 24)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from gateway.wire.common import HHMM, IdNumber, MarketId, Text, TradeCode, shown
from services.people import groups


class CheckInBody(msgspec.Struct):
    """A worker checks in for today at the kiosk's market."""

    id_number: IdNumber
    trades: Annotated[list[TradeCode], Meta(min_length=1, max_length=5, extra_json_schema={"uniqueItems": True})]
    min_day_wage: Annotated[int, Meta(ge=0, le=5_000)]
    available_from: HHMM
    available_until: HHMM
    market_id: Annotated[MarketId, Meta(description="if given, must be the kiosk's own market (else 403)")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    groups: (
        Annotated[
            list[Annotated[str, Meta(extra_json_schema={"enum": [g.code for g in groups.GROUPS]})]],
            Meta(max_length=len(groups.GROUPS), description="priority groups declared by the worker (null: none)"),
        ]
        | None
    ) = []
    willing_to_travel: Annotated[bool, Meta(description='willing to work elsewhere (the "1+3" lists)')] = False


class JobRequestBody(msgspec.Struct, kw_only=True):
    """A same-day job, today at the market (local time). ``start`` + ``hours`` ends by midnight (422 ``hours``
    ``ends_tomorrow``). A ``start`` before the current local minute is refused (422 ``start``, rule
    ``start_past``) unless ``start_now`` is true ("现在就要人"): the start is then now, rounded up to the minute,
    and ``start`` is ignored; without ``start_now``, ``start`` is required. The posting is screened:
    discriminatory words, charges to workers and wages under the legal minimum for ``hours`` in the market's
    county are refused (422 naming ``description``, ``place`` or ``day_wage`` and the rule)."""

    market_id: MarketId
    trade: TradeCode
    headcount: Annotated[int, Meta(ge=1, le=200)]
    day_wage: Annotated[int, Meta(ge=1, le=5_000, description="yuan for the day")]
    start: (
        Annotated[
            HHMM,
            Meta(
                description="local start time today, not before the current minute (else 422 `start_past`); "
                "required unless `start_now`"
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    start_now: Annotated[bool, Meta(description="start as soon as possible (start = now, rounded up)")] = False
    hours: Annotated[int, Meta(ge=1, le=12)]
    place: Annotated[str, shown(100)]
    description: Text = ""
    certificate_required: bool | None = None


class OfferAnswerBody(msgspec.Struct):
    answer: Literal["accept", "decline"]


class PlacementStepBody(msgspec.Struct):
    """``arrived``, ``completed``, ``wage_paid`` (the employer, in that order) or ``wage_received`` (the worker).
    ``with_arrival`` (with ``completed``): arrival and completion at once, only after the start. A step the rules
    refuse (docs/placement-life.md) is answered 409 with the rule as ``error``."""

    step: Literal["arrived", "completed", "wage_paid", "wage_received"]
    with_arrival: bool = False


class PlacementCorrectionBody(msgspec.Struct):
    """The step to withdraw: by the party who records it, within ``LINGONG_STEP_CORRECTION_MINUTES`` (default
    30) of recording it, later steps first (409 with the rule otherwise)."""

    step: Literal["arrived", "completed", "wage_paid", "wage_received"]


class HeadcountBody(msgspec.Struct):
    """The request's new headcount (issue 24): never below the workers already accepted."""

    headcount: Annotated[int, Meta(ge=1, le=200)]


class HeadcountAccepted(msgspec.Struct):
    request_id: str
    status: Literal["accepted"]
    command_id: str
    headcount: int


class CheckInAccepted(msgspec.Struct):
    checkin_id: str
    status: Literal["accepted"]
    status_url: str
    page_url: str
    worker_masked: str
    market_id: str


class CheckInCommandAccepted(msgspec.Struct):
    checkin_id: str
    status: Literal["accepted"]
    status_url: str


class JobRequestAccepted(msgspec.Struct):
    request_id: str
    status: Literal["accepted"]
    status_url: str | None = None


class OfferAnswerAccepted(msgspec.Struct):
    offer_id: str
    answer: Literal["accept", "decline"]
    status: Literal["accepted"]
    status_url: str


class PlacementCommandAccepted(msgspec.Struct):
    """``command_id``: a refusal by the market (a rule that depends on the steps standing) is shown on the
    ticket's job (``refusal``) and the job request (``last_refusal``) with this id."""

    placement_id: str
    status: Literal["accepted"]
    command_id: str | msgspec.UnsetType = msgspec.UNSET


class Ticket(msgspec.Struct):
    """The worker's ticket (a read model): ``status`` is ``queued``, ``offered``, ``placed``, ``paused``,
    ``refused``…; an open offer carries its ``expires_at``, an expired one leaves a ``notice``."""

    checkin_id: str
    status: str


class WhyNotWorker(msgspec.Struct):
    ticket_no: int | None
    tier: int | None
    status: str | None


class WhyNotHolder(msgspec.Struct):
    ticket_no: int | None
    tier: int | None
    why: dict[str, Any] | None


class WhyNotAnswer(msgspec.Struct):
    """ "Why not me?": the first eligibility rule that fails (or none), and who was offered the job and why."""

    checkin_id: str | None
    request_id: str | None
    eligible: bool
    got_it: bool
    rule: str | None
    message_zh: str
    message_en: str
    worker: WhyNotWorker
    given_to: list[WhyNotHolder]


class JobRequestView(msgspec.Struct):
    """The employer's view of a request (a read model): offers out, accepted workers (masked)."""

    request_id: str
    status: str
    employer_id: str
