"""The per-address limit counted on a pipeline (beside the token lookup): once per request, also the first time,
when Redis does not know the counting script yet."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from services.adapters.ratelimit import RateLimiter
from services.ratelimit import Limit
from services.settings import Settings


async def test_a_queued_hit_counts_once_also_before_the_script_is_loaded(settings: Settings) -> None:
    client = aioredis.Redis.from_url(settings.redis_url)
    limit = Limit("address_requests", 2, 60, "每个网络地址", "per client address")
    limiter = RateLimiter(client, f"test-{uuid.uuid4().hex[:8]}.")
    try:
        await client.script_flush()
        verdicts = []
        for _ in range(3):
            async with client.pipeline(transaction=False) as pipe:
                limiter.queue_hit(pipe, limit, "203.0.113.7")
                pipe.get("no-such-key")
                reply, lookup = await pipe.execute(raise_on_error=False)
            verdicts.append(await limiter.verdict_of(limit, "203.0.113.7", reply))
            assert lookup is None
        assert [v.count for v in verdicts] == [1, 2, 3]
        assert [v.allowed for v in verdicts] == [True, True, False]
        assert 0 < verdicts[-1].retry_after <= 60
    finally:
        await client.aclose()
