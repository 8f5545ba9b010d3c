"""Shared mechanics of JSON views: decoding, encoding and the per-view record of applied event ids."""

from __future__ import annotations

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
