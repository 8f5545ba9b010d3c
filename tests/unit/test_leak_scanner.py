"""The leak scanner finds what it must (so the leak test can fail) and ignores masks and look-alikes."""

from __future__ import annotations

from services.people import identity
from tests.support.leaks import needles_of, scan

FIRST17 = "52020119850102123"
NUMBER = FIRST17 + identity.check_character(FIRST17)


def test_raw_id_and_phone_numbers_are_found() -> None:
    blob = f'{{"id_number":"{NUMBER}","phone":"13812345678"}}'.encode()
    kinds = sorted(h.kind for h in scan("blob", blob))
    assert kinds == ["ID number", "phone number"]
    assert NUMBER.encode() not in str(scan("blob", blob)[0]).encode()  # the report masks it


def test_an_id_number_after_a_dot_that_ends_no_number_is_found() -> None:
    assert [h.kind for h in scan("blob", f"prefix.{NUMBER} v.{NUMBER}".encode())] == ["ID number", "ID number"]


def test_posted_numbers_are_found_even_inside_other_text() -> None:
    blob = b"abc" + NUMBER.lower().encode() + b"def"
    assert [h.kind for h in scan("blob", blob, needles_of([NUMBER]))] == ["posted number"]


def test_masks_and_look_alikes_are_not_hits() -> None:
    masked = identity.mask_id_number(NUMBER) + " " + identity.mask_phone("13812345678")
    wrong_check = FIRST17 + ("0" if identity.check_character(FIRST17) != "0" else "1")
    others = [
        masked,
        wrong_check,
        "1764123456789",  # epoch milliseconds
        "uuid 1f0e-13812345678a",
        "offset 0.13812345678",
        "producer flush took 0." + NUMBER,  # the decimals of a float, however they happen to fall
        "w_" + "1" * 32,
    ]
    assert scan("blob", " | ".join(others).encode()) == []
