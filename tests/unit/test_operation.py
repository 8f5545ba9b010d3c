"""Requests decoded by their operation's declared type (gateway/operation.py): strict types, unknown fields
ignored, a refusal naming the field and the rule in Chinese and English, the domain's words first."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from gateway import api
from gateway.operation import decode, parsed, refusal
from gateway.wire.market import CheckInBody
from services.errors import InvalidInput
from services.people import accounts

ROOT = Path(__file__).resolve().parents[2]
OPS = {op.name: op for op in api.OPERATIONS}
CHECK_IN = {
    "id_number": "520201198001010019",
    "trades": ["mason"],
    "min_day_wage": 150,
    "available_from": "06:30",
    "available_until": "18:00",
}


def _refused(name: str, body: Any) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        decode(OPS[name], body)
    (error,) = caught.value.errors
    assert error.message_zh and error.message_en
    return error.as_dict()


def test_a_body_decodes_to_its_type_and_unknown_fields_are_ignored() -> None:
    decoded = decode(OPS["checkins"], {**CHECK_IN, "nickname": "老王"})
    assert isinstance(decoded, CheckInBody) and decoded.trades == ["mason"] and decoded.groups == []


def test_whole_numbers_written_with_a_fraction_are_integers_as_in_json_schema() -> None:
    assert decode(OPS["checkins"], {**CHECK_IN, "min_day_wage": 150.0}).min_day_wage == 150
    assert _refused("checkins", {**CHECK_IN, "min_day_wage": 150.5})["rule"] == "type"


@pytest.mark.parametrize(
    ("name", "body", "field", "rule"),
    [
        ("checkins", {**CHECK_IN, "min_day_wage": "150"}, "min_day_wage", "type"),
        ("checkins", {**CHECK_IN, "min_day_wage": -1}, "min_day_wage", "range"),
        ("checkins", {**CHECK_IN, "trades": []}, "trades", "length"),
        ("checkins", {**CHECK_IN, "available_from": "25:00"}, "available_from", "format"),
        ("checkins", {k: v for k, v in CHECK_IN.items() if k != "trades"}, "trades", "required"),
        ("offer_answer", {"answer": "maybe"}, "answer", "choice"),
        ("employers", {"kind": "club"}, "kind", "choice"),
        ("employers", {"name": "王"}, "kind", "required"),
        (
            "fair_employers",
            {"credit_code": "91520200MA6DJQ4X3K", "name": "a", "booth": "b", "positions": [{"trade": 3}]},
            "positions[0].trade",
            "type",
        ),
    ],
)
def test_a_refusal_names_the_field_and_the_rule(name: str, body: dict[str, Any], field: str, rule: str) -> None:
    found = _refused(name, body)
    assert (found["field"], found["rule"]) == (field, rule)
    assert field in found["message_zh"] and field in found["message_en"]


def test_an_operation_without_a_request_type_decodes_nothing() -> None:
    assert decode(OPS["checkin"], {"anything": 1}) is None


def test_the_domain_words_a_rule_it_knows_and_the_type_one_only_it_knows() -> None:
    with pytest.raises(InvalidInput) as caught:
        parsed(OPS["sessions"], {"login": "admin", "password": ""}, accounts.parse_sign_in)
    assert caught.value.errors[0].field == "password"
    assert parsed(OPS["sessions"], {"login": "admin", "password": "x"}, accounts.parse_sign_in)[0] == "admin"

    def lenient(body: Any) -> str:
        return "accepted"

    with pytest.raises(InvalidInput) as only_type:
        parsed(OPS["sessions"], {"login": "admin", "password": 7}, lenient)
    assert (only_type.value.errors[0].field, only_type.value.errors[0].rule) == ("password", "type")


def test_a_message_without_a_path_names_the_body() -> None:
    assert refusal("Expected `object`, got `array`").field == "body"


def test_every_json_post_declares_its_body() -> None:
    assert all(op.request is not None for op in api.OPERATIONS if op.method == "POST")


def test_handlers_authenticate_with_the_roles_they_declare() -> None:
    """Roles are written once, in the declaration: no view names roles in an ``authenticate`` call, except
    ``reports.staff`` (the CSV exports and pages, which are not JSON operations)."""
    naming: set[str] = set()
    for path in sorted((ROOT / "gateway" / "views").glob("*.py")):
        for top in ast.parse(path.read_text()).body:
            if not isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(top):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name | ast.Attribute)
                    and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr).startswith("authenticate")
                    and any(isinstance(arg, ast.Constant) for arg in node.args)
                ):
                    naming.add(f"{path.stem}.{top.name}")
    assert naming == {"reports.staff"}
