"""Registered job seekers (issue 27): registrations, the staff's actions and their outcomes."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from gateway.wire.common import CountyCode, Day, IdNumber, Instant, TradeCode, shown
from gateway.wire.fairs import FairRefusal
from services.people import groups


class JobseekerBody(msgspec.Struct, kw_only=True):
    """A registration: entered by a county officer (confirmed at once) or self-service at a kiosk (awaiting
    staff, handled within 3 working days). ``county`` keeps the registration: an officer's own county (else 403),
    a kiosk's market's county (else 403). ``registered_on`` (staff only; a kiosk's is today) must not be after
    today nor more than 10 years before (422 ``registered_on`` ``date_future`` / ``date_too_old``)."""

    id_number: IdNumber
    county: CountyCode
    kind: Annotated[Literal["unemployed", "job_seeking"], Meta(description="失业登记 or 求职登记")]
    category: Annotated[
        Literal["basic_skills", "lacks_basic_skills", "employment_difficulty"],
        Meta(description="三类: 具备初级技能, 缺乏基本技能, 存在就业困难"),
    ]
    trades: Annotated[list[TradeCode], Meta(min_length=1, max_length=5, extra_json_schema={"uniqueItems": True})]
    registered_on: Day | None = None
    willing_elsewhere: bool | None = False
    graduate: Annotated[bool | None, Meta(description="a graduate not yet placed")] = False
    groups: (
        Annotated[
            list[Annotated[str, Meta(extra_json_schema={"enum": [g.code for g in groups.GROUPS]})]],
            Meta(max_length=len(groups.GROUPS), description="priority groups (null: none)"),
        ]
        | None
    ) = []
    min_day_wage: (
        Annotated[int, Meta(ge=0, le=5000, description="the lowest day wage asked (yuan): recommendations pay it")]
        | None
    ) = None


class JobseekerRefuseBody(msgspec.Struct):
    """Refuse a self-service registration; ``reason`` is told to the applicant as written."""

    reason: Annotated[str, shown(200)]


class JobseekerEndBody(msgspec.Struct):
    reason: Literal["placed", "moved_away", "withdrawn"]


class JobseekerServiceBody(msgspec.Struct):
    """A service delivered today by staff; it counts toward every open obligation that accepts it."""

    service: Literal["briefing", "guidance", "training", "traineeship", "assistance"]
    note: Annotated[str, shown(500, optional=True)] = ""


class JobseekerCommandAccepted(msgspec.Struct):
    """The command is on Kafka; the county writer's verdict appears at ``status_url``."""

    command_id: str
    registration_id: str
    county: CountyCode
    status: Literal["accepted"]
    status_url: str
    registration_url: str


class JobseekerRegistrationAccepted(JobseekerCommandAccepted):
    person_masked: Annotated[str, Meta(description="the ID number with its middle hidden")]


class JobseekerCommandOutcome(msgspec.Struct):
    """``applied`` with the facts it produced, or ``refused`` with the rule (``already_registered``,
    ``registration_handled``, ``registration_not_confirmed``…)."""

    command_id: str
    status: Literal["applied", "refused"]
    facts: list[str]
    registration_id: str
    updated_at: Instant
    refusal: FairRefusal | msgspec.UnsetType = msgspec.UNSET


class JobseekerToldBody(msgspec.Struct):
    """Staff told the person of a recommended job by phone; it counts once per job toward "3 次岗位推荐"."""

    job_ref: Annotated[str, Meta(max_length=200, pattern="^(gig|fair):\\S", description="a recommendation's job_ref")]
