"""Counties of Liupanshui and their gig markets (零工市场) and gig stations (零工驿站).

Every event carries its market and county; the market id is the partition key of ``market-commands``.
Each county runs at least one market (附件4 (二)); townships and subdistricts run stations. The stations
listed are a starting set: city staff add the rest as rows here.

Rule code of :func:`parse_market_id`: ``market_unknown``.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from services.errors import FieldError, InvalidInput


@dataclasses.dataclass(frozen=True, slots=True)
class County:
    """A county-level division. ``region_code`` is its 6-digit division code; ``None`` for 六盘水高新区,
    a development zone without one."""

    code: str
    name_zh: str
    name_en: str
    region_code: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Market:
    """A place where workers check in: a county's gig market or a township's gig station."""

    market_id: str
    county: str
    name_zh: str
    name_en: str
    kind: Literal["market", "station"]


COUNTIES: tuple[County, ...] = (
    County("zhongshan", "钟山区", "Zhongshan District", "520201"),
    County("liuzhi", "六枝特区", "Liuzhi Special District", "520203"),
    County("shuicheng", "水城区", "Shuicheng District", "520204"),
    County("panzhou", "盘州市", "Panzhou City", "520281"),
    County("gaoxin", "六盘水高新区", "Liupanshui High-tech Zone", None),
)

MARKETS: tuple[Market, ...] = (
    Market("zs-market", "zhongshan", "钟山区零工市场", "Zhongshan Gig Market", "market"),
    Market("lz-market", "liuzhi", "六枝特区零工市场", "Liuzhi Gig Market", "market"),
    Market("sc-market", "shuicheng", "水城区零工市场", "Shuicheng Gig Market", "market"),
    Market("pz-market", "panzhou", "盘州市零工市场", "Panzhou Gig Market", "market"),
    Market("gx-market", "gaoxin", "六盘水高新区零工市场", "High-tech Zone Gig Market", "market"),
    Market("zs-dewu-station", "zhongshan", "德坞街道零工驿站", "Dewu Subdistrict Gig Station", "station"),
    Market(
        "sc-shuangshui-station",
        "shuicheng",
        "双水街道零工驿站",
        "Shuangshui Subdistrict Gig Station",
        "station",
    ),
    Market("pz-hongguo-station", "panzhou", "红果街道零工驿站", "Hongguo Subdistrict Gig Station", "station"),
)

COUNTIES_BY_CODE: Mapping[str, County] = MappingProxyType({c.code: c for c in COUNTIES})
MARKETS_BY_ID: Mapping[str, Market] = MappingProxyType({m.market_id: m for m in MARKETS})


def county(code: str) -> County:
    """The county with this code (``"zhongshan"``); :class:`KeyError` if there is none."""
    return COUNTIES_BY_CODE[code]


def market(market_id: str) -> Market:
    """The market or station with this id (``"zs-market"``); :class:`KeyError` if there is none."""
    return MARKETS_BY_ID[market_id]


def markets_in(county_code: str) -> tuple[Market, ...]:
    """The markets and stations of one county, markets first, in catalogue order."""
    found = [m for m in MARKETS if m.county == county_code]
    return tuple(sorted(found, key=lambda m: m.kind != "market"))


def parse_market_id(raw: object, field: str = "market_id") -> Market:
    """The market for a submitted id (trimmed, case-insensitive).

    Raises :class:`InvalidInput` naming ``field`` with rule ``market_unknown`` for anything else, non-strings
    included.
    """
    market_id = unicodedata.normalize("NFKC", raw).strip().lower() if isinstance(raw, str) else ""
    found = MARKETS_BY_ID.get(market_id)
    if found is None:
        raise InvalidInput(
            FieldError(
                field,
                "market_unknown",
                "未知的零工市场或零工驿站",
                "Unknown gig market or gig station",
            )
        )
    return found
