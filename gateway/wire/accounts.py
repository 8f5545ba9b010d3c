"""Accounts and tokens (issue 7): sign-in, registrations, staff accounts, devices, revocations."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from gateway.wire.common import CountyCode, CreditCode, IdNumber, Instant, MarketId, Role, shown
from services.people import identity

# ---------------------------------------------------------------- accounts and tokens (issue 7)

Password = Annotated[str, Meta(min_length=10, max_length=128, description="10 to 128 characters")]
Username = Annotated[
    str, Meta(pattern=r"^[a-z][a-z0-9._-]{2,31}$", description="3 to 32 lower-case letters, digits or ._-")
]
#: One string type for a number or ``""`` (no phone): msgspec decodes a union of a pattern string and ``Literal[""]``
#: with the pattern alone.
Phone = (
    Annotated[
        str,
        Meta(
            pattern=f"^$|{identity.PHONE_PATTERN}",
            description="a mainland mobile number (stored masked): 11 digits from 13-19, ASCII or full width, "
            "spaces or hyphens between them, +86 or 0086 in front allowed (else 422 `phone_format`); empty: no "
            "phone",
        ),
    ]
    | None
)
Name = Annotated[str, shown(60)]


class SignInBody(msgspec.Struct):
    """A staff or device username, a company's credit code or an individual employer's ID number."""

    login: Annotated[str, shown(64)]
    password: Annotated[str, Meta(min_length=1, max_length=128)]


class SessionIssued(msgspec.Struct):
    """A bearer token, shown once (only its SHA-256, the ``credential_id``, is stored)."""

    token: str
    token_type: Literal["Bearer"]
    credential_id: str
    expires_at: Instant | None
    account_id: str
    role: Role
    display_name: str
    county: str | None


class CompanyRegistrationBody(msgspec.Struct, kw_only=True, tag_field="kind", tag="company"):
    """A company, by its unified social credit code."""

    name: Name
    password: Password
    credit_code: CreditCode
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class IndividualRegistrationBody(msgspec.Struct, kw_only=True, tag_field="kind", tag="individual"):
    """A person, by ID number (an adult's: 18 or older)."""

    name: Name
    password: Password
    id_number: IdNumber
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


#: ``kind`` says which: ``company`` with ``credit_code``, or ``individual`` with ``id_number``.
EmployerRegistrationBody = CompanyRegistrationBody | IndividualRegistrationBody

_NO_COUNTY = "422 `county_not_allowed` for any other value"


class StaffAccountFields(msgspec.Struct, kw_only=True):
    login: Username
    name: Name
    password: Password
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class OrganiserAccountBody(StaffAccountFields, tag_field="role", tag="organiser"):
    """An organiser of fairs, of a county or (no ``county``) of the city."""

    county: (
        Annotated[CountyCode | Literal[""] | None, Meta(description="empty, null or left out: the city")]
        | msgspec.UnsetType
    ) = msgspec.UNSET


class OfficerAccountBody(StaffAccountFields, tag_field="role", tag="officer"):
    """A county officer: sees and acts for their ``county`` only."""

    county: CountyCode


class AdminAccountBody(StaffAccountFields, tag_field="role", tag="admin"):
    """A city administrator: no county (only officers and organisers have one)."""

    county: Annotated[Literal[""] | None, Meta(description=f"empty, null or left out; {_NO_COUNTY}")] = None


#: ``role`` says which: a county only for an officer (required) or an organiser (optional), never for an admin.
StaffAccountBody = OrganiserAccountBody | OfficerAccountBody | AdminAccountBody


class DeviceBody(msgspec.Struct):
    market_id: MarketId
    name: Name


class AccountCreated(msgspec.Struct):
    account_id: str
    role: Role
    county: str | None
    market_id: str | None
    id_masked: str | None
    phone_masked: str | None
    status: Literal["registered"]


class DeviceCreated(AccountCreated):
    """The device's token, shown once."""

    token: str
    credential_id: str


class AccountView(msgspec.Struct):
    """An account with its masked personal data (the reveal is audited)."""

    account_id: str
    revoked: bool
    role: Role | msgspec.UnsetType = msgspec.UNSET
    display_name: str | msgspec.UnsetType = msgspec.UNSET
    id_masked: str | msgspec.UnsetType | None = msgspec.UNSET
    phone_masked: str | msgspec.UnsetType | None = msgspec.UNSET
    county: Annotated[str | None, Meta(description="an officer's or organiser's county, a device's market's")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    market_id: Annotated[str | None, Meta(description="a kiosk device's market")] | msgspec.UnsetType = msgspec.UNSET
    credit_code: Annotated[str | None, Meta(description="a company's credit code")] | msgspec.UnsetType = msgspec.UNSET
    created_at: Instant | msgspec.UnsetType = msgspec.UNSET
    revoked_at: Instant | msgspec.UnsetType = msgspec.UNSET
    revoked_by: Annotated[str, Meta(description="the administrator who revoked it")] | msgspec.UnsetType = msgspec.UNSET


class AccountRevokedAnswer(msgspec.Struct):
    account_id: str
    status: Literal["revoked"]


class CredentialRevokedAnswer(msgspec.Struct):
    credential_id: str
    status: Literal["revoked"]
