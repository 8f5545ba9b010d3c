"""Request bodies as JSON, bounded: every JSON body of the API is decoded here.

Contract of :func:`decode_json`: the value of a strict JSON document (UTF-8, no NaN or Infinity; an empty body is
``null``), or :class:`~gateway.problems.ApiError` 400 — rule ``body_depth`` for arrays and objects nested deeper
than :data:`MAX_DEPTH` (checked before decoding, so no input shape can exhaust the decoder's recursion), rule
``body_json`` for anything that is not JSON. The size is bounded before this by the app's ``client_max_size``
(413). No body of any shape reaches a 500.
"""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.problems import ApiError

#: The deepest nesting of arrays and objects a body may have. The API's deepest body (a fair booth's positions)
#: nests three levels.
MAX_DEPTH = 32
_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")
_QUOTE, _BACKSLASH = 0x22, 0x5C


def nesting(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSERS:
            depth -= 1
    return deepest


def decode_json(raw: bytes) -> Any:
    """See the module's contract."""
    # a body with few brackets cannot nest deeply: the byte scan runs only for the rare body that might
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and nesting(raw) > MAX_DEPTH:
        raise ApiError(
            400,
            "body_depth",
            f"请求内容嵌套过深（最多 {MAX_DEPTH} 层）",
            f"the request body nests arrays and objects deeper than {MAX_DEPTH} levels",
            field="body",
        )
    try:
        return msgspec.json.decode(raw or b"null")
    except (msgspec.DecodeError, RecursionError) as error:
        raise ApiError(
            400, "body_json", "请求内容不是有效的 JSON", f"the request body is not valid JSON: {error}", field="body"
        ) from error
