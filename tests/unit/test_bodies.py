"""Bounded JSON bodies (gateway/bodies.py): any bytes give a value or a 400 problem, never another exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.bodies import MAX_DEPTH, decode_json, nesting
from gateway.problems import ApiError


def test_nesting_ignores_brackets_inside_strings() -> None:
    assert nesting(b'{"a": "[[[{{{", "b": [1, [2]]}') == 3
    assert nesting(b'["\\"[[["]') == 1
    assert nesting(b"42") == 0


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 981, 100_000])
def test_too_deep_a_body_is_a_400_naming_the_rule(depth: int) -> None:
    with pytest.raises(ApiError) as refused:
        decode_json(b"[" * depth + b"]" * depth)
    assert (refused.value.status, refused.value.code, refused.value.field) == (400, "body_depth", "body")
    assert "嵌套" in refused.value.message_zh


def test_as_deep_as_allowed_decodes() -> None:
    assert nesting(json.dumps(decode_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)).encode()) == MAX_DEPTH


def test_an_empty_body_is_null_and_nan_is_not_json() -> None:
    assert decode_json(b"") is None
    with pytest.raises(ApiError, match="body_json"):
        decode_json(b'{"a": NaN}')


@given(st.binary(max_size=300))
def test_any_bytes_give_a_value_or_a_400(raw: bytes) -> None:
    try:
        decode_json(raw)
    except ApiError as refused:
        assert refused.status == 400 and refused.code in {"body_json", "body_depth"}


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_json_within_the_depth_decodes_to_itself(value: object) -> None:
    raw = json.dumps(value).encode()
    if nesting(raw) <= MAX_DEPTH:
        assert decode_json(raw) == value
