"""The catalogue of places: a prefecture, its county-level divisions, and the markets, stations and service
centres where workers check in, read from a data file (TOML) that city staff edit, not from Python rows.

:func:`parse` turns the file's text into a :class:`Catalogue` and checks it whole, so that a bad edit stops every
process at start with a message naming the entry and the rule, instead of a market that half exists. Contracts:

- codes and ids are lowercase slugs (``[a-z][a-z0-9-]*``), unique among counties and among markets;
- a county's ``region_code`` is absent (a development zone) or six digits starting with the prefecture's four;
- every market names a county of the catalogue and a kind of :data:`KINDS`;
- every name is non-empty: Chinese (``name_zh``) is what people see; the English one (``name_en``) is ASCII;
- the order of the file is the order of the catalogue (pages list places in it).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from typing import Any, Literal

MarketKind = Literal["market", "station", "service_centre"]
#: 县级零工市场, 乡镇/街道零工驿站, 易地扶贫搬迁安置点就业服务站.
KINDS: tuple[MarketKind, ...] = ("market", "station", "service_centre")

_SLUG = re.compile(r"[a-z][a-z0-9-]*")


class CatalogueError(ValueError):
    """The places file breaks a rule; the message names the entry and the rule."""


@dataclasses.dataclass(frozen=True, slots=True)
class Prefecture:
    """A prefecture-level city (地级市); ``region_code`` is its 6-digit division code."""

    code: str
    name_zh: str
    name_en: str
    region_code: str


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
    """A place where workers check in: a county's gig market, a township's gig station, or a resettlement
    site's service centre."""

    market_id: str
    county: str
    name_zh: str
    name_en: str
    kind: MarketKind


@dataclasses.dataclass(frozen=True, slots=True)
class Catalogue:
    prefecture: Prefecture
    counties: tuple[County, ...]
    markets: tuple[Market, ...]


def parse(text: str, source: str = "places file") -> Catalogue:
    """The catalogue in ``text`` (TOML); :class:`CatalogueError` naming ``source`` and the entry if it breaks a rule."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{source}: not valid TOML: {error}") from error
    prefecture = _prefecture(data.get("prefecture"), source)
    counties = tuple(_county(raw, n, prefecture, source) for n, raw in enumerate(_tables(data, "counties", source)))
    _unique([c.code for c in counties], "county code", source)
    known = {c.code for c in counties}
    markets = tuple(_market(raw, n, known, source) for n, raw in enumerate(_tables(data, "markets", source)))
    _unique([m.market_id for m in markets], "market id", source)
    return Catalogue(prefecture, counties, markets)


def _tables(data: dict[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    found = data.get(key, [])
    if not isinstance(found, list) or not all(isinstance(x, dict) for x in found):
        raise CatalogueError(f"{source}: [[{key}]] must be an array of tables")
    return found


def _text(raw: dict[str, Any], key: str, where: str, *, ascii_only: bool = False) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: {key} is required (a non-empty text)")
    if ascii_only and not value.isascii():
        raise CatalogueError(f"{where}: {key} must be ASCII")
    return value.strip()


def _slug(raw: dict[str, Any], key: str, where: str) -> str:
    value = _text(raw, key, where)
    if not _SLUG.fullmatch(value):
        raise CatalogueError(f"{where}: {key} {value!r} must be a lowercase slug ([a-z][a-z0-9-]*)")
    return value


def _prefecture(raw: object, source: str) -> Prefecture:
    where = f"{source}: [prefecture]"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where} is required")
    code = _text(raw, "region_code", where)
    if not re.fullmatch(r"\d{4}00", code):
        raise CatalogueError(f"{where}: region_code {code!r} must be six digits ending in 00")
    return Prefecture(
        _slug(raw, "code", where), _text(raw, "name_zh", where), _text(raw, "name_en", where, ascii_only=True), code
    )


def _county(raw: dict[str, Any], n: int, prefecture: Prefecture, source: str) -> County:
    where = f"{source}: county #{n + 1} ({raw.get('code', '?')})"
    region = raw.get("region_code")
    if region is not None and not (isinstance(region, str) and re.fullmatch(r"\d{6}", region)):
        raise CatalogueError(f"{where}: region_code must be six digits, or absent")
    if region is not None and not region.startswith(prefecture.region_code[:4]):
        raise CatalogueError(f"{where}: region_code {region} is not in {prefecture.name_zh} ({prefecture.region_code})")
    return County(
        _slug(raw, "code", where), _text(raw, "name_zh", where), _text(raw, "name_en", where, ascii_only=True), region
    )


def _market(raw: dict[str, Any], n: int, counties: set[str], source: str) -> Market:
    where = f"{source}: market #{n + 1} ({raw.get('id', '?')})"
    county = _text(raw, "county", where)
    if county not in counties:
        raise CatalogueError(f"{where}: county {county!r} is not a county of the file")
    kind = _text(raw, "kind", where)
    if kind not in KINDS:
        raise CatalogueError(f"{where}: kind {kind!r} must be one of {', '.join(KINDS)}")
    return Market(
        _slug(raw, "id", where),
        county,
        _text(raw, "name_zh", where),
        _text(raw, "name_en", where, ascii_only=True),
        kind,
    )


def _unique(values: list[str], what: str, source: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise CatalogueError(f"{source}: {what} {value!r} appears twice")
        seen.add(value)
