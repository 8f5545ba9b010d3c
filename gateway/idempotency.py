"""Idempotency-Key handling, the Stripe pattern, in Redis.

``begin`` claims the key atomically (``SET NX``) with a keyed fingerprint of the request body:
- first time: :class:`Claimed` — go ahead, then :meth:`finish` with the answer or :meth:`abandon` on failure;
- the same key while the first is still in flight: :class:`InFlight` → 409;
- the same key with a different body (a different decoded value, not different bytes): :class:`Mismatch` → 422;
- the same key after success: :class:`Replay` with the stored status and body.
Redis is the fast path, not the guarantee: command ids derive from the key, so the agents deduplicate too.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import re
from typing import Any

import msgspec
import redis.asyncio as aioredis

from gateway.bodies import decode_json
from gateway.problems import ApiError
from gateway.redis_batch import RedisBatch
from services.readmodels import keys

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]{8,128}$")


def canonical_body(body: bytes) -> bytes:
    """The JSON value of ``body`` written one way (object keys sorted, no spaces); a body that is not JSON (it
    is refused later, 400) stays as its bytes. ``1`` and ``1.0`` stay different values, as the parsers see them."""
    try:
        value = decode_json(body)
    except ApiError:
        return body
    return msgspec.json.encode(value, order="sorted")


@dataclasses.dataclass(frozen=True, slots=True)
class Claimed:
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class InFlight:
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Mismatch:
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: dict[str, Any]


Outcome = Claimed | InFlight | Mismatch | Replay


class IdempotencyStore:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str,
        secret: bytes,
        ttl_seconds: int,
        batch: RedisBatch | None = None,
    ) -> None:
        """``batch``: the gateway's shared :class:`RedisBatch`, which :meth:`finish` (on every accepted command's
        path) goes through; a store of its own when not given."""
        self._redis = redis
        self._batch = batch or RedisBatch(redis)
        self._prefix = prefix
        self._secret = secret
        self._ttl = ttl_seconds

    def fingerprint(self, method: str, path: str, body: bytes) -> str:
        """A keyed hash of the request (bodies may carry ID numbers: a plain hash could be reversed). The body
        counts by its decoded value (:func:`canonical_body`): the same JSON with its keys in another order or
        other spacing is the same request."""
        parts = (method.encode(), path.encode(), canonical_body(body))
        return hmac.digest(self._secret, b"\0".join(parts), "sha256").hex()

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    @staticmethod
    def claim_value(fingerprint: str) -> str:
        """What a claim stores under the key until :meth:`finish` (also claimed by gateway/admission.py)."""
        return json.dumps({"state": "pending", "fp": fingerprint})

    async def begin(self, principal: str, key: str, fingerprint: str) -> Outcome:
        name = keys.idempotency(self._prefix, principal, key)
        if await self._redis.set(name, self.claim_value(fingerprint), nx=True, ex=self._ttl):
            return Claimed()
        raw = await self._redis.get(name)
        if raw is None:  # expired between the two calls: claim again
            return await self.begin(principal, key, fingerprint)
        return self.outcome_of(raw, fingerprint)

    @staticmethod
    def outcome_of(stored_raw: str | bytes, fingerprint: str) -> Outcome:
        """The outcome for a request with ``fingerprint`` whose key is already taken by ``stored_raw``."""
        stored = json.loads(stored_raw)
        if stored.get("fp") != fingerprint:
            return Mismatch()
        if stored.get("state") != "done":
            return InFlight()
        return Replay(int(stored["status"]), stored["body"])

    async def finish(self, principal: str, key: str, fingerprint: str, status: int, body: dict[str, Any]) -> None:
        name = keys.idempotency(self._prefix, principal, key)
        value = msgspec.json.encode({"state": "done", "fp": fingerprint, "status": status, "body": body})
        await self._batch.execute("SET", name, value, "EX", self._ttl)

    async def abandon(self, principal: str, key: str) -> None:
        await self._redis.delete(keys.idempotency(self._prefix, principal, key))
