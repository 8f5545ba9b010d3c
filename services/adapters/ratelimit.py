"""Fixed-window counters in Redis, atomic: one Lua script increments, starts the window, reads the time left.

Redis's own clock runs the windows (key expiry), so no process's clock or a race between processes can let
more requests through than the limit allows.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from services.ratelimit import Limit, Verdict, verdict
from services.readmodels import keys

#: Lua ``hit(key, window)``: one counted request, ``{count, seconds left}`` (also used by gateway/admission.py).
HIT_FUNCTION = """
local function hit(key, window)
  local count = redis.call('INCR', key)
  local ttl = redis.call('TTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, window)
    ttl = tonumber(window)
  end
  return {count, ttl}
end
"""
_SCRIPT = HIT_FUNCTION + "return hit(KEYS[1], ARGV[1])\n"


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
