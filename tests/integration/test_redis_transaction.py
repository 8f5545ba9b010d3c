"""Two-round-trip optimistic transactions (services/adapters/redis_transaction.py), on the real Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from services.adapters.redis_transaction import WatchedConnection


@pytest.fixture
async def txn(redis: aioredis.Redis) -> AsyncIterator[WatchedConnection]:
    connection = WatchedConnection(redis)
    yield connection
    await connection.close()


def _key() -> str:
    return f"txn-test:{uuid.uuid4().hex}"


async def test_reads_then_writes_in_one_transaction(redis: aioredis.Redis, txn: WatchedConnection) -> None:
    a, b, h = _key(), _key(), _key()
    await redis.set(a, b"1")
    await redis.hset(h, mapping={"f": b"x"})
    assert await txn.read([a, h], [("MGET", a, b), ("HMGET", h, "f", "g")]) == [[b"1", None], [b"x", None]]
    assert await txn.commit([("MSET", a, b"2", b, 7), ("HSET", h, "g", b"y"), ("HDEL", h, "f")]) is True
    assert await redis.mget([a, b]) == [b"2", b"7"]
    assert await redis.hgetall(h) == {b"g": b"y"}


async def test_a_write_to_a_watched_key_in_between_fails_the_commit_and_writes_nothing(
    redis: aioredis.Redis, txn: WatchedConnection
) -> None:
    watched, written = _key(), _key()
    await txn.read([watched], [("MGET", watched)])
    await redis.set(watched, b"theirs")  # another client, between our read and our EXEC
    assert await txn.commit([("MSET", watched, b"ours", written, b"ours")]) is False
    assert await redis.mget([watched, written]) == [b"theirs", None]
    # read again: the next attempt goes through on what is stored now
    assert await txn.read([watched], [("MGET", watched)]) == [[b"theirs"]]
    assert await txn.commit([("MSET", watched, b"ours", written, b"ours")]) is True
    assert await redis.mget([watched, written]) == [b"ours", b"ours"]


async def test_abandon_forgets_the_watch(redis: aioredis.Redis, txn: WatchedConnection) -> None:
    first, second = _key(), _key()
    await txn.read([first], [("MGET", first)])
    await txn.abandon()
    await redis.set(first, b"changed")  # no longer watched: must not fail the next transaction
    await txn.read([second], [("MGET", second)])
    assert await txn.commit([("MSET", second, b"1")]) is True


async def test_an_error_reply_inside_the_transaction_is_raised(redis: aioredis.Redis, txn: WatchedConnection) -> None:
    plain = _key()
    await redis.set(plain, b"not a hash")
    await txn.read([plain], [("MGET", plain)])
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await txn.commit([("HSET", plain, "f", b"v")])
    # the connection is still usable
    await txn.read([plain], [("MGET", plain)])
    assert await txn.commit([("MSET", plain, b"fine")]) is True


async def test_a_lost_connection_is_raised_and_the_next_transaction_opens_a_fresh_one(
    redis: aioredis.Redis, txn: WatchedConnection
) -> None:
    key = _key()
    _, client_id = await txn.read([key], [("MGET", key), ("CLIENT", "ID")])
    await redis.execute_command("CLIENT", "KILL", "ID", client_id)  # Redis restarted, a network cut...
    with pytest.raises(RedisConnectionError):
        await txn.commit([("MSET", key, b"lost")])
    assert await redis.get(key) is None
    await txn.read([key], [("MGET", key)])
    assert await txn.commit([("MSET", key, b"kept")]) is True
    assert await redis.get(key) == b"kept"
