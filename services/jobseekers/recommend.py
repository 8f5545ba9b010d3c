"""Job recommendations for a registered person (附件4 (十一)): the matcher's pure choice, each with its reason.

Input: the person's page (:mod:`services.readmodels.jobseeker_views`: ``county``, ``trades``, ``min_day_wage``,
``willing_elsewhere``) and the open positions of the job supply list (rows of
:func:`services.readmodels.supply_views.rows`: ``source``, ``id``, ``county``, ``trade``, ``wage_low``,
``wage_unit``, ``date``, ``start``…). Nothing here reads a clock: ``today`` is the local Asia/Shanghai date.

What fits (every rule must hold):

* the trade is one the person does (a person without trades gets nothing: we would be guessing);
* the wage, compared per day (:func:`services.supply.search.day_wage`: a month's wage ÷ 21.75, an hour's × 8), is
  at least what the person asks (when they said);
* the place: a **same-day** job (a gig request of ``today``) at a market of the person's county; a **longer-term
  vacancy** — a fair position, or a gig posting for a later day — in the person's county, or anywhere in the city
  when they are willing to work elsewhere.

Order: same-day jobs first (they are gone tonight), then later postings, then fair positions; within each, the
best day wage first, then the soonest start. At most ``limit`` are shown. Each recommendation's ``job_ref``
(``gig:<request id>`` / ``fair:<fair>/<employer>/<position>``) is what counts as one distinct job: the same job
seen twice counts once toward "3 次岗位推荐".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from services import geography, trades
from services.supply.search import day_wage, how_to_apply

Kind = Literal["same_day", "later", "fair"]
#: How many recommendations the kiosk, the phone and the person page show at once.
MAX_SHOWN = 6
_ORDER: dict[Kind, int] = {"same_day": 0, "later": 1, "fair": 2}
KIND_WORDS: Mapping[Kind, tuple[str, str]] = {
    "same_day": ("今天的零工", "a job today"),
    "later": ("近期岗位", "a job on a later day"),
    "fair": ("招聘会岗位", "a job fair position"),
}
_UNIT_WORDS: Mapping[str, tuple[str, str]] = {
    "day": ("日薪", "day wage"),
    "month": ("月薪", "month wage"),
    "hour": ("时薪", "hourly wage"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Seeker:
    """What the matcher knows of a registered person: no name, no ID number."""

    county: str
    trades: tuple[str, ...]
    min_day_wage: int | None
    willing_elsewhere: bool

    @classmethod
    def from_page(cls, page: Mapping[str, Any]) -> Seeker:
        """The seeker of a person's page (``jobseeker:<registration_id>``)."""
        wage = page.get("min_day_wage")
        return cls(
            county=str(page["county"]),
            trades=tuple(page.get("trades") or ()),
            min_day_wage=int(wage) if wage is not None else None,
            willing_elsewhere=bool(page.get("willing_elsewhere")),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Recommendation:
    """One job recommended, with why (zh, en) and how to apply (zh, en)."""

    job_ref: str
    kind: Kind
    trade: str
    trade_zh: str
    trade_en: str
    employer: str
    where_zh: str
    where_en: str
    wage: str
    date: str
    start: str
    positions: int
    reason_zh: str
    reason_en: str
    how_zh: str
    how_en: str

    def as_view(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self),
            "kind_zh": KIND_WORDS[self.kind][0],
            "kind_en": KIND_WORDS[self.kind][1],
        }


def job_ref(row: Mapping[str, Any]) -> str:
    """The distinct job a supply row names."""
    return f"{row['source']}:{row['id']}"


def kind_of(row: Mapping[str, Any], today: date) -> Kind | None:
    """Same-day, later or fair; ``None`` for a gig request of a day already past."""
    if row["source"] == "fair":
        return "fair"
    day = row["date"]
    if day == today.isoformat():
        return "same_day"
    return "later" if day > today.isoformat() else None


def fits(seeker: Seeker, row: Mapping[str, Any], today: date) -> Kind | None:
    """The row's kind when it fits the person (the module's rules), else ``None``."""
    kind = kind_of(row, today)
    if kind is None or row["trade"] not in seeker.trades or int(row.get("positions", 0)) < 1:
        return None
    if seeker.min_day_wage is not None and day_wage(row["wage_low"], row["wage_unit"]) < seeker.min_day_wage:
        return None
    here = row["county"] == seeker.county
    if kind == "same_day":
        return kind if here else None
    return kind if here or seeker.willing_elsewhere else None


def reason(seeker: Seeker, row: Mapping[str, Any]) -> tuple[str, str]:
    """Why the row fits, in the person's words: ``你会做泥瓦工，日薪 260 ≥ 你要求的 200``."""
    trade = trades.TRADES_BY_CODE.get(row["trade"])
    trade_zh, trade_en = (trade.name_zh, trade.name_en) if trade else (row["trade"], row["trade"])
    unit_zh, unit_en = _UNIT_WORDS.get(row["wage_unit"], ("工资", "wage"))
    low = int(row["wage_low"])
    zh = f"你会做{trade_zh}，{unit_zh} {low}"
    en = f"you do {trade_en}; {unit_en} {low}"
    if row["wage_unit"] != "day":
        per_day = int(day_wage(low, row["wage_unit"]))
        zh += f"（约合日薪 {per_day}）"
        en += f" (about {per_day} a day)"
    if seeker.min_day_wage is not None:
        zh += f" ≥ 你要求的 {seeker.min_day_wage}"
        en += f" ≥ the {seeker.min_day_wage} you ask"
    if row["county"] != seeker.county:
        county = geography.COUNTIES_BY_CODE.get(row["county"])
        zh += f"；在{county.name_zh if county else row['county']}，你愿意到外地工作"
        en += f"; in {county.name_en if county else row['county']}, you are willing to work elsewhere"
    return zh, en


def recommend(
    seeker: Seeker, rows: Iterable[Mapping[str, Any]], today: date, limit: int = MAX_SHOWN
) -> list[Recommendation]:
    """The fitting jobs among ``rows``, best first (the module's order), at most ``limit``, each job once."""
    found: list[tuple[tuple[Any, ...], Recommendation]] = []
    seen: set[str] = set()
    for row in rows:
        kind = fits(seeker, row, today)
        ref = job_ref(row)
        if kind is None or ref in seen:
            continue
        seen.add(ref)
        zh, en = reason(seeker, row)
        how_zh, how_en = how_to_apply(row)
        recommendation = Recommendation(
            job_ref=ref,
            kind=kind,
            trade=row["trade"],
            trade_zh=str(row.get("trade_zh", row["trade"])),
            trade_en=str(row.get("trade_en", row["trade"])),
            employer=str(row.get("employer", "")),
            where_zh=str(row.get("where", "")),
            where_en=str(row.get("where_en", "")),
            wage=str(row.get("wage", "")),
            date=row["date"],
            start=row["start"],
            positions=int(row["positions"]),
            reason_zh=zh,
            reason_en=en,
            how_zh=how_zh,
            how_en=how_en,
        )
        order = (_ORDER[kind], -day_wage(row["wage_low"], row["wage_unit"]), row["date"], row["start"], ref)
        found.append((order, recommendation))
    found.sort(key=lambda pair: pair[0])
    return [r for _, r in found[:limit]]
