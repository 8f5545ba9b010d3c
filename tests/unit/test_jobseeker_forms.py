"""The staff's job-seeker requests: every broken rule named by field and rule, in Chinese and English; the raw
ID number kept out of the form's repr."""

from __future__ import annotations

from datetime import date

import pytest

from services.errors import InvalidInput
from services.jobseekers import forms
from tests.conftest import new_id_number

TODAY = date(2026, 11, 26)


def _rules(error: InvalidInput) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in error.errors}


def test_a_good_registration() -> None:
    number = new_id_number()
    form = forms.parse_registration(
        {"id_number": number, "county": "gaoxin", "kind": "unemployed", "category": "basic_skills",
         "trades": ["mason"], "registered_on": "2026-10-20", "graduate": True, "groups": None},
        today=TODAY,
    )  # fmt: skip
    assert (form.county, form.registered_on, form.graduate, form.groups) == ("gaoxin", date(2026, 10, 20), True, ())
    assert number not in repr(form)


def test_every_broken_rule_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        forms.parse_registration(
            {"id_number": "123", "county": "beijing", "kind": "retired", "category": "x", "trades": [],
             "registered_on": "2026-12-01", "willing_elsewhere": "yes"},
            today=TODAY,
        )  # fmt: skip
    rules = _rules(caught.value)
    assert {f for f, _ in rules} >= {"id_number", "county", "kind", "category", "trades", "registered_on",
                                     "willing_elsewhere"}  # fmt: skip
    assert ("registered_on", "date_future") in rules
    assert all(e.message_zh and e.message_en for e in caught.value.errors)


def test_a_ledger_date_too_old() -> None:
    with pytest.raises(InvalidInput) as caught:
        forms.parse_registration(
            {"id_number": new_id_number(), "county": "liuzhi", "kind": "unemployed", "category": "basic_skills",
             "trades": ["mason"], "registered_on": "2010-01-01"},
            today=TODAY,
        )  # fmt: skip
    assert _rules(caught.value) == {("registered_on", "date_too_old")}


def test_services_refusals_and_ends() -> None:
    assert forms.parse_service({"service": "traineeship", "note": "见习基地"}) == ("traineeship", "见习基地")
    with pytest.raises(InvalidInput) as caught:
        forms.parse_service({"service": "recommendation"})  # recommendations are the platform's, not staff's
    assert _rules(caught.value) == {("service", "choice")}
    with pytest.raises(InvalidInput) as caught:
        forms.parse_refusal({"reason": "  "})
    assert _rules(caught.value) == {("reason", "required")}
    assert forms.parse_end({"reason": "moved_away"}) == "moved_away"
    with pytest.raises(InvalidInput):
        forms.parse_end({"reason": "died"})


def test_the_lowest_day_wage_asked_is_optional_and_bounded() -> None:
    body = {"id_number": new_id_number(), "county": "gaoxin", "kind": "unemployed", "category": "basic_skills",
            "trades": ["mason"]}  # fmt: skip
    assert forms.parse_registration(body, today=TODAY).min_day_wage is None
    assert forms.parse_registration({**body, "min_day_wage": None}, today=TODAY).min_day_wage is None
    assert forms.parse_registration({**body, "min_day_wage": 200}, today=TODAY).min_day_wage == 200
    for bad, rule in ((5001, "range"), (-1, "range"), ("200", "integer"), (True, "integer")):
        with pytest.raises(InvalidInput) as caught:
            forms.parse_registration({**body, "min_day_wage": bad}, today=TODAY)
        assert _rules(caught.value) == {("min_day_wage", rule)}


def test_a_job_told_by_phone_names_a_recommendations_job() -> None:
    assert forms.parse_job_ref({"job_ref": "gig:abc"}) == "gig:abc"
    assert forms.parse_job_ref({"job_ref": "fair:f/e/0"}) == "fair:f/e/0"
    for bad in ("job-1", "gig:", "gig: x", "gig:" + "x" * 197, 7, None):
        with pytest.raises(InvalidInput) as caught:
            forms.parse_job_ref({"job_ref": bad})
        assert _rules(caught.value) == {("job_ref", "job_ref_format")}
