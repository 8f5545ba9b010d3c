"""Field checks of services/forms.py: free text must be fit to show (control characters, bidirectional overrides,
invisible-only text are refused with the field and the rule)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services import forms
from services.errors import FieldError


def _text(value: object, *, multiline: bool = False, required: bool = True) -> tuple[str, list[FieldError]]:
    errors: list[FieldError] = []
    out = forms.text(
        {"place": value}, "place", max_length=100, required=required, label_zh="工作地点", errors=errors,
        multiline=multiline,
    )  # fmt: skip
    return out, errors


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("\u200b\u200b\u200b", "invisible_only"),
        ("\ufeff\u200d", "invisible_only"),
        ("钟山区\x00荷城", "control_character"),
        ("钟山区\x07\x1b[31m", "control_character"),
        ("钟山\x85区", "control_character"),  # C1
        ("钟山区\u202e城荷", "bidi_control"),
        ("\u2066钟山区\u2069", "bidi_control"),
        ("第一行\n第二行", "control_character"),  # one-line field
    ],
)
def test_text_unfit_to_show_is_refused_naming_the_field_and_rule(value: str, rule: str) -> None:
    out, errors = _text(value)
    assert out == ""
    assert [(e.field, e.rule) for e in errors] == [("place", rule)]
    assert errors[0].message_zh.startswith("工作地点") and errors[0].message_en.startswith("place")


def test_plain_chinese_text_with_full_width_characters_passes_and_is_stripped() -> None:
    assert _text("  钟山区荷城街道１２号（东门）  ") == ("钟山区荷城街道１２号（东门）", [])


def test_line_breaks_pass_where_the_field_has_several_lines() -> None:
    assert _text("第一行\n第二行\t备注", multiline=True) == ("第一行\n第二行\t备注", [])
    assert _text("第一行\x00", multiline=True)[1][0].rule == "control_character"


def test_text_is_normalised_to_nfc() -> None:
    assert _text("Cafe\u0301")[0] == "Café"


@given(st.text(max_size=40))
def test_accepted_text_never_holds_a_control_or_bidi_character(value: str) -> None:
    out, errors = _text(value, required=False)
    if not errors:
        assert forms.unfit_to_show(out) is None
        assert not any(c in forms.BIDI_CONTROLS for c in out)


_SAMPLES = st.text(
    st.sampled_from(["a", "工", " ", "\t", "\n", "\x00", "\x1b", "\x85", "\u200b", "\ufeff", "\u202e", "\u2067"])
    | st.characters(),
    max_size=6,
)


@settings(deadline=None)  # the first call builds the patterns from the Unicode tables (a fifth of a second)
@given(_SAMPLES, st.booleans(), st.booleans())
def test_the_documented_pattern_accepts_exactly_what_text_accepts(raw: str, multiline: bool, required: bool) -> None:
    errors: list[FieldError] = []
    forms.text({"f": raw}, "f", max_length=100, required=required, label_zh="字段", errors=errors, multiline=multiline)
    pattern = forms.text_pattern(multiline=multiline, optional=not required)
    assert bool(re.match(pattern, raw)) == (not errors), (raw, errors)


@pytest.mark.parametrize(("value", "expected"), [(3.0, 3), (3, 3)])
def test_an_integer_may_be_written_with_a_zero_fraction(value: float, expected: int) -> None:
    errors: list[FieldError] = []
    assert forms.integer({"n": value}, "n", low=0, high=5, label_zh="数", errors=errors) == expected
    assert not errors
    forms.integer({"n": 3.5}, "n", low=0, high=5, label_zh="数", errors=errors)
    assert [e.rule for e in errors] == ["integer"]
