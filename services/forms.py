"""Small field checks shared by the request parsers: each names the field and the rule, zh then en.

Free text must be fit to show on a page, a hall screen, a receipt and in a spreadsheet (:func:`text`): rule
``control_character`` refuses C0 and C1 control characters (NUL, bell, escape…; tab and line breaks only where a
field allows several lines), ``bidi_control`` refuses bidirectional overrides, embeddings and isolates (U+202A–202E,
U+2066–2069: they reorder what a reader sees), and ``invisible_only`` refuses text that is empty once invisible
characters (zero-width spaces and joiners, the byte-order mark, other format characters) are removed. Text is
normalised to NFC; full-width letters and digits are kept as written (they are legitimate Chinese text).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from typing import Any

from services import geography
from services.errors import FieldError, InvalidInput


def require_object(body: object) -> Mapping[str, Any]:
    """The body as a mapping, or ``InvalidInput`` on ``body`` / ``body_object``."""
    if not isinstance(body, Mapping):
        raise InvalidInput(
            FieldError("body", "body_object", "请求内容必须是 JSON 对象", "the request body must be a JSON object")
        )
    return body


def integer(
    body: Mapping[str, Any], field: str, *, low: int, high: int, label_zh: str, errors: list[FieldError]
) -> int:
    """An integer in ``[low, high]`` (a number with no fraction, ``3.0`` too, as JSON Schema's ``integer``);
    booleans and strings are refused."""
    value = body.get(field)
    if value is None:
        errors.append(FieldError(field, "required", f"请填写{label_zh}", f"{field} is required"))
        return low
    if isinstance(value, float) and value.is_integer():  # JSON Schema: 3.0 is an integer too
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(FieldError(field, "integer", f"{label_zh}必须是整数", f"{field} must be a whole number"))
        return low
    if not low <= value <= high:
        errors.append(
            FieldError(
                field,
                "range",
                f"{label_zh}必须在 {low} 到 {high} 之间",
                f"{field} must be between {low} and {high}",
            )
        )
    return value


#: Bidirectional formatting characters: embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Line breaks and tab: allowed in fields of several lines (``multiline=True``) only.
_LAYOUT = frozenset("\t\n\r")


def unfit_to_show(value: str, *, multiline: bool = False) -> str | None:
    """The rule ``value`` breaks as text to show (``control_character``, ``bidi_control``, ``invisible_only``), or
    ``None``. Empty text breaks none (whether a field is required is :func:`text`'s)."""
    for char in value:
        if char in BIDI_CONTROLS:
            return "bidi_control"
        if unicodedata.category(char) == "Cc" and not (multiline and char in _LAYOUT):
            return "control_character"
    if value and not any(unicodedata.category(char) not in ("Cf", "Zs", "Zl", "Zp", "Cc") for char in value):
        return "invisible_only"
    return None


def _char_class(chars: list[int]) -> str:
    """A regular-expression character class body for the code points ``chars`` (sorted), as ranges."""
    parts: list[str] = []
    start = prev = chars[0]
    for code in [*chars[1:], -2]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(_escaped(start) if start == prev else f"{_escaped(start)}-{_escaped(prev)}")
        start = prev = code
    return "".join(parts)


def _escaped(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


@functools.cache
def _categories() -> tuple[frozenset[int], frozenset[int]]:
    """The control characters (Cc) and the characters :func:`unfit_to_show` counts as invisible."""
    controls: set[int] = set()
    invisible: set[int] = set()
    for code in range(0x110000):
        category = unicodedata.category(chr(code))
        if category == "Cc":
            controls.add(code)
        if category in ("Cf", "Zs", "Zl", "Zp", "Cc"):
            invisible.add(code)
    return frozenset(controls), frozenset(invisible)


@functools.cache
def text_pattern(*, multiline: bool = False, optional: bool = False) -> str:
    """A regular expression (for the OpenAPI document) of exactly the text :func:`text` accepts as fit to show:
    no control characters (but tab and line breaks when ``multiline``), no bidirectional controls, and at least
    one visible character; with ``optional``, also text of only whitespace (it is stripped to nothing)."""
    controls, invisible_chars = _categories()
    layout = {ord(c) for c in _LAYOUT} if multiline else set()
    banned = sorted((controls - layout) | {ord(c) for c in BIDI_CONTROLS})
    invisible = sorted(invisible_chars | set(banned))
    allowed = f"[^{_char_class(banned)}]"
    visible = f"[^{_char_class(invisible)}]"
    space = f"[{_char_class(sorted(c for c in range(0x3100) if chr(c).isspace()))}]*"  # what strip() takes off
    shown = f"{allowed}*{visible}{allowed}*"
    return f"^{space}(?:{shown})?{space}$" if optional else f"^{space}{shown}{space}$"


_UNFIT_MESSAGES = {
    "control_character": ("{label}含有控制字符，请只填写文字", "{field} contains control characters; write plain text"),
    "bidi_control": (
        "{label}含有改变文字方向的特殊字符，请删除",
        "{field} contains bidirectional override characters; remove them",
    ),
    "invisible_only": ("{label}只有看不见的字符，请填写文字", "{field} holds only invisible characters; write text"),
}


def text(
    body: Mapping[str, Any],
    field: str,
    *,
    max_length: int,
    required: bool,
    label_zh: str,
    errors: list[FieldError],
    multiline: bool = False,
) -> str:
    """A stripped, NFC-normalised string of at most ``max_length`` characters, fit to show
    (:func:`unfit_to_show`; line breaks only when ``multiline``)."""
    raw: object = body.get(field, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors.append(FieldError(field, "string", f"{label_zh}必须是文字", f"{field} must be text"))
        return ""
    value = unicodedata.normalize("NFC", raw).strip()
    unfit = unfit_to_show(value, multiline=multiline)
    if unfit is not None:
        zh, en = _UNFIT_MESSAGES[unfit]
        errors.append(FieldError(field, unfit, zh.format(label=label_zh), en.format(field=field)))
        return ""
    if required and not value:
        errors.append(FieldError(field, "required", f"请填写{label_zh}", f"{field} is required"))
    if len(raw) > max_length:  # as sent, spaces included: the OpenAPI document's maxLength counts so
        errors.append(
            FieldError(
                field,
                "too_long",
                f"{label_zh}不能超过 {max_length} 个字",
                f"{field} must be at most {max_length} characters",
            )
        )
    return value


def parse_county(raw: object, field: str = "county") -> str:
    """A county code (``zhongshan``…), trimmed and case-folded; ``county_unknown`` otherwise."""
    code = unicodedata.normalize("NFKC", raw).strip().lower() if isinstance(raw, str) else ""
    if code not in geography.COUNTIES_BY_CODE:
        names = "、".join(c.code for c in geography.COUNTIES)
        raise InvalidInput(
            FieldError(field, "county_unknown", f"未知的区县，应为：{names}", f"unknown county; one of {names}")
        )
    return code
