"""Who may see what: the one rule of county scoping, used by every staff view.

A city administrator (``admin``) sees every county and the city's own scope; a county officer sees only the
county their account is bound to; an organiser bound to a county sees that county, an organiser without one
works city-wide. Employers and kiosks are not staff and see no staff data at all.

Rule codes of :class:`AccessDenied`: ``county_out_of_scope`` (a county officer reading another county),
``staff_only`` (a role that has no staff views).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

#: ``worker``: a worker's phone, signed in through the one-time link the kiosk showed; like a kiosk or an employer,
#: never staff.
Role = Literal["kiosk", "employer", "organiser", "officer", "admin", "worker"]
#: Roles that read staff views.
STAFF_ROLES: frozenset[str] = frozenset({"organiser", "officer", "admin"})
#: The quota scope of the city itself (市本级), next to the county codes.
CITY = "city"


@dataclasses.dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: a role and, for county-bound staff, the county code."""

    role: Role
    county: str | None = None

    @property
    def city_wide(self) -> bool:
        """Sees every county: the administrator, and an organiser bound to no county."""
        return self.role == "admin" or (self.role == "organiser" and self.county is None)


class AccessDenied(Exception):
    """The viewer may not see this; ``rule`` is a stable code, messages are Chinese then English."""

    def __init__(self, rule: str, message_zh: str, message_en: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en


def may_read(viewer: Viewer, county: str | None) -> bool:
    """Whether ``viewer`` may read data of ``county`` (a county code, ``"city"``, or ``None`` for data of no
    county, which only city-wide staff see). The single rule every staff view applies."""
    if viewer.role not in STAFF_ROLES:
        return False
    if viewer.city_wide:
        return True
    return viewer.county is not None and county == viewer.county


def require_read(viewer: Viewer, county: str | None) -> None:
    """:func:`may_read`, or :class:`AccessDenied` saying why."""
    if viewer.role not in STAFF_ROLES:
        raise AccessDenied("staff_only", "只有工作人员可以查看", "only staff may see this")
    if not may_read(viewer, county):
        raise AccessDenied(
            "county_out_of_scope",
            "您的账号只能查看本县（市、区）的数据",
            "your account may only see data of its own county",
        )


def visible(viewer: Viewer, counties: Iterable[str]) -> list[str]:
    """The subset of ``counties`` (in their order) that ``viewer`` may read."""
    return [c for c in counties if may_read(viewer, c)]
