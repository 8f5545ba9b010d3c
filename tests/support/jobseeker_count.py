"""An independent count of registered job seekers by county, grade and category, straight from the raw JSON of the
``jobseeker-events`` topic (issue 27).

It shares no code with the projector or :mod:`services.reports.jobseekers`: a registration counts while its last
fact of standing is ``registration_confirmed`` (not ``registration_ended``), under the grade of its confirmation
or of its latest ``grade_crossed``, ``none`` for a job seeker without a grade. Facts are deduplicated by id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

CATEGORIES = ("basic_skills", "lacks_basic_skills", "employment_difficulty")


def count(raw_facts: Iterable[bytes]) -> dict[tuple[str, str], dict[str, int]]:
    """``{(county, grade): {category: n}}`` of live confirmed registrations, zero cells left out."""
    seen: set[str] = set()
    people: dict[str, dict[str, Any]] = {}
    for raw in raw_facts:
        fact = json.loads(raw)
        if fact["id"] in seen:
            continue
        seen.add(fact["id"])
        kind = fact["type"]
        if kind == "registration_confirmed":
            people[fact["registration_id"]] = {
                "county": fact["county"],
                "grade": fact["grade"] or "none",
                "category": fact["category"],
                "live": True,
            }
        elif kind == "grade_crossed" and fact["registration_id"] in people:
            people[fact["registration_id"]]["grade"] = fact["grade"]
        elif kind == "registration_ended" and fact["registration_id"] in people:
            people[fact["registration_id"]]["live"] = False
    out: dict[tuple[str, str], dict[str, int]] = {}
    for person in people.values():
        if person["live"]:
            cell = out.setdefault((person["county"], person["grade"]), dict.fromkeys(CATEGORIES, 0))
            cell[person["category"]] += 1
    return out


def from_report(grades: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    """The report's ``grades`` rows in the same shape (the city's total rows and zero cells left out)."""
    return {
        (row["county"], row["grade"]): {c: row[c] for c in CATEGORIES}
        for row in grades
        if row["county"] != "total" and row["total"]
    }
