"""Idempotency fingerprints compare what a body means, not its bytes (gateway/idempotency.py)."""

from __future__ import annotations

import json
from typing import Any, cast

from gateway.idempotency import IdempotencyStore, Mismatch, Replay, canonical_body


def _store() -> IdempotencyStore:
    # fingerprint and outcome_of never touch Redis
    return IdempotencyStore(cast(Any, None), prefix="t:", secret=b"s" * 32, ttl_seconds=60)


def test_the_same_json_with_keys_in_another_order_is_the_same_request() -> None:
    store = _store()
    path = "/api/v1/job-requests"
    first = store.fingerprint("POST", path, b'{"trade":"mason","headcount":2,"x":{"b":1,"a":2}}')
    again = store.fingerprint("POST", path, b'{ "x": {"a": 2, "b": 1}, "headcount": 2, "trade": "mason" }')
    assert first == again
    done = json.dumps({"state": "done", "fp": first, "status": 202, "body": {}})
    assert isinstance(store.outcome_of(done, again), Replay)


def test_another_value_is_another_request() -> None:
    store = _store()
    first = store.fingerprint("POST", "/p", b'{"headcount": 2}')
    assert store.fingerprint("POST", "/p", b'{"headcount": 3}') != first
    assert store.fingerprint("POST", "/p", b'{"headcount": 2.0}') != first  # the parsers tell 2 from 2.0
    assert store.fingerprint("POST", "/q", b'{"headcount": 2}') != first
    done = json.dumps({"state": "done", "fp": first, "status": 202, "body": {}})
    assert isinstance(store.outcome_of(done, store.fingerprint("POST", "/p", b'{"headcount": 3}')), Mismatch)


def test_a_body_that_is_not_json_counts_by_its_bytes() -> None:
    assert canonical_body(b"{not json") == b"{not json"
    assert canonical_body(b'{"b": [1, {"d": 1, "c": 2}], "a": null}') == b'{"a":null,"b":[1,{"c":2,"d":1}]}'
    assert canonical_body(b"") == b"null"
