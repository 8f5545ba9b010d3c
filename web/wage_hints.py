"""The legal minimum wage beside the wage fields: the kiosk's "最低日工资" and the employer's "日工资".

The rate is the one the gateway's screening applies (:meth:`services.screening.postings.Policy.county_minimum`: the
setting's override, else the county's class in :mod:`services.minimum_wage`, else the fallback), so the hint and
the refusal ``wage_below_minimum`` always say the same number, in the same words:
``钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.typedefs import SETTINGS
from services import geography, minimum_wage
from services.screening import postings as screening

#: The hours a hint is worked out for when the form does not say (a full day).
DAY_HOURS = 8


def policy(request: web.Request) -> screening.Policy:
    return screening.Policy.from_settings(request.app[SETTINGS])


def day_hint(request: web.Request, county: str, lang: str, hours: int = DAY_HOURS) -> str:
    """The minimum for ``hours`` in ``county``, in the page's language."""
    chinese, english = policy(request).county_minimum(county).day_minimum_text(hours)
    return chinese if lang == "zh_CN" else english


def market_minimums(request: web.Request, lang: str) -> dict[str, Any]:
    """What the employer's form script needs to redo the hint when the market or the hours change: the wording
    (``{county}``, ``{hourly}``, ``{hours}``, ``{day}``) and, per market, its county's name in the page's
    language and hourly rate (also in hundredths of a yuan, so that the script multiplies whole numbers)."""
    rules = policy(request)
    markets: dict[str, dict[str, Any]] = {}
    for market in geography.MARKETS:
        found = rules.county_minimum(market.county)
        county = found.county_name_zh if lang == "zh_CN" else f"{found.county_name_en} "
        markets[market.market_id] = {
            "county": county,
            "hourly": minimum_wage.yuan(found.hourly_yuan),
            "hundredths": int(found.hourly_yuan * 100),
        }
    wording = minimum_wage.DAY_MINIMUM_ZH if lang == "zh_CN" else minimum_wage.DAY_MINIMUM_EN
    return {"wording": wording, "markets": markets}
