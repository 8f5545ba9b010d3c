"""Places as data (issue 29): the prefecture, counties, markets, stations and service centres of the platform
come from a TOML file city staff edit (services/places/liupanshui.toml), read once at start by
:mod:`services.geography`; see docs/places.md."""

from __future__ import annotations

from pathlib import Path

from services.places.catalogue import Catalogue, CatalogueError, County, Market, Prefecture, parse

__all__ = ["CITY_FILE", "Catalogue", "CatalogueError", "County", "Market", "Prefecture", "load", "parse"]

#: The places file shipped with the platform.
CITY_FILE = Path(__file__).with_name("liupanshui.toml")


def load(path: Path = CITY_FILE) -> Catalogue:
    """The catalogue of the places file at ``path`` (:class:`CatalogueError` if it breaks a rule)."""
    return parse(path.read_text(encoding="utf-8"), source=str(path.name))
