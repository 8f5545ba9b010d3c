"""Bad input gets a 4xx naming the field and the rule, in Chinese and English; nothing is published."""

from __future__ import annotations

import uuid

import pytest
from aiohttp.test_utils import TestClient

from services.people.identity import check_character
from tests.conftest import new_id_number
from tests.integration.conftest import auth, check_in_body, job_body


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"id_number": "520201199001011235"}, "id_number", "id_check_character"),
        (
            {"id_number": "52020119900230123" + check_character("52020119900230123")},
            "id_number",
            "id_birth_date_invalid",
        ),
        ({"id_number": "12345"}, "id_number", "id_format"),
        ({"trades": ["astronaut"]}, "trades", "trade_unknown"),
        ({"trades": []}, "trades", "trades_required"),
        ({"min_day_wage": "lots"}, "min_day_wage", "integer"),
        ({"available_from": "25:00"}, "available_from", "time_format"),
        ({"available_from": "17:00", "available_until": "16:00"}, "available_until", "hours_order"),
    ],
)
async def test_bad_check_in_names_field_and_rule(
    gateway: TestClient, credentials: dict[str, str], change: dict[str, object], field: str, rule: str
) -> None:
    valid = new_id_number()
    body = {**check_in_body(valid, "mason"), **change}
    response = await gateway.post("/api/v1/checkins", json=body, headers=auth(credentials["zs-market"]))
    assert response.status == 422
    answer = await response.json()
    assert [(e["field"], e["rule"]) for e in answer["errors"]] == [(field, rule)]
    error = answer["errors"][0]
    assert error["message_zh"] and error["message_en"] and error["message_zh"] != error["message_en"]
    assert valid not in await response.text()


async def test_under_16_is_refused(gateway: TestClient, credentials: dict[str, str]) -> None:
    first17 = "52020120110101001"  # born 2011-01-01: 15 on the test date
    body = check_in_body(first17 + check_character(first17), "mason")
    response = await gateway.post("/api/v1/checkins", json=body, headers=auth(credentials["zs-market"]))
    assert response.status == 422
    assert (await response.json())["errors"][0]["rule"] == "id_under_minimum_age"


async def test_bad_job_request_names_field(gateway: TestClient, credentials: dict[str, str]) -> None:
    body = job_body("nowhere", "mason", headcount=0)
    response = await gateway.post("/api/v1/job-requests", json=body, headers=auth(credentials["employer"]))
    assert response.status == 422
    fields = {e["field"]: e["rule"] for e in (await response.json())["errors"]}
    assert fields == {"market_id": "market_unknown", "headcount": "range"}


async def test_wrong_or_missing_credential(gateway: TestClient, credentials: dict[str, str]) -> None:
    body = check_in_body(new_id_number(), "mason")
    missing = await gateway.post("/api/v1/checkins", json=body, headers={"Idempotency-Key": "k" * 10})
    assert missing.status == 401
    employer = await gateway.post("/api/v1/checkins", json=body, headers=auth(credentials["employer"]))
    assert employer.status == 403


async def test_invalid_json_is_a_400(gateway: TestClient, credentials: dict[str, str]) -> None:
    headers = {**auth(credentials["zs-market"]), "Content-Type": "application/json"}
    response = await gateway.post("/api/v1/checkins", data=b"{not json", headers=headers)
    assert response.status == 400
    assert (await response.json())["errors"][0]["field"] == "body"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_not_sent_as_json_is_a_415(
    gateway: TestClient, credentials: dict[str, str], content_type: str | None
) -> None:
    """The document says ``application/json``: a body of another type (or of none) is not parsed as JSON."""
    headers = {**auth(credentials["admin"]), "Idempotency-Key": uuid.uuid4().hex}
    if content_type:
        headers["Content-Type"] = content_type
    response = await gateway.post("/api/v1/devices", data=b'{"market_id": "zs-market", "name": "x"}', headers=headers)
    assert response.status == 415
    problem = await response.json()
    assert (problem["error"], problem["errors"][0]["field"]) == ("content_type", "Content-Type")
    assert "application/json" in problem["message_zh"]


@pytest.mark.parametrize("body", [b"", b"[]", b'"text"', b"null", b"3"])
async def test_a_body_that_is_not_an_object_is_refused(
    gateway: TestClient, credentials: dict[str, str], body: bytes
) -> None:
    """A revoke with no body (or a body that is not an object) does nothing: 422 ``body_object``."""
    headers = {**auth(credentials["admin"]), "Content-Type": "application/json"}
    response = await gateway.post("/api/v1/credentials/" + "0" * 64 + "/revoke", data=body, headers=headers)
    assert response.status == 422
    assert (await response.json())["error"] == "body_object"
    garbage = await gateway.post(
        "/api/v1/credentials/" + "0" * 64 + "/revoke", data=b"\x01\x02\x1b[2J", headers=headers
    )
    assert garbage.status == 400
