"""The organiser's request parsers: every broken rule named, in Chinese and English."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.errors import InvalidInput
from services.fairs import forms as fair_forms
from services.people import credit_code, identity

NOW = datetime(2027, 3, 1, 0, 30, tzinfo=UTC)  # 08:30 on Monday 2027-03-01 in Liupanshui
CODE = "91520200MA6DK0X4X" + credit_code.check_character("91520200MA6DK0X4X")
ID = "52020119850315123" + identity.check_character("52020119850315123")


def schedule(**changes: Any) -> dict[str, Any]:
    return {
        "level": "county",
        "kind": "comprehensive",
        "county": "zhongshan",
        "title": "春风行动招聘会",
        "venue": "钟山区人力资源市场",
        "date": "2027-03-07",
        "start": "23:59",
        "end": "02:00",
        "end_date": "2027-03-08",
        "capacity": 300,
        **changes,
    }


def rules(error: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in error.value.errors}


def test_a_fair_at_2359_local_is_stored_in_utc_and_may_end_the_next_day() -> None:
    form = fair_forms.parse_schedule(schedule(), now=NOW)
    assert form.times.starts_at == datetime(2027, 3, 7, 15, 59, tzinfo=UTC)
    assert form.times.ends_at == datetime(2027, 3, 7, 18, 0, tzinfo=UTC)
    assert (form.scope, form.county, form.level) == ("zhongshan", "zhongshan", "county")


def test_a_city_fair_belongs_to_the_city_scope_and_keeps_its_venue_county() -> None:
    form = fair_forms.parse_schedule(schedule(level="city", county="Shuicheng"), now=NOW)
    assert (form.scope, form.county) == ("city", "shuicheng")


def test_every_broken_rule_of_a_schedule_is_named() -> None:
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_schedule(
            schedule(
                level="province",
                kind="party",
                county="beijing",
                title="",
                date="2027-02-28",
                end_date=None,
                end="23:00",
                capacity=0,
            ),
            now=NOW,
        )
    assert rules(error) >= {
        ("level", "choice"),
        ("kind", "kind_unknown"),
        ("county", "county_unknown"),
        ("title", "required"),
        ("date", "date_past"),
        ("end", "ends_before_start"),
        ("capacity", "range"),
    }
    assert all(e.message_zh and e.message_en for e in error.value.errors)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"date": "2027/03/07"}, ("date", "date_format")),
        ({"date": "2029-03-07", "end_date": None}, ("date", "date_too_far")),
        ({"start": "25:00"}, ("start", "time_format")),
        ({"end_date": "2027-03-12"}, ("end_date", "too_long_fair")),
    ],
)
def test_schedule_dates(changes: dict[str, Any], expected: tuple[str, str]) -> None:
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_schedule(schedule(**changes), now=NOW)
    assert expected in rules(error)


def test_employer_registration_checks_the_credit_code_and_each_position() -> None:
    good = {"trade": "porter", "headcount": 2, "wage_min": 150, "wage_max": 200, "wage_unit": "day"}
    form = fair_forms.parse_employer(
        {"credit_code": CODE.lower(), "name": "凉都建筑", "booth": "A1", "positions": [good]}
    )
    assert form.credit_code == CODE and form.positions[0].trade == "porter"
    bad_code = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_employer(
            {
                "credit_code": bad_code,
                "name": "x",
                "booth": "A1",
                "positions": [{**good, "trade": "astronaut"}, {**good, "wage_min": 300}],
            }
        )
    assert rules(error) == {
        ("credit_code", "credit_code_check_character"),
        ("positions[0].trade", "trade_unknown"),
        ("positions[1].wage_max", "wage_order"),
    }
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_employer({"credit_code": CODE, "name": "x", "booth": "A1", "positions": []})
    assert rules(error) == {("positions", "positions_required")}


def test_people_are_parsed_for_pseudonymisation_and_hires_name_trade_and_wage() -> None:
    person = fair_forms.parse_person({"id_number": ID}, now=NOW)
    assert person.resident.number == ID and ID not in repr(person)
    hire = fair_forms.parse_person(
        {"id_number": ID, "credit_code": CODE, "trade": "welder", "wage": 4500, "wage_unit": "month"},
        now=NOW,
        with_employer=True,
        with_wage=True,
    )
    assert (hire.credit_code, hire.trade, hire.wage, hire.wage_unit) == (CODE, "welder", 4500, "month")
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_person(
            {
                "id_number": ID[:17] + "0" if ID[17] != "0" else ID[:17] + "1",
                "trade": "x",
                "wage_unit": "hour",
            },
            now=NOW,
            with_employer=True,
            with_wage=True,
        )
    assert rules(error) == {
        ("id_number", "id_check_character"),
        ("credit_code", "credit_code_format"),
        ("trade", "trade_unknown"),
        ("wage", "required"),
        ("wage_unit", "choice"),
    }


def test_scopes_and_policies() -> None:
    assert fair_forms.parse_scope("City") == "city"
    assert fair_forms.parse_scope(" gaoxin ") == "gaoxin"
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_scope("guiyang")
    assert rules(error) == {("scope", "county_unknown")}
    policy = fair_forms.parse_policy({"warn_weekday": 2, "target_hires": 5})
    assert (policy.warn_weekday, policy.warn_hour, policy.target_hires) == (2, 12, 5)
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_policy({"warn_weekday": 8, "warn_hour": "noon"})
    assert rules(error) == {("warn_weekday", "range"), ("warn_hour", "integer")}


def test_a_fair_pass_stands_for_the_id_number_when_the_key_is_given() -> None:
    from services.fairs import passes as fair_pass

    key = b"a test pseudonym key, 32 bytes.."
    worker = identity.pseudonymise(ID, key)
    shown = fair_pass.issue(worker, identity.mask_id_number(ID), now=NOW, pseudonym_key=key)
    person = fair_forms.parse_person({"pass": shown}, now=NOW, pseudonym_key=key)
    assert person.resident is None
    assert person.worker(key) == (worker, identity.mask_id_number(ID))
    assert fair_forms.parse_person({"id_number": ID}, now=NOW, pseudonym_key=key).worker(key)[0] == worker
    with pytest.raises(InvalidInput) as error:
        fair_forms.parse_person({"pass": shown + "x"}, now=NOW, pseudonym_key=key)
    assert rules(error) == {("pass", "pass_invalid")}
