"""Fixed-window counters in Redis, atomic: one Lua script increments, starts the window, reads the time left.

Redis's own clock runs the windows (key expiry), so no process's clock or a race between processes can let
more requests through than the limit allows.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from services.ratelimit import Limit, Verdict, verdict
from services.readmodels import keys

_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RateLimiter:
    """Counts requests per (limit, subject) under the stack's key prefix."""

    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    async def hit(self, limit: Limit, subject: str) -> Verdict:
        """Count one request of ``subject`` against ``limit`` and return the verdict."""
        count, ttl = await self._script(
            keys=[keys.rate_limit(self.prefix, limit.name, subject)], args=[limit.window_seconds]
        )
        return verdict(limit, int(count), int(ttl))

    async def queue_hit(self, pipeline: Any, limit: Limit, subject: str) -> None:
        """Queue :meth:`hit` on a (non-transactional) pipeline; :meth:`verdict_of` reads its reply."""
        await self._script(
            keys=[keys.rate_limit(self.prefix, limit.name, subject)], args=[limit.window_seconds], client=pipeline
        )

    @staticmethod
    def verdict_of(limit: Limit, reply: Any) -> Verdict:
        count, ttl = reply
        return verdict(limit, int(count), int(ttl))
