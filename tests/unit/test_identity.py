"""Resident ID numbers (GB 11643-1999), pseudonyms, masks and phone numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.errors import InvalidInput
from services.people.identity import (
    ID_NUMBER_PATTERN,
    ID_WEIGHTS,
    PROVINCE_CODES,
    ResidentId,
    age_on,
    check_character,
    mask_id_number,
    mask_phone,
    parse_id_number,
    pseudonymise,
    validate_phone,
)

TODAY = date(2024, 5, 20)
KEY = b"0123456789abcdef-test-key"


def make_number(region: str, birth: date, sequence: str) -> str:
    """A number with a correct check character, built independently of the parser."""
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


def rules(error: InvalidInput) -> list[str]:
    return [e.rule for e in error.errors]


def rejected(raw: object, today: date = TODAY, **kwargs: int) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_id_number(raw, today=today, **kwargs)  # type: ignore[arg-type]
    assert all(e.field == "id_number" for e in caught.value.errors)
    assert all(e.message_zh and e.message_en for e in caught.value.errors)
    return rules(caught.value)


# --- check character ------------------------------------------------------------------------------------


def test_weights_are_powers_of_two_mod_11() -> None:
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == ID_WEIGHTS


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # the textbook example number
        ("44052418800101001", "4"),
        ("11010119900307447", "7"),
        ("11010119900307803", "X"),
        ("00000000000000000", "1"),  # sum 0 -> remainder 0 -> "1"
    ],
)
def test_check_character_known_values(first17: str, expected: str) -> None:
    assert check_character(first17) == expected


def test_check_character_covers_every_remainder() -> None:
    # Index 7 has weight 1, so digit n there gives remainder n; remainder 10 is 1 at index 6 (weight 2) + 8.
    seen = {}
    for n in range(11):
        digits = [0] * 17
        if n < 10:
            digits[7] = n
        else:
            digits[6], digits[7] = 1, 8
        seen[n] = check_character("".join(map(str, digits)))
    assert "".join(seen[n] for n in range(11)) == "10X98765432"


@pytest.mark.parametrize("bad", ["1234", "1101051949123100X", "110105194912310021", "1101051949123100a", ""])
def test_check_character_refuses_non_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


# --- parsing valid numbers ----------------------------------------------------------------------------


def test_textbook_number_with_x() -> None:
    rid = parse_id_number("11010519491231002X", today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.region_code == "110105"
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "F"  # 17th digit 2 is even


def test_lowercase_x_is_accepted_and_normalised() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_surrounding_whitespace_is_stripped() -> None:
    number = make_number("520201", date(1990, 1, 1), "123")
    assert parse_id_number(f"  {number}\t\n", today=TODAY).number == number


def test_full_width_input_is_accepted() -> None:
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert parse_id_number(full_width, today=TODAY).number == "11010519491231002X"


def test_only_what_the_documented_pattern_allows_is_normalised() -> None:
    """Full-width digits and X and surrounding spaces pass (ID_NUMBER_PATTERN, the OpenAPI document's too);
    other characters NFKC would turn into digits do not."""
    number = make_number("520201", date(1990, 1, 1), "123")
    assert re.match(ID_NUMBER_PATTERN, f" {number} ")
    assert re.match(ID_NUMBER_PATTERN, "１１０１０５１９４９１２３１００２ｘ")
    superscript = number[:-1].replace("2", "\u00b2") + number[-1]
    circled = "\u2460" + number[1:] if number[0] == "1" else number.replace("1", "\u2460", 1)
    for written in (superscript, circled, "\U0001d7d0" + number[1:]):
        assert not re.match(ID_NUMBER_PATTERN, written)
        with pytest.raises(InvalidInput) as refused:
            parse_id_number(written, today=TODAY)
        assert refused.value.errors[0].rule == "id_format"


def test_liupanshui_number_decodes_region_birth_and_sex() -> None:
    number = make_number("520201", date(1990, 1, 1), "123")
    assert number == "520201199001011239"
    rid = parse_id_number(number, today=TODAY)
    assert (rid.region_code, rid.birth_date, rid.sex) == ("520201", date(1990, 1, 1), "M")


def test_male_and_female_from_17th_digit() -> None:
    male = parse_id_number(make_number("520203", date(1985, 6, 1), "011"), today=TODAY)
    female = parse_id_number(make_number("520203", date(1985, 6, 1), "010"), today=TODAY)
    assert (male.sex, female.sex) == ("M", "F")


# --- rejections ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "52020119900101123",  # 17
        "5202011990010112390",  # 19
        "52020119900101123A",
        "X20201199001011239",
        "5202011990 01011239",
        "520201-19900101-1239",
        None,
        520201199001011239,
    ],
)
def test_format(raw: object) -> None:
    assert rejected(raw) == ["id_format"]


def test_region_must_be_a_province() -> None:
    assert rejected(make_number("990201", date(1990, 1, 1), "123")) == ["id_region"]
    assert rejected(make_number("100101", date(1990, 1, 1), "123")) == ["id_region"]


def test_every_province_code_is_accepted() -> None:
    assert len(PROVINCE_CODES) == 34
    for code in sorted(PROVINCE_CODES):
        parse_id_number(make_number(code + "0101", date(1990, 1, 1), "123"), today=TODAY)


@pytest.mark.parametrize("yyyymmdd", ["19990230", "19991301", "19990000", "19990100", "20230229", "18991231"])
def test_impossible_birth_dates(yyyymmdd: str) -> None:
    first17 = f"520201{yyyymmdd}123"
    assert rejected(first17 + check_character(first17)) == ["id_birth_date_invalid"]


def test_leap_day_is_a_real_date() -> None:
    assert parse_id_number(make_number("520201", date(2000, 2, 29), "123"), today=TODAY).birth_date == date(2000, 2, 29)


def test_future_birth_date() -> None:
    assert rejected(make_number("520201", date(2024, 5, 21), "123")) == ["id_birth_date_future"]


def test_wrong_check_character() -> None:
    number = make_number("520201", date(1990, 1, 1), "123")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert rejected(wrong) == ["id_check_character"]


def test_all_broken_rules_are_reported_together() -> None:
    first17 = "99020119990230123"
    wrong = "1" if check_character(first17) != "1" else "2"
    assert rejected(first17 + wrong) == ["id_region", "id_birth_date_invalid", "id_check_character"]


def test_century_old_example_is_refused_as_before_1900() -> None:
    # "440524188001010014" is a widely quoted example with a correct check character but a birth in 1880.
    assert check_character("44052418800101001") == "4"
    assert rejected("440524188001010014") == ["id_birth_date_invalid"]


def test_under_sixteen() -> None:
    assert rejected(make_number("520201", date(2008, 5, 21), "123")) == ["id_under_minimum_age"]


def test_sixteenth_birthday_today_is_accepted() -> None:
    parse_id_number(make_number("520201", date(2008, 5, 20), "123"), today=TODAY)


def test_minimum_age_is_a_parameter() -> None:
    number = make_number("520201", date(2006, 5, 21), "123")  # 17 today
    parse_id_number(number, today=TODAY)
    assert rejected(number, minimum_age=18) == ["id_under_minimum_age"]


def test_born_on_29_february_turns_sixteen_on_1_march_in_a_common_year() -> None:
    number = make_number("520201", date(2008, 2, 29), "123")
    assert rejected(number, today=date(2024, 2, 28)) == ["id_under_minimum_age"]
    parse_id_number(number, today=date(2024, 2, 29))  # 2024 is a leap year
    born_2004 = make_number("520201", date(2004, 2, 29), "123")
    assert rejected(born_2004, today=date(2020, 2, 28)) == ["id_under_minimum_age"]
    parse_id_number(born_2004, today=date(2020, 2, 29))
    born_2000 = make_number("520201", date(2000, 2, 29), "123")
    assert age_on(date(2000, 2, 29), date(2017, 2, 28)) == 16
    assert age_on(date(2000, 2, 29), date(2017, 3, 1)) == 17
    parse_id_number(born_2000, today=date(2017, 3, 1), minimum_age=17)
    assert rejected(born_2000, today=date(2017, 2, 28), minimum_age=17) == ["id_under_minimum_age"]


def test_custom_field_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_id_number("nope", today=TODAY, field="worker.id_number")
    assert caught.value.errors[0].field == "worker.id_number"


def test_check_character_message_in_chinese_then_english() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_id_number("110105194912310021", today=TODAY)
    error = caught.value.errors[0]
    assert (error.message_zh, error.message_en) == (
        "身份证号码校验位不正确",
        "ID number check character is wrong",
    )


# --- age ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2000, 1, 1), date(2000, 1, 1), 0),
        (date(2000, 5, 20), date(2016, 5, 19), 15),
        (date(2000, 5, 20), date(2016, 5, 20), 16),
        (date(2000, 12, 31), date(2001, 12, 30), 0),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
    ],
)
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


def test_age_on_refuses_today_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


# --- properties ---------------------------------------------------------------------------------------

regions = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
adult_births = st.dates(min_value=date(1900, 1, 1), max_value=date(2008, 5, 20))
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_of_any_17_digits_is_a_digit_or_x(first17: str) -> None:
    assert check_character(first17) in "0123456789X"


@given(regions, adult_births, sequences)
def test_appending_the_check_character_always_validates(region: str, birth: date, sequence: str) -> None:
    number = make_number(region, birth, sequence)
    rid = parse_id_number(number, today=TODAY)
    assert rid.number == number
    assert rid.region_code == region
    assert rid.birth_date == birth
    assert rid.sex == ("M" if int(sequence[-1]) % 2 else "F")


@given(regions, adult_births, sequences, st.integers(0, 16), st.integers(1, 9))
def test_changing_any_single_digit_breaks_the_check(
    region: str, birth: date, sequence: str, position: int, delta: int
) -> None:
    number = make_number(region, birth, sequence)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert check_character(changed[:17]) != changed[17]
    assert "id_check_character" in rejected(changed)


@given(regions, adult_births, sequences, st.sampled_from("0123456789X"))
def test_changing_the_check_character_breaks_the_check(region: str, birth: date, sequence: str, other: str) -> None:
    number = make_number(region, birth, sequence)
    if other != number[17]:
        assert rejected(number[:17] + other) == ["id_check_character"]


@given(regions, adult_births, sequences)
def test_resident_id_repr_and_str_never_show_the_number(region: str, birth: date, sequence: str) -> None:
    rid = parse_id_number(make_number(region, birth, sequence), today=TODAY)
    for shown in (repr(rid), str(rid), f"{rid}", f"{rid!r}", repr([rid]), repr({"worker": rid})):
        assert rid.number not in shown
        assert rid.number[4:14] not in shown
    assert rid.masked in str(rid)


# --- pseudonyms ---------------------------------------------------------------------------------------


def test_pseudonym_shape() -> None:
    pseudonym = pseudonymise("11010519491231002X", KEY)
    assert pseudonym.startswith("w_")
    assert len(pseudonym) == 34
    assert all(c in "0123456789abcdef" for c in pseudonym[2:])


def test_pseudonym_of_string_equals_pseudonym_of_resident_id() -> None:
    rid = parse_id_number("11010519491231002x", today=TODAY)
    assert pseudonymise(rid, KEY) == pseudonymise(" 11010519491231002x ", KEY) == pseudonymise(rid.number, KEY)


def test_pseudonym_is_hmac_sha256() -> None:
    import hashlib
    import hmac

    expected = hmac.new(KEY, b"11010519491231002X", hashlib.sha256).hexdigest()[:32]
    assert pseudonymise("11010519491231002X", KEY) == "w_" + expected


def test_pseudonym_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        pseudonymise("11010519491231002X", b"")


@given(regions, adult_births, sequences, st.binary(min_size=16, max_size=64), st.binary(min_size=16, max_size=64))
def test_pseudonym_is_deterministic_keyed_and_hides_the_number(
    region: str, birth: date, sequence: str, key: bytes, other_key: bytes
) -> None:
    number = make_number(region, birth, sequence)
    pseudonym = pseudonymise(number, key)
    assert pseudonym == pseudonymise(number, key)
    if other_key != key:
        assert pseudonymise(number, other_key) != pseudonym
    assert number not in pseudonym
    assert number[6:14] not in pseudonym


def test_different_numbers_get_different_pseudonyms() -> None:
    a = make_number("520201", date(1990, 1, 1), "123")
    b = make_number("520201", date(1990, 1, 1), "124")
    assert pseudonymise(a, KEY) != pseudonymise(b, KEY)


# --- masks and phones ---------------------------------------------------------------------------------


def test_mask_id_number() -> None:
    assert mask_id_number("520201199001011234") == "5202**********1234"
    assert mask_id_number("11010519491231002X") == "1101**********002X"


@pytest.mark.parametrize("odd", ["", "123", "12345678901", "520201900101123"])
def test_mask_id_number_never_shows_more_than_eight_characters(odd: str) -> None:
    masked = mask_id_number(odd)
    assert len(masked) == len(odd)
    assert sum(c != "*" for c in masked) <= 8


def test_mask_phone() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("123") == "***"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812341234", "13812341234"),
        (" 199 0000 1111 ", "19900001111"),
        ("138-1234-1234", "13812341234"),
        ("+8613812341234", "13812341234"),
        ("0086 138 1234 1234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),
    ],
)
def test_validate_phone(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "12812341234", "10012341234", "1381234123", "138123412345", "1381234123a", "8613812341234", None],
)
def test_validate_phone_rejects(raw: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_phone(raw, field="contact_phone")
    assert [(e.field, e.rule) for e in caught.value.errors] == [("contact_phone", "phone_format")]


def test_resident_id_is_frozen() -> None:
    rid = parse_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(AttributeError):
        rid.number = "x"  # type: ignore[misc]
    assert isinstance(rid, ResidentId)
