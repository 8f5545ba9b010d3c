"""The registry's records: kiosk devices and API tokens, accounts and their revocation (topic ``registry``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from services.records import SCHEMA_VERSION

AccountRole = Literal["kiosk", "employer", "organiser", "officer", "admin"]


class DeviceRegistered(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag="device_registered"):
    """A credential (kiosk device or employer API token) was issued; only the token's SHA-256 is kept."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    token_sha256: str
    role: AccountRole
    subject_id: str  # kiosk id or employer id (an account's id for tokens issued at sign-in)
    display_name: str
    market_id: str | None = None
    revoked: bool = False
    #: Tokens issued to an account: refused once the account is revoked; staff tokens carry their county.
    account_id: str | None = None
    county: str | None = None
    #: Tokens issued at sign-in expire; API and device tokens do not.
    expires_at: datetime | None = None


# ---------------------------------------------------------------- accounts and audit (issue 7)


class AccountRegistered(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag="account_registered"):
    """An account was created (registry topic, keyed ``account:<account_id>``). Only the argon2 hash of the
    password; an individual employer's ID number and any phone number only as keyed pseudonym and mask."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    account_id: str
    login_key: str
    role: AccountRole
    display_name: str
    password_hash: str | None = None
    county: str | None = None
    market_id: str | None = None
    credit_code: str | None = None
    id_pseudonym: str | None = None
    id_masked: str | None = None
    phone_pseudonym: str | None = None
    phone_masked: str | None = None


class AccountRevoked(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag="account_revoked"):
    """An account (a person's or a kiosk device's) was revoked: its tokens are refused, it cannot sign in."""

    v: int = SCHEMA_VERSION
    id: str
    at: datetime
    account_id: str
    revoked_by: str


RegistryRecord = DeviceRegistered | AccountRegistered | AccountRevoked


_registry_decoder: msgspec.json.Decoder[RegistryRecord] = msgspec.json.Decoder(RegistryRecord)


def decode_registry(data: bytes) -> RegistryRecord:
    return _registry_decoder.decode(data)
