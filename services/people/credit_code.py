"""The employer's unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (no I, O, S, V, Z); the last is a check character: with each
character's value its index in :data:`ALPHABET` and weights ``3**i mod 31``, the check value is
``(31 - sum(value * weight) % 31) % 31``. Any single mistyped character changes it, since 31 is prime.

Rule codes: ``credit_code_format``, ``credit_code_check_character``.
"""

from __future__ import annotations

import re
import unicodedata

from services.errors import FieldError, InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {character: value for value, character in enumerate(ALPHABET)}
_FORMAT = re.compile(f"[{ALPHABET}]{{18}}")


def _full_width(characters: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in characters)


_WRITTEN_CHARACTERS = ALPHABET + ALPHABET.lower() + _full_width(ALPHABET + ALPHABET.lower())
#: What a credit code may be written as (the OpenAPI document's pattern too): 18 characters of the alphabet, in
#: ASCII or full width, either case, with whitespace around it; it is then normalised (NFKC, strip, upper case).
#: Nothing else that NFKC would turn into the alphabet (circled or superscript forms) is read.
CREDIT_CODE_PATTERN = f"^\\s*[{''.join(dict.fromkeys(_WRITTEN_CHARACTERS))}]{{18}}\\s*$"
_WRITTEN = re.compile(CREDIT_CODE_PATTERN)


def check_character(first17: str) -> str:
    """The 18th character for the first 17.

    Raises :class:`ValueError` unless ``first17`` is 17 characters of :data:`ALPHABET` (upper case).
    """
    if len(first17) != 17 or any(character not in _VALUES for character in first17):
        raise ValueError("check_character needs 17 characters of the credit code alphabet")
    total = sum(_VALUES[character] * weight for character, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(raw: object, field: str = "credit_code") -> str:
    """The code, trimmed and in upper case (full-width characters are turned to ASCII), written as
    :data:`CREDIT_CODE_PATTERN` allows.

    Raises :class:`InvalidInput` naming ``field``: ``credit_code_format`` when it is not 18 characters of the
    alphabet, else ``credit_code_check_character`` when the last character does not match.
    """
    written = isinstance(raw, str) and _WRITTEN.match(raw) is not None
    code = unicodedata.normalize("NFKC", raw).strip().upper() if written else ""  # type: ignore[arg-type]
    if not _FORMAT.fullmatch(code):
        raise InvalidInput(
            FieldError(
                field,
                "credit_code_format",
                "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）",
                "Unified social credit code must be 18 digits or capital letters (no I, O, S, V, Z)",
            )
        )
    if check_character(code[:17]) != code[17]:
        raise InvalidInput(
            FieldError(
                field,
                "credit_code_check_character",
                "统一社会信用代码校验位不正确",
                "Unified social credit code check character is wrong",
            )
        )
    return code
