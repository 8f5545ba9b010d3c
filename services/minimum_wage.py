"""Guizhou's minimum wage by county, as data: the classes of the notice in force and the class of each county.

The notice (:data:`NOTICE_IN_FORCE`)::

    贵州省人民政府关于调整贵州省最低工资标准的通知
    (Guizhou Provincial People's Government, notice adjusting Guizhou's minimum wage)
    number: not found (see below); in force from 2023-02-01
    class 一类 / 二类 / 三类: monthly 1,890 / 1,760 / 1,660 yuan (full-time),
                              hourly 19.6 / 18.3 / 17.2 yuan (non-full-time, 非全日制)

Where it comes from: the class amounts and the date are those of the project's REQUIREMENTS.md ("Guizhou
provincial notice"). The notice's own text, its document number and its annex that puts each county in a class
were looked for in the stored public material this project can search (queries on the title, the amounts,
"钟山区"/"六盘水" with "最低工资", "黔府发") and were not found. So every county's class below is **assumed**
(``sourced=False``), each with the reason for the assumption; city staff who hold the notice correct a row here,
and until then a county's rate can be overridden by the setting ``minimum_hourly_wage_by_county``.

Found and not adopted: a third-party copy (a GitHub repository's "最低工资标准查询" page, 2424004764/tools-web,
src/components/Tools/MinimumWage/MinimumWage.vue) of the Ministry of Human Resources and Social Security's table
"全国各地区最低工资标准情况（截至2025年7月1日）" gives Guizhou monthly 2,130 / 1,980 / 1,890 and hourly
22.4 / 20.8 / 19.8 yuan, i.e. a later notice than 2023's may be in force. Its title, number and effective date
were not found, so it is not in the table; if staff confirm it, add a :class:`Notice` and make it
:data:`NOTICE_IN_FORCE`.

Pure: no I/O. The county codes are those of :mod:`services.geography`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from services.geography import COUNTIES_BY_CODE

#: How a county's rate reads, in a refusal and in the pages' hints:
#: ``钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元``.
DAY_MINIMUM_ZH = "{county}最低工资 {hourly} 元/小时 × {hours} 小时 = {day} 元"
#: In English ``{county}`` carries its trailing space (``"Zhongshan District "``), or is empty.
DAY_MINIMUM_EN = "{county}minimum wage {hourly} yuan/hour × {hours} hours = {day} yuan"


@dataclasses.dataclass(frozen=True, slots=True)
class WageClass:
    """One class (档) of a notice: 1 is the highest. Monthly applies to full-time work, hourly to the rest."""

    rank: int
    name_zh: str
    name_en: str
    monthly_yuan: int
    hourly_yuan: Decimal


@dataclasses.dataclass(frozen=True, slots=True)
class Notice:
    """A provincial minimum-wage notice. ``number`` is its document number, ``None`` when not found."""

    title_zh: str
    number: str | None
    effective: date
    source: str
    classes: tuple[WageClass, ...]

    def wage_class(self, rank: int) -> WageClass:
        """The class of this rank; :class:`KeyError` if the notice has none."""
        for found in self.classes:
            if found.rank == rank:
                return found
        raise KeyError(rank)


@dataclasses.dataclass(frozen=True, slots=True)
class CountyClass:
    """Which class of the notice a county is in; ``sourced`` is False when the class is an assumption, and
    ``basis`` says where it comes from or why it was assumed."""

    county: str
    rank: int
    sourced: bool
    basis: str


NOTICE_2023 = Notice(
    title_zh="贵州省人民政府关于调整贵州省最低工资标准的通知",
    number=None,
    effective=date(2023, 2, 1),
    source="REQUIREMENTS.md of this project (Guizhou provincial notice); the notice's text was not found",
    classes=(
        WageClass(1, "一类", "class 1", 1890, Decimal("19.6")),
        WageClass(2, "二类", "class 2", 1760, Decimal("18.3")),
        WageClass(3, "三类", "class 3", 1660, Decimal("17.2")),
    ),
)

#: The notice the table applies.
NOTICE_IN_FORCE = NOTICE_2023

#: Each county of Liupanshui and its class. All assumed: the notice's county annex was not found.
COUNTY_CLASSES: tuple[CountyClass, ...] = (
    CountyClass(
        "zhongshan",
        1,
        sourced=False,
        basis="assumed: the city's central district, seat of the city government (issue 23: the lowest class "
        "is wrong for 钟山区)",
    ),
    CountyClass(
        "gaoxin",
        1,
        sourced=False,
        basis="assumed: a development zone without a division code, run from inside 钟山区; follows 钟山区",
    ),
    CountyClass(
        "panzhou",
        2,
        sourced=False,
        basis="assumed: class 2 as in the project's earlier settings example (panzhou=18.3)",
    ),
    CountyClass(
        "shuicheng",
        3,
        sourced=False,
        basis="assumed: the lowest class, so that no lawful wage is refused while the class is unknown",
    ),
    CountyClass(
        "liuzhi",
        3,
        sourced=False,
        basis="assumed: the lowest class, so that no lawful wage is refused while the class is unknown",
    ),
)

COUNTY_CLASSES_BY_CODE: Mapping[str, CountyClass] = MappingProxyType({c.county: c for c in COUNTY_CLASSES})

Origin = Literal["notice", "setting", "fallback"]


@dataclasses.dataclass(frozen=True, slots=True)
class CountyMinimum:
    """The hourly minimum that applies in one county, and where it comes from: ``notice`` (the table, with its
    class), ``setting`` (``minimum_hourly_wage_by_county``) or ``fallback`` (a county outside the table)."""

    county: str
    hourly_yuan: Decimal
    origin: Origin
    wage_class: WageClass | None = None
    sourced: bool = False

    @property
    def county_name_zh(self) -> str:
        found = COUNTIES_BY_CODE.get(self.county)
        return found.name_zh if found else ""

    @property
    def county_name_en(self) -> str:
        found = COUNTIES_BY_CODE.get(self.county)
        return found.name_en if found else ""

    def day_minimum(self, hours: int) -> Decimal:
        """The lowest lawful pay for ``hours`` hours of work: hours × the hourly rate."""
        return self.hourly_yuan * hours

    def day_minimum_text(self, hours: int) -> tuple[str, str]:
        """(Chinese, English): ``钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元``."""
        values = {"hourly": yuan(self.hourly_yuan), "hours": hours, "day": yuan(self.day_minimum(hours))}
        english = DAY_MINIMUM_EN.format(county=f"{self.county_name_en} " if self.county_name_en else "", **values)
        return DAY_MINIMUM_ZH.format(county=self.county_name_zh, **values), english[:1].upper() + english[1:]

    def basis_text(self) -> tuple[str, str]:
        """(Chinese, English) naming where the rate comes from, for a refusal's parenthesis."""
        if self.origin == "notice" and self.wage_class is not None:
            return (
                f"贵州省最低工资标准，{self.wage_class.name_zh}地区",
                f"Guizhou minimum wage, {self.wage_class.name_en}",
            )
        if self.origin == "setting":
            return "贵州省最低工资标准，本平台按县设定", "Guizhou minimum wage, as set for this county"
        return "贵州省最低工资标准", "Guizhou minimum wage"


def county_minimum(
    county: str,
    *,
    fallback_hourly_yuan: Decimal,
    overrides: Mapping[str, Decimal] | None = None,
    table: Mapping[str, CountyClass] = COUNTY_CLASSES_BY_CODE,
    notice: Notice = NOTICE_IN_FORCE,
) -> CountyMinimum:
    """The minimum in ``county``: an override first, then the county's class in ``notice``, else the fallback."""
    if overrides and county in overrides:
        return CountyMinimum(county, overrides[county], "setting")
    entry = table.get(county)
    if entry is not None:
        wage_class = notice.wage_class(entry.rank)
        return CountyMinimum(county, wage_class.hourly_yuan, "notice", wage_class, entry.sourced)
    return CountyMinimum(county, fallback_hourly_yuan, "fallback")


def yuan(amount: Decimal) -> str:
    """An amount of yuan without a trailing ``.0`` and never in exponent form: ``156.8``, ``196``, ``120``."""
    return format(amount.normalize(), "f")
