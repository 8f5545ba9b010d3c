"""County scoping: the one rule every staff view applies, at each role boundary."""

from __future__ import annotations

import pytest

from services import geography
from services.people.access import AccessDenied, Viewer, may_read, require_read, visible

COUNTIES = [c.code for c in geography.COUNTIES]


def test_a_county_officer_reads_only_their_county() -> None:
    panzhou = Viewer("officer", "panzhou")
    assert may_read(panzhou, "panzhou")
    assert not may_read(panzhou, "shuicheng")
    assert not may_read(panzhou, "city")
    assert not may_read(panzhou, None)
    assert visible(panzhou, COUNTIES) == ["panzhou"]


def test_the_city_administrator_reads_every_county_and_the_city() -> None:
    admin = Viewer("admin")
    assert visible(admin, [*COUNTIES, "city"]) == [*COUNTIES, "city"]
    assert may_read(admin, None)


def test_an_officer_without_a_county_reads_nothing() -> None:
    assert visible(Viewer("officer"), [*COUNTIES, "city"]) == []


@pytest.mark.parametrize(("county", "expected"), [(None, [*COUNTIES, "city"]), ("liuzhi", ["liuzhi"])])
def test_an_organiser_is_city_wide_unless_bound_to_a_county(county: str | None, expected: list[str]) -> None:
    assert visible(Viewer("organiser", county), [*COUNTIES, "city"]) == expected


@pytest.mark.parametrize("role", ["kiosk", "employer"])
def test_kiosks_and_employers_see_no_staff_data(role: str) -> None:
    viewer = Viewer(role, "panzhou")  # type: ignore[arg-type]
    assert visible(viewer, COUNTIES) == []
    with pytest.raises(AccessDenied) as denied:
        require_read(viewer, "panzhou")
    assert denied.value.rule == "staff_only"


def test_require_read_names_the_rule_in_both_languages() -> None:
    with pytest.raises(AccessDenied) as denied:
        require_read(Viewer("officer", "panzhou"), "shuicheng")
    assert denied.value.rule == "county_out_of_scope"
    assert "本县" in denied.value.message_zh and "county" in denied.value.message_en
    require_read(Viewer("officer", "shuicheng"), "shuicheng")
