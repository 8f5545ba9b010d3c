"""Real-name identity: the resident ID number (GB 11643-1999), keyed pseudonyms, masking, phone numbers.

Contracts:

* The raw ID number is only ever held by a :class:`ResidentId` (whose ``repr``/``str`` show the masked form)
  and is turned into a keyed pseudonym with :func:`pseudonymise` before it leaves the gateway.
* Validators raise :class:`~services.errors.InvalidInput` with every broken rule found, not only the first.
  Rule codes are stable: ``id_format``, ``id_region``, ``id_birth_date_invalid``, ``id_birth_date_future``,
  ``id_check_character``, ``id_under_minimum_age``, ``phone_format``.
* Nothing here reads the clock: ``today`` is a parameter.
"""

from __future__ import annotations

import dataclasses
import hmac
import operator
import re
import unicodedata
from datetime import date
from typing import Literal

from services.errors import FieldError, InvalidInput

#: GB 11643-1999 weights for the first 17 characters (2**(17-i) mod 11).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: Check character for each remainder 0..10 of the weighted sum modulo 11 (ISO 7064 MOD 11-2).
_CHECK_CHARACTERS = "10X98765432"
#: First two digits of the region code: the province-level divisions, incl. Taiwan, Hong Kong and Macao.
PROVINCE_CODES = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)
#: Birth years before this are refused as implausible (and as typing errors).
EARLIEST_BIRTH_YEAR = 1900

