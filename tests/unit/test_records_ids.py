"""Derived ids are uuid5 in the records' namespace (services/py): a replay, an upgrade or another
process derives the same id from the same causes."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from services import records


@given(st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_a_derived_id_is_the_uuid5_of_its_parts(parts: list[str]) -> None:
    assert records.derived_id(*parts) == str(uuid.uuid5(records._NAMESPACE, "/".join(parts)))


def test_a_derived_id_is_a_version_5_uuid() -> None:
    derived = uuid.UUID(records.derived_id("command", "kiosk:k1", "key-0001"))
    assert derived.version == 5 and derived.variant == uuid.RFC_4122
