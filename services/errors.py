"""Validation failures that name the field and the rule, in Chinese first and English second.

The gateway turns :class:`InvalidInput` into a 422 (or 400) JSON body::

    {"error": "invalid_input",
     "errors": [{"field": "id_number", "rule": "id_check_character",
                 "message_zh": "身份证号码校验位不正确", "message_en": "ID number check character is wrong"}]}
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule on one field. ``rule`` is a stable machine-readable code."""

    field: str
    rule: str
    message_zh: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "rule": self.rule,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


class InvalidInput(ValueError):
    """Raised by pure validators; carries every :class:`FieldError` found, not only the first."""

    def __init__(self, errors: list[FieldError] | FieldError) -> None:
        self.errors: list[FieldError] = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(f"{e.field}: {e.rule}" for e in self.errors))
