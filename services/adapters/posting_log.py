"""Each employer's recent posting times, in a small Redis sorted set (the input of the burst flag).

``<prefix>postings:<employer_id>`` scores each posting id with its time (epoch seconds). One MULTI/EXEC adds
this posting, drops those older than the window and reads the rest, so concurrent postings all see each
other. The posting id is the member, so a retried request (same command id) is counted once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis


def key(prefix: str, employer_id: str) -> str:
    return f"{prefix}postings:{employer_id}"


async def record_posting(
    client: aioredis.Redis, prefix: str, employer_id: str, posting_id: str, at: datetime, window: timedelta
) -> list[datetime]:
    """Add ``posting_id`` at ``at``; return the employer's posting times within ``window`` before ``at``."""
    name = key(prefix, employer_id)
    async with client.pipeline(transaction=True) as pipe:
        pipe.zadd(name, {posting_id: at.timestamp()})
        pipe.zremrangebyscore(name, "-inf", f"({(at - window).timestamp()}")
        pipe.zrange(name, 0, -1, withscores=True)
        pipe.expire(name, int(window.total_seconds()) + 60)
        _, _, members, _ = await pipe.execute()
    return [datetime.fromtimestamp(score, UTC) for _, score in members]
