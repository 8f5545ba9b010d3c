"""Accounts: parsing, argon2 password hashes, login keys, and the records that carry no raw personal data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.errors import InvalidInput
from services.people import accounts, credit_code, identity, records
from services.ratelimit import Limit, limits, verdict
from services.readmodels.registry_views import RegistryViews
from services.records import encode
from services.settings import Settings

KEY = b"unit-test-pseudonym-key"
TODAY = date(2026, 11, 26)
ID_NUMBER = "52020119850102123" + identity.check_character("52020119850102123")
CODE = "91520200MA6DX1234" + credit_code.check_character("91520200MA6DX1234")
AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def rules(error: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in error.value.errors}


def test_passwords_are_argon2id_hashes_that_verify() -> None:
    secret = accounts.Secret("correct horse battery")
    hashed = accounts.hash_password(secret)
    assert hashed.startswith("$argon2id$") and "correct" not in hashed
    assert accounts.verify_password(hashed, secret)
    assert not accounts.verify_password(hashed, accounts.Secret("wrong password!"))
    assert not accounts.verify_password(None, secret)
    assert not accounts.verify_password("not-a-hash", secret)
    assert repr(secret) == "Secret(***)"


def test_an_individual_employer_is_known_by_pseudonym_and_mask_only() -> None:
    new = accounts.parse_employer_registration(
        {
            "kind": "individual",
            "id_number": ID_NUMBER,
            "name": "张师傅",
            "password": "a-long-password",
            "phone": "138 1234 5678",
        },
        today=TODAY,
        key=KEY,
    )
    record = accounts.registered(new, record_id="r1", at=AT, password_hash="$argon2id$x")
    wire = encode(record).decode()
    assert ID_NUMBER not in wire and "13812345678" not in wire
    assert record.id_masked == "5202**********" + ID_NUMBER[-4:]
    assert record.phone_masked == "138****5678"
    assert record.login_key == "id:" + identity.pseudonymise(ID_NUMBER, KEY)
    assert record.account_id == accounts.account_id(record.login_key)
    assert ID_NUMBER not in repr(new)


def test_a_company_is_known_by_its_credit_code() -> None:
    new = accounts.parse_employer_registration(
        {"kind": "company", "credit_code": CODE.lower(), "name": "凉都建筑", "password": "a-long-password"},
        today=TODAY,
        key=KEY,
    )
    assert new.login_key == f"org:{CODE}" and new.credit_code == CODE and new.phone is None


def test_registration_names_every_broken_rule() -> None:
    with pytest.raises(InvalidInput) as error:
        accounts.parse_employer_registration(
            {"kind": "individual", "id_number": "520201201501011234", "name": "", "password": "short", "phone": "12"},
            today=TODAY,
            key=KEY,
        )
    found = rules(error)
    assert ("name", "required") in found
    assert ("password", "password_length") in found
    assert ("phone", "phone_format") in found
    assert any(field == "id_number" for field, _ in found)
    with pytest.raises(InvalidInput) as error:
        accounts.parse_employer_registration({"kind": "shop"}, today=TODAY, key=KEY)
    assert ("kind", "employer_kind") in rules(error)


def test_an_individual_employer_must_be_an_adult() -> None:
    first17 = "52020120100101123"
    minor = first17 + identity.check_character(first17)
    with pytest.raises(InvalidInput) as error:
        accounts.parse_employer_registration(
            {"kind": "individual", "id_number": minor, "name": "x", "password": "a-long-password"}, today=TODAY, key=KEY
        )
    assert ("id_number", "id_under_minimum_age") in rules(error)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"role": "officer"}, ("county", "county_required")),
        ({"role": "officer", "county": "guiyang"}, ("county", "county_unknown")),
        ({"role": "admin", "county": "panzhou"}, ("county", "county_not_allowed")),
        ({"role": "mayor"}, ("role", "role_choice")),
        ({"role": "admin", "login": "A"}, ("login", "login_format")),
    ],
)
def test_staff_accounts_are_checked(body: dict[str, str], expected: tuple[str, str]) -> None:
    full = {"login": "li.officer", "name": "李", "password": "a-long-password", **body}
    with pytest.raises(InvalidInput) as error:
        accounts.parse_staff_account(full, key=KEY)
    assert expected in rules(error)


def test_a_county_officer_is_bound_to_one_county() -> None:
    new = accounts.parse_staff_account(
        {"login": "Pz.Officer", "name": "王", "password": "a-long-password", "role": "officer", "county": "panzhou"},
        key=KEY,
    )
    assert (new.login_key, new.role, new.county) == ("user:pz.officer", "officer", "panzhou")


def test_a_login_may_be_an_id_number_a_credit_code_or_a_username() -> None:
    assert accounts.login_candidates(ID_NUMBER.lower(), key=KEY) == ["id:" + identity.pseudonymise(ID_NUMBER, KEY)]
    assert accounts.login_candidates(CODE, key=KEY) == [f"org:{CODE}"]
    assert accounts.login_candidates(" Admin ", key=KEY) == ["user:admin"]
    assert accounts.login_candidates("!", key=KEY) == []
    assert accounts.login_candidates(42, key=KEY) == []


def test_phone_pseudonyms_are_keyed_and_apart_from_worker_pseudonyms() -> None:
    one = accounts.protect_phone("13812345678", KEY)
    assert one.masked == "138****5678" and one.pseudonym.startswith("p_")
    assert one.pseudonym != accounts.protect_phone("13812345678", b"another-key-entirely").pseudonym
    with pytest.raises(ValueError, match="empty"):
        accounts.phone_pseudonym("13812345678", b"")


def test_the_registry_projection_keeps_hashes_and_masks_and_marks_revocations() -> None:
    views = RegistryViews("p.")
    new = accounts.parse_staff_account(
        {"login": "sc.officer", "name": "赵", "password": "a-long-password", "role": "officer", "county": "shuicheng"},
        key=KEY,
    )
    record = accounts.registered(new, record_id="r", at=AT, password_hash="$argon2id$h")
    [(key, view)] = views.apply(record, {}).items()
    assert key == f"p.auth:account:{record.account_id}" and view is not None
    assert view["county"] == "shuicheng" and view["password_hash"] == "$argon2id$h" and not view["revoked"]
    revoked = records.AccountRevoked(id="x", at=AT, account_id=record.account_id, revoked_by="admin:a")
    after = views.apply(revoked, {key: view})[key]
    assert after is not None and after["revoked"] and "password_hash" not in after and after["county"] == "shuicheng"
    decoded = records.decode_registry(encode(revoked))
    assert decoded == revoked


def test_rate_limit_verdicts() -> None:
    limit = Limit("signin_per_account", 2, 300, "每个账号登录", "sign-ins per account")
    assert verdict(limit, 2, 250).allowed
    refused = verdict(limit, 3, 250)
    assert not refused.allowed and refused.retry_after == 250
    assert "signin_per_account" in refused.message_zh() and "signin_per_account" in refused.message_en()
    assert verdict(limit, 3, -1).retry_after == 300
    table = limits(Settings(signin_per_account_max=7))
    assert table["signin_per_account"].max_requests == 7
    assert set(table) >= {"signin_per_address", "kiosk_requests", "account_requests", "address_requests"}
