"""Counties of Liupanshui and their gig markets (零工市场), gig stations (零工驿站) and service centres.

Every event carries its market and county; the market id is the partition key of ``market-commands``.
Each county runs at least one market (附件4 (二)); townships and subdistricts run stations. The places are data,
not code (issue 29): services/places/liupanshui.toml, checked by :mod:`services.places.catalogue` when this
module is imported, so a bad edit stops a process at start. City staff add a market there (docs/places.md).

Rule code of :func:`parse_market_id`: ``market_unknown``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from services import places
from services.errors import FieldError, InvalidInput
from services.places import County, Market, Prefecture

__all__ = [
    "COUNTIES",
    "COUNTIES_BY_CODE",
    "MARKETS",
    "MARKETS_BY_ID",
    "PREFECTURE",
    "County",
    "Market",
    "Prefecture",
    "county",
    "market",
    "markets_in",
    "parse_market_id",
]

_CATALOGUE = places.load()

#: The prefecture-level city the platform serves.
PREFECTURE: Prefecture = _CATALOGUE.prefecture
#: Its county-level divisions, in the order of the places file.
COUNTIES: tuple[County, ...] = _CATALOGUE.counties
#: Its markets, stations and service centres, in the order of the places file.
MARKETS: tuple[Market, ...] = _CATALOGUE.markets

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