#: What an ID number may be written as (the OpenAPI document's pattern too): 17 digits and a digit or X, in
#: ASCII or full width, either case of X, with whitespace around it; it is then normalised (NFKC, strip, upper).
ID_NUMBER_PATTERN = r"^\s*[0-9０-９]{17}[0-9０-９XxＸｘ]\s*$"
_ID_WRITTEN = re.compile(ID_NUMBER_PATTERN)
_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS17 = re.compile(r"[0-9]{17}")
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_GAP = r"[\s\-－]*"
#: What a phone number may be written as (the OpenAPI document's pattern too): 11 digits starting ``1[3-9]``,
#: ASCII or full width, spaces or hyphens anywhere, an optional ``+86`` or ``0086`` in front; nothing else that
#: NFKC would turn into digits.
PHONE_PATTERN = (
    f"^{_GAP}(?:(?:[+＋]{_GAP}[8８]{_GAP}[6６]|[0０]{_GAP}[0０]{_GAP}[8８]{_GAP}[6６]){_GAP})?"
    f"[1１]{_GAP}[3-9３-９](?:{_GAP}[0-9０-９]){{9}}{_GAP}$"
)
_PHONE_WRITTEN = re.compile(PHONE_PATTERN)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits: ``"0"``..``"9"`` or ``"X"``.

    Raises :class:`ValueError` unless ``first17`` is exactly 17 ASCII digits.
    """
    if not _DIGITS17.fullmatch(first17):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))  # 17 digits, 17 weights (checked above)
    return _CHECK_CHARACTERS[total % 11]


def mask_id_number(number: str) -> str:
    """Masked for display: first 4, ten ``*``, last 4 (``"5202**********1234"``).

    Inputs of another length keep 4 characters at each end when at least 12 long, else are masked entirely,
    so whatever is passed in never shows more than 8 characters.
    """
    text = number.strip()
    if len(text) < 12:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class ResidentId:
    """A verified resident ID number and what it encodes. Build it with :func:`parse_id_number`.

    ``repr`` and ``str`` show only the masked number, so an accidental log line never leaks it.
    ``number`` itself is the raw value: hand it to :func:`pseudonymise`, never to storage or a page.
    """

    number: str
    region_code: str
    birth_date: date
    sex: Literal["M", "F"]

    @property
    def masked(self) -> str:
        """The number as it may be shown: ``"5202**********1234"``."""
        return mask_id_number(self.number)

    def __repr__(self) -> str:
        return f"ResidentId({self.masked})"

    def __str__(self) -> str:
        return self.masked


def age_on(birth: date, today: date) -> int:
    """Completed years of age on ``today``.

    A birthday on 29 February falls on 1 March in a non-leap year. Raises :class:`ValueError` if ``today`` is
    before ``birth``.
    """
    if today < birth:
        raise ValueError("today is before the birth date")
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _normalise(raw: str) -> str:
    """Full-width forms to ASCII (input methods type ``１２Ｘ``), surrounding space off, ``x`` to ``X``."""
    if raw.isascii():  # NFKC leaves ASCII as it is
        return raw.strip().upper()
    return unicodedata.normalize("NFKC", raw).strip().upper()


def parse_id_number(raw: object, *, today: date, minimum_age: int = 16, field: str = "id_number") -> ResidentId:
    """Check an 18-character resident ID number and decode it.

    Accepts what :data:`ID_NUMBER_PATTERN` allows (surrounding whitespace, a lowercase ``x``, full-width digits
    and X), nothing else that NFKC would turn into digits (superscripts, circled digits). Raises
    :class:`InvalidInput` naming ``field`` with every broken rule: ``id_format`` (alone, since nothing else
    can be read then), ``id_region``, ``id_birth_date_invalid`` (not a calendar date, or before 1900),
    ``id_birth_date_future``, ``id_check_character``, ``id_under_minimum_age`` (someone whose
    ``minimum_age``-th birthday is ``today`` is accepted).
    """
    number = _normalise(raw) if isinstance(raw, str) and _ID_WRITTEN.match(raw) else ""
    if not _ID_FORMAT.fullmatch(number):
        raise InvalidInput(
            FieldError(
                field,
                "id_format",
                "身份证号码应为18位：前17位是数字，最后一位是数字或X",
                "ID number must be 18 characters: 17 digits, then a digit or X",
            )
        )
    errors: list[FieldError] = []
    if number[:2] not in PROVINCE_CODES:
        errors.append(
            FieldError(
                field,
                "id_region",
                "身份证号码的地区码不正确",
                "ID number region code is not a valid province-level code",
            )
        )
    birth = _birth_date(number[6:14])
    if birth is None:
        errors.append(
            FieldError(
                field,
                "id_birth_date_invalid",
                "身份证号码中的出生日期不存在",
                "ID number birth date is not a real date",
            )
        )
    elif birth > today:
        errors.append(
            FieldError(
                field,
                "id_birth_date_future",
                "身份证号码中的出生日期晚于今天",
                "ID number birth date is in the future",
            )
        )
    if check_character(number[:17]) != number[17]:
        errors.append(
            FieldError(
                field,
                "id_check_character",
                "身份证号码校验位不正确",
                "ID number check character is wrong",
            )
        )
    if birth is not None and birth <= today and age_on(birth, today) < minimum_age:
        errors.append(
            FieldError(
                field,
                "id_under_minimum_age",
                f"未满{minimum_age}周岁，不能登记务工",
                f"Under {minimum_age} years of age: cannot register for work",
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert birth is not None
    return ResidentId(
        number=number,
        region_code=number[:6],
        birth_date=birth,
        sex="M" if int(number[16]) % 2 == 1 else "F",
    )


def _birth_date(yyyymmdd: str) -> date | None:
    """The date encoded as ``YYYYMMDD``, or ``None`` if there is no such day or the year is before 1900."""
    try:
        birth = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    return birth if birth.year >= EARLIEST_BIRTH_YEAR else None


def pseudonymise(number: ResidentId | str, key: bytes) -> str:
    """The worker's keyed pseudonym: ``"w_"`` + the first 32 hex digits of HMAC-SHA256(key, number).

    Deterministic for one key, different across keys, and without the key not reversible (the space of ID
    numbers is small, so a plain hash would be). A string is normalised like :func:`parse_id_number` does
    (full-width to ASCII, trimmed, upper-case X) but not validated.
    Raises :class:`ValueError` on an empty key.
    """
    if not key:
        raise ValueError("pseudonym key must not be empty")
    text = number.number if isinstance(number, ResidentId) else _normalise(number)
    return "w_" + hmac.digest(key, text.encode("ascii", "replace"), "sha256").hex()[:32]


def mask_phone(phone: str) -> str:
    """Masked for display: first 3, four ``*``, last 4 (``"138****1234"``).

    Other lengths keep 3 leading and 4 trailing characters when at least 11 long, else are masked entirely.
    """
    text = phone.strip()
    if len(text) < 11:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def validate_phone(raw: object, field: str = "phone") -> str:
    """A mainland mobile number as 11 ASCII digits starting ``1[3-9]``.

    Tolerates full-width digits, surrounding and inner spaces or hyphens, and a ``+86`` / ``0086`` prefix
    (:data:`PHONE_PATTERN`). Raises :class:`InvalidInput` with rule ``phone_format`` otherwise.
    """
    written = isinstance(raw, str) and _PHONE_WRITTEN.match(raw) is not None
    text = unicodedata.normalize("NFKC", raw) if written else ""  # type: ignore[arg-type]
    digits = re.sub(r"[\s-]", "", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if not _PHONE.fullmatch(digits):
        raise InvalidInput(
            FieldError(
                field,
                "phone_format",
                "手机号码应为以1开头的11位数字",
                "Phone number must be an 11-digit mainland mobile number starting with 1",
            )
        )
    return digits
