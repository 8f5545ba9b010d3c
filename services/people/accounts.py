"""Accounts: employers (a company's unified social credit code, or an individual's verified ID number), staff
(organiser, county officer bound to one county, city administrator) and kiosk devices bound to a market.

Contracts:

* Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile); only the hash goes
  into an :class:`~services.records.AccountRegistered` record. :func:`verify_password` takes the same time for
  an unknown account (it checks a fixed dummy hash), so sign-in does not reveal which logins exist.
* An account's id is derived from its login key (:func:`account_id`), so one login is one account.
  Login keys: ``user:<name>`` for staff and devices, ``org:<credit code>`` for companies, and ``id:<pseudonym>``
  for individuals — the raw ID number is never part of a key or a record, only its keyed pseudonym and mask.
* Phone numbers travel as a keyed pseudonym (:func:`phone_pseudonym`) and a mask (``138****5678``), like ID
  numbers; the key is the settings' pseudonym key, separated by domain.
* Parsers collect every broken rule into :class:`~services.errors.InvalidInput`. Rule codes: ``required``,
  ``string``, ``too_long``, ``login_format``, ``password_length``, ``role_choice``, ``county_unknown``,
  ``county_required``, ``county_not_allowed``, ``employer_kind``, ``id_under_minimum_age`` (and those of
  :mod:`services.people.identity`, :mod:`services.people.credit_code`, :mod:`services.geography`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services import forms, geography
from services.errors import FieldError, InvalidInput
from services.people import credit_code, identity, records
from services.records import derived_id

StaffRole = Literal["organiser", "officer", "admin"]
STAFF_ROLES: tuple[StaffRole, ...] = ("organiser", "officer", "admin")
PASSWORD_MIN = 10
PASSWORD_MAX = 128
NAME_MAX = 60
#: Individuals registering as employers must be adults.
EMPLOYER_MINIMUM_AGE = 18

_USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,31}")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("lingong-dummy-password-for-unknown-accounts")


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Secret:
    """A password in memory; ``repr`` hides it."""

    value: str

    def __repr__(self) -> str:
        return "Secret(***)"


@dataclasses.dataclass(frozen=True, slots=True)
class Phone:
    """A phone number as it may be stored: keyed pseudonym and mask."""

    pseudonym: str
    masked: str


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class NewAccount:
    """A valid account form. ``password`` is the plain password, to be hashed before anything is stored."""

    login_key: str
    role: records.AccountRole
    display_name: str
    password: Secret | None
    county: str | None = None
    market_id: str | None = None
    credit_code: str | None = None
    id_pseudonym: str | None = None
    id_masked: str | None = None
    phone: Phone | None = None

    def __repr__(self) -> str:
        return f"NewAccount(login_key={self.login_key!r}, role={self.role!r})"


def account_id(login_key: str) -> str:
    """The account's id: a function of its login key, so one login can hold one account only."""
    return derived_id("account", login_key)


def hash_password(password: Secret) -> str:
    """The argon2id hash (PHC string, salted)."""
    return _hasher.hash(password.value)


def verify_password(stored_hash: str | None, password: Secret) -> bool:
    """Whether ``password`` matches ``stored_hash``; ``None`` (no such account) costs the same and is False."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password.value) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def phone_pseudonym(phone: str, key: bytes) -> str:
    """``"p_"`` + 32 hex digits of HMAC-SHA256(key, "phone:" + digits): separate from worker pseudonyms."""
    if not key:
        raise ValueError("pseudonym key must not be empty")
    return "p_" + hmac.new(key, b"phone:" + phone.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:32]


def protect_phone(phone: str, key: bytes) -> Phone:
    """A validated phone number (11 digits) as pseudonym and mask; the number itself is dropped."""
    return Phone(phone_pseudonym(phone, key), identity.mask_phone(phone))


def login_candidates(raw: object, *, key: bytes) -> list[str]:
    """The login keys a sign-in ``login`` may stand for: an ID number (as pseudonym), a credit code, a
    username. Empty when it can be none of them."""
    text = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
    found: list[str] = []
    upper = text.upper()
    if re.fullmatch(r"[0-9]{17}[0-9X]", upper) and identity.check_character(upper[:17]) == upper[17]:
        found.append("id:" + identity.pseudonymise(upper, key))
    with contextlib.suppress(InvalidInput):
        found.append("org:" + credit_code.parse_credit_code(text))
    if _USERNAME.fullmatch(text.lower()):
        found.append("user:" + text.lower())
    return found


def parse_sign_in(body: object) -> tuple[str, Secret]:
    """``{"login": ..., "password": ...}`` as the login text and the password."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    login = forms.text(data, "login", max_length=64, required=True, label_zh="登录名", errors=errors)
    password = data.get("password")
    if not isinstance(password, str) or not password:
        errors.append(FieldError("password", "required", "请输入密码", "password is required"))
    elif len(password) > PASSWORD_MAX:
        errors.append(_password_length())
    if errors:
        raise InvalidInput(errors)
    assert isinstance(password, str)
    return login, Secret(password)


