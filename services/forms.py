"""Small field checks shared by the request parsers: each names the field and the rule, zh then en."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    """An integer in ``[low, high]``; booleans and strings are refused."""
    value = body.get(field)
    if value is None:
        errors.append(FieldError(field, "required", f"请填写{label_zh}", f"{field} is required"))
        return low
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


def text(
    body: Mapping[str, Any],
    field: str,
    *,
    max_length: int,
    required: bool,
    label_zh: str,
    errors: list[FieldError],
) -> str:
    """A stripped string of at most ``max_length`` characters."""
    raw: object = body.get(field, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors.append(FieldError(field, "string", f"{label_zh}必须是文字", f"{field} must be text"))
        return ""
    value = raw.strip()
    if required and not value:
        errors.append(FieldError(field, "required", f"请填写{label_zh}", f"{field} is required"))
    if len(value) > max_length:
        errors.append(
            FieldError(
                field,
                "too_long",
                f"{label_zh}不能超过 {max_length} 个字",
                f"{field} must be at most {max_length} characters",
            )
        )
    return value
