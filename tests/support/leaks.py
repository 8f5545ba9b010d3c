"""Finding personal data where it must not be: raw ID numbers and phone numbers in bytes of any origin.

Two searches: the exact numbers a test session posted (``needles``), and the patterns of any resident ID
number (18 characters, a valid GB 11643 check character) or mainland mobile number (``1[3-9]`` + 9 digits),
standing alone (not inside a longer run of letters or digits). Masked forms (``5202**********123X``,
``138****5678``) contain ``*`` and never match.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from services.people import identity

#: Not after ``<digit>.``: the decimals of a number (Faust logs "producer flush took 0.0xxxxxxxxxxxxxxxxx", 18
#: digits whose last is a valid check character for 1 line in 11).
_ID = re.compile(rb"(?<![0-9A-Za-z])(?<![0-9]\.)([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
_PHONE = re.compile(rb"(?<![0-9A-Za-z.])(1[3-9][0-9]{9})(?![0-9A-Za-z])")


@dataclasses.dataclass(frozen=True, slots=True)
class Hit:
    where: str
    kind: str
    context: bytes

    def __str__(self) -> str:
        return f"{self.kind} in {self.where}: …{self.context.decode('utf-8', 'replace')}…"


def _context(blob: bytes, start: int, end: int) -> bytes:
    # never print the number itself in a failure message: mask it
    return blob[max(0, start - 30) : start] + b"<" + blob[start : start + 3] + b"***>" + blob[end : end + 30]


def scan(where: str, blob: bytes, needles: Iterable[bytes] = ()) -> list[Hit]:
    """Every raw ID number or phone number in ``blob``."""
    hits: list[Hit] = []
    for needle in needles:
        at = blob.find(needle)
        if at >= 0:
            hits.append(Hit(where, "posted number", _context(blob, at, at + len(needle))))
    for match in _ID.finditer(blob):
        number = match.group(1).upper().decode()
        if identity.check_character(number[:17]) == number[17]:
            hits.append(Hit(where, "ID number", _context(blob, match.start(1), match.end(1))))
    for match in _PHONE.finditer(blob):
        hits.append(Hit(where, "phone number", _context(blob, match.start(1), match.end(1))))
    return hits


def needles_of(numbers: Iterable[str]) -> set[bytes]:
    """The byte forms a number may take: as is, lower-case ``x``, and JSON-escaped nothing else needed."""
    out: set[bytes] = set()
    for number in numbers:
        out.add(number.encode())
        out.add(number.lower().encode())
    return out
