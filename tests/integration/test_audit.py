"""Every staff view that shows personal data writes a record to the ``audit`` topic, naming no raw data."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from services import records, topics
from services.settings import Settings
from tests.conftest import new_id_number
from tests.integration.account_support import register_individual
from tests.integration.conftest import auth, check_in_body
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually


async def _audit(platform: Settings) -> list[records.PersonalDataRevealed]:
    found = await read_topic(platform.kafka_bootstrap, platform.topic(topics.AUDIT))
    return [records.decode_audit(m.value) for m in found if m.value]


async def test_viewing_a_workers_masked_id_is_audited(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], platform: Settings
) -> None:
    market, trade = lane
    number = new_id_number()
    checked_in = await gateway.post(
        "/api/v1/checkins", json=check_in_body(number, trade), headers=auth(credentials[market])
    )
    ticket = await checked_in.json()

    async def shown() -> dict[str, str] | None:
        answer = await gateway.get(f"/api/v1/staff/checkins/{ticket['checkin_id']}", headers=auth(credentials["admin"]))
        return await answer.json() if answer.status == 200 else None

    view = await eventually(shown, what="staff view")
    assert view["worker_masked"] == number[:4] + "*" * 10 + number[-4:]
    subject = f"checkin:{ticket['checkin_id']}"
    [entry] = [a for a in await _audit(platform) if a.subject == subject]
    assert entry.actor_role == "admin" and entry.actor_id == "admin-test" and entry.action == "view_checkin"
    assert entry.fields == ("worker_masked",) and entry.market_id == market
    assert number not in records.encode(entry).decode()


async def test_viewing_an_accounts_masked_id_and_phone_is_audited_and_county_scoped(
    gateway: TestClient, credentials: dict[str, str], platform: Settings
) -> None:
    number, phone, person = await register_individual(gateway)
    refused = await gateway.get(
        f"/api/v1/accounts/{person['account_id']}", headers=auth(credentials["officer_panzhou"])
    )
    assert refused.status == 403  # an employer's account has no county: city-wide staff only
    shown = await gateway.get(f"/api/v1/accounts/{person['account_id']}", headers=auth(credentials["admin"]))
    assert shown.status == 200
    body = await shown.json()
    assert body["id_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert body["phone_masked"] == phone[:3] + "****" + phone[-4:]
    assert "password_hash" not in body and "phone_pseudonym" not in body
    entries = [a for a in await _audit(platform) if a.subject == person["account_id"]]
    assert [(a.action, a.fields, a.actor_role) for a in entries] == [
        ("view_account", ("id_masked", "phone_masked"), "admin")
    ]
