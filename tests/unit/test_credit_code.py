"""Unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.errors import InvalidInput
from services.people.credit_code import ALPHABET, WEIGHTS, check_character, parse_credit_code

#: Published codes whose check characters we verified: the widely cited sample code, 华为技术有限公司, and
#: codes of other large companies as printed on their public business licence records.
REAL_CODES = [
    "91350100M000100Y43",
    "914403001922038216",
    "9144030071526726XG",
    "91330100716105852F",
    "91110108551385082Q",
    "91440300708461136T",
]


def rules(raw: object) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_credit_code(raw, field="employer.credit_code")
    assert all(e.field == "employer.credit_code" and e.message_zh and e.message_en for e in caught.value.errors)
    return [e.rule for e in caught.value.errors]


def test_alphabet_and_weights() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)
    assert tuple(pow(3, i, 31) for i in range(17)) == WEIGHTS


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert check_character(code[:17]) == code[17]
    assert parse_credit_code(code) == code


def test_constructed_liupanshui_code() -> None:
    first17 = "91520201MA6D00000"
    code = first17 + check_character(first17)
    assert parse_credit_code(code) == code


def test_check_value_zero_maps_to_0() -> None:
    assert check_character("0" * 17) == "0"


def test_lowercase_and_whitespace_are_normalised() -> None:
    assert parse_credit_code("  91350100m000100y43\n") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "91350100M000100Y4",  # 17
        "91350100M000100Y433",  # 19
        "91350100I000100Y43",  # I is not in the alphabet
        "91350100O000100Y43",
        "91350100Z000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "9135 0100M000100Y4",
        None,
        913501001000100143,
    ],
)
def test_format(raw: object) -> None:
    assert rules(raw) == ["credit_code_format"]


def test_wrong_check_character() -> None:
    assert rules("91350100M000100Y44") == ["credit_code_check_character"]


@pytest.mark.parametrize("bad", ["", "1" * 16, "1" * 18, "I" * 17, "a" * 17])
def test_check_character_refuses_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


first17s = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@given(first17s)
def test_appending_the_check_character_always_validates(first17: str) -> None:
    code = first17 + check_character(first17)
    assert parse_credit_code(code.lower()) == code


@given(first17s, st.integers(0, 17), st.integers(1, 30))
def test_changing_any_single_character_breaks_the_check(first17: str, position: int, shift: int) -> None:
    code = first17 + check_character(first17)
    changed_char = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    changed = code[:position] + changed_char + code[position + 1 :]
    assert rules(changed) == ["credit_code_check_character"]
