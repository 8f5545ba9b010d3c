"""Priority groups of the city's plan (附件2 (十九), 22, 25–27), as one table.

A worker's groups are declared at check-in (in production, confirmed from the employment bureau's register by
pseudonym; see docs/architecture.md). They decide the worker's priority tier in matching and the "by group" reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from services.errors import FieldError, InvalidInput


@dataclasses.dataclass(frozen=True, slots=True)
class Group:
    code: str
    name_zh: str
    name_en: str


GROUPS: tuple[Group, ...] = (
    Group("veteran", "退役军人", "Veteran"),
    Group("poverty_alleviated", "脱贫劳动力", "Poverty-alleviated worker"),
    Group("relocated", "易地扶贫搬迁群众", "Relocated resident"),
    Group("disabled", "残疾人", "Person with a disability"),
    Group("long_term_unemployed", "长期失业人员", "Long-term unemployed"),
    Group("zero_employment_family", "零就业家庭成员", "Member of a zero-employment family"),
    Group("minimum_living_allowance", "低保家庭成员", "Member of a minimum-allowance family"),
    Group("older_worker", "大龄劳动者", "Older worker"),
    Group("graduate", "高校毕业生", "College graduate"),
    Group("woman", "女性", "Woman"),
    Group("returnee", "返乡人员", "Returnee"),
)

GROUPS_BY_CODE: Mapping[str, Group] = MappingProxyType({g.code: g for g in GROUPS})


def parse_groups(raw: object, *, field: str = "groups") -> tuple[str, ...]:
    """Group codes from the catalogue, deduplicated in the given order; absent or null means none."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple) or not all(isinstance(g, str) for g in raw):
        raise InvalidInput(FieldError(field, "groups_type", "人群类别必须是列表", f"{field} must be a list of codes"))
    unknown = [g for g in raw if g not in GROUPS_BY_CODE]
    if unknown:
        raise InvalidInput(
            FieldError(
                field,
                "group_unknown",
                f"未知的人群类别：{'、'.join(unknown)}",
                f"unknown group code(s): {', '.join(unknown)}",
            )
        )
    return tuple(dict.fromkeys(raw))