def parse_staff_account(body: object, *, key: bytes) -> NewAccount:
    """An administrator creates a staff account: ``login`` (username), ``name``, ``password``, ``role``
    (organiser / officer / admin), ``county`` (required for an officer, optional for an organiser, refused
    for an administrator), optional ``phone``."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    login = _username(data, errors)
    name = forms.text(data, "name", max_length=NAME_MAX, required=True, label_zh="姓名", errors=errors)
    password = _password(data, errors)
    role = data.get("role")
    if role not in STAFF_ROLES:
        errors.append(
            FieldError(
                "role",
                "role_choice",
                "角色应为 organiser（招聘会组织者）、officer（县级工作人员）或 admin（市级管理员）",
                "role must be organiser, officer or admin",
            )
        )
    county = _county(data, role, errors)
    phone = _phone(data, key, errors)
    if errors:
        raise InvalidInput(errors)
    assert role in STAFF_ROLES
    return NewAccount(
        login_key=f"user:{login}",
        role=role,
        display_name=name,
        password=password,
        county=county,
        phone=phone,
    )


def parse_device(body: object) -> tuple[geography.Market, str]:
    """An administrator registers a kiosk device: ``market_id`` and ``name``."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    market: geography.Market | None = None
    try:
        market = geography.parse_market_id(data.get("market_id"))
    except InvalidInput as error:
        errors.extend(error.errors)
    name = forms.text(data, "name", max_length=NAME_MAX, required=True, label_zh="设备名称", errors=errors)
    if errors:
        raise InvalidInput(errors)
    assert market is not None
    return market, name


def parse_employer_registration(body: object, *, today: date, key: bytes) -> NewAccount:
    """An employer registers: ``kind`` ``company`` with ``credit_code``, or ``individual`` with ``id_number``
    (a valid GB 11643 number of an adult); ``name``, ``password``, optional ``phone``."""
    data = forms.require_object(body)
    errors: list[FieldError] = []
    name = forms.text(data, "name", max_length=NAME_MAX, required=True, label_zh="名称", errors=errors)
    password = _password(data, errors)
    phone = _phone(data, key, errors)
    kind = data.get("kind")
    login_key = ""
    fields: dict[str, Any] = {}
    if kind == "company":
        try:
            code = credit_code.parse_credit_code(data.get("credit_code"))
            login_key, fields = f"org:{code}", {"credit_code": code}
        except InvalidInput as error:
            errors.extend(error.errors)
    elif kind == "individual":
        try:
            resident = identity.parse_id_number(data.get("id_number"), today=today, minimum_age=EMPLOYER_MINIMUM_AGE)
            pseudonym = identity.pseudonymise(resident, key)
            login_key = f"id:{pseudonym}"
            fields = {"id_pseudonym": pseudonym, "id_masked": resident.masked}
        except InvalidInput as error:
            errors.extend(error.errors)
    else:
        errors.append(
            FieldError(
                "kind",
                "employer_kind",
                "用工主体类型应为 company（单位，凭统一社会信用代码）或 individual（个人，凭身份证号码）",
                "kind must be company (with a unified social credit code) or individual (with an ID number)",
            )
        )
    if errors:
        raise InvalidInput(errors)
    return NewAccount(login_key=login_key, role="employer", display_name=name, password=password, phone=phone, **fields)


def registered(
    new: NewAccount, *, record_id: str, at: datetime, password_hash: str | None
) -> records.AccountRegistered:
    """The record of a new account: the password hash only, pseudonyms and masks only."""
    return records.AccountRegistered(
        id=record_id,
        at=at,
        account_id=account_id(new.login_key),
        login_key=new.login_key,
        role=new.role,
        display_name=new.display_name,
        password_hash=password_hash,
        county=new.county,
        market_id=new.market_id,
        credit_code=new.credit_code,
        id_pseudonym=new.id_pseudonym,
        id_masked=new.id_masked,
        phone_pseudonym=new.phone.pseudonym if new.phone else None,
        phone_masked=new.phone.masked if new.phone else None,
    )


# ---------------------------------------------------------------- field helpers


def _username(data: Mapping[str, Any], errors: list[FieldError]) -> str:
    raw = data.get("login")
    text = unicodedata.normalize("NFKC", raw).strip().lower() if isinstance(raw, str) else ""
    if not _USERNAME.fullmatch(text):
        errors.append(
            FieldError(
                "login",
                "login_format",
                "登录名应为3到32位小写字母、数字或 ._-，以字母开头",
                "login must be 3 to 32 lower-case letters, digits or ._-, starting with a letter",
            )
        )
    return text


def _password_length() -> FieldError:
    return FieldError(
        "password",
        "password_length",
        f"密码长度应为 {PASSWORD_MIN} 到 {PASSWORD_MAX} 个字符",
        f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters",
    )


def _password(data: Mapping[str, Any], errors: list[FieldError]) -> Secret | None:
    raw = data.get("password")
    if not isinstance(raw, str) or not raw:
        errors.append(FieldError("password", "required", "请设置密码", "password is required"))
        return None
    if not PASSWORD_MIN <= len(raw) <= PASSWORD_MAX:
        errors.append(_password_length())
        return None
    return Secret(raw)


def _county(data: Mapping[str, Any], role: object, errors: list[FieldError]) -> str | None:
    raw = data.get("county")
    if raw is None or raw == "":
        if role == "officer":
            errors.append(
                FieldError(
                    "county", "county_required", "县级工作人员须指定所属县（市、区）", "an officer needs a county"
                )
            )
        return None
    if role == "admin":
        errors.append(
            FieldError(
                "county",
                "county_not_allowed",
                "市级管理员不属于某个县（市、区）",
                "a city administrator has no county",
            )
        )
        return None
    code = raw.strip().lower() if isinstance(raw, str) else ""
    if code not in geography.COUNTIES_BY_CODE:
        errors.append(
            FieldError(
                "county",
                "county_unknown",
                f"未知的县（市、区），应为：{'、'.join(geography.COUNTIES_BY_CODE)}",
                f"county must be one of {', '.join(geography.COUNTIES_BY_CODE)}",
            )
        )
        return None
    return code


def _phone(data: Mapping[str, Any], key: bytes, errors: list[FieldError]) -> Phone | None:
    raw = data.get("phone")
    if raw is None or raw == "":
        return None
    try:
        return protect_phone(identity.validate_phone(raw), key)
    except InvalidInput as error:
        errors.extend(error.errors)
        return None
