"""Helpers for the account tests: register employers and staff through the real API, sign in, read topics."""

from __future__ import annotations

import random
from typing import Any

from aiohttp.test_utils import TestClient

from services.people import credit_code, identity

_rng = random.Random()
PASSWORD = "correct-horse-battery"


def new_credit_code() -> str:
    first17 = "915202" + "".join(_rng.choice(credit_code.ALPHABET) for _ in range(11))
    return first17 + credit_code.check_character(first17)


#: Every raw phone number and ID number these helpers made (for the leak test's exact search).
ISSUED_PHONES: set[str] = set()
ISSUED_ID_NUMBERS: set[str] = set()


def new_phone() -> str:
    phone = f"1{_rng.choice('3456789')}{_rng.randint(0, 999_999_999):09d}"
    ISSUED_PHONES.add(phone)
    return phone


def adult_id_number() -> str:
    first17 = (
        f"520281{_rng.randint(1960, 1999)}{_rng.randint(1, 12):02d}{_rng.randint(1, 28):02d}{_rng.randint(0, 999):03d}"
    )
    number = first17 + identity.check_character(first17)
    ISSUED_ID_NUMBERS.add(number)
    return number


async def register_individual(gateway: TestClient, name: str = "个人雇主") -> tuple[str, str, dict[str, Any]]:
    """An individual employer with an ID number and a phone: (ID number, phone, registration answer)."""
    number, phone = adult_id_number(), new_phone()
    body = {"kind": "individual", "id_number": number, "name": name, "password": PASSWORD, "phone": phone}
    response = await gateway.post("/api/v1/employers", json=body)
    assert response.status == 200, await response.text()
    return number, phone, await response.json()


async def register_company(gateway: TestClient, name: str = "测试劳务公司", **extra: Any) -> tuple[str, dict[str, Any]]:
    """A company employer; its login (credit code) and the registration answer."""
    code = new_credit_code()
    body = {"kind": "company", "credit_code": code, "name": name, "password": PASSWORD, **extra}
    response = await gateway.post("/api/v1/employers", json=body)
    assert response.status == 200, await response.text()
    return code, await response.json()


async def sign_in(gateway: TestClient, login: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await gateway.post("/api/v1/sessions", json={"login": login, "password": password})
    assert response.status == 200, await response.text()
    return await response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
