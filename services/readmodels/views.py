"""Shared mechanics of JSON views: decoding, encoding and the per-view record of applied event ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

View = dict[str, Any]
APPLIED_KEPT = 64
_decoder = msgspec.json.Decoder()


def load(raw: bytes | str | None) -> View | None:
    if raw is None:
        return None
    loaded = _decoder.decode(raw)
    return loaded if isinstance(loaded, dict) else None


def dump(view: View | None) -> bytes | None:
    """JSON bytes of a view (compact, keys sorted, UTF-8 unescaped); ``None`` means "delete the key".

    msgspec rather than :mod:`json`: the same bytes, several times faster for the large day views."""
    if view is None:
        return None
    return msgspec.json.encode(view, order="sorted")


def already_applied(view: View | None, event_id: str) -> bool:
    return view is not None and event_id in view.get("_applied", ())


def mark_applied(view: View, event_id: str) -> View:
    applied = [*view.get("_applied", ()), event_id][-APPLIED_KEPT:]
    view["_applied"] = applied
    return view


def public(view: View | None) -> View | None:
    """The view without its bookkeeping fields, as served to clients."""
    if view is None:
        return None
    return {k: v for k, v in view.items() if not k.startswith("_")}


# ---------------------------------------------------------------- views kept as Redis hashes

#: Separates a hash key from one of its fields in the projector's view keys: ``<key>\x1f<field>`` names the
#: field ``<field>`` of the Redis hash ``<key>``. Large views (the day ledgers, the dashboard's markets) are
#: hashes of small fields, so a batch reads and writes only the fields its facts touch, never a whole view.
FIELD_SEPARATOR = "\x1f"


def field_key(key: str, field: str) -> str:
    """The view key of ``field`` of the hash ``key``."""
    return f"{key}{FIELD_SEPARATOR}{field}"


def split_key(view_key: str) -> tuple[str, str | None]:
    """``(hash key, field)`` of a field's view key; ``(key, None)`` for a plain view key."""
    key, _, field = view_key.partition(FIELD_SEPARATOR)
    return key, field or None


def load_fields(
    raw: Mapping[bytes, bytes] | Mapping[str, bytes] | Mapping[bytes | str, bytes | str],
) -> dict[str, View]:
    """The fields of a hash (as HGETALL answers it: redis-py's types allow str or bytes), each decoded."""
    out: dict[str, View] = {}
    for name, value in raw.items():
        view = load(value)
        if view is not None:
            out[name.decode() if isinstance(name, bytes) else name] = view
    return out
