"""services/adapters/resp_connection.py against a scripted RESP server on loopback (tests/support/resp_server.py):
replies go to their commands in order, a batch is written while the previous one waits, an error reply goes to
its command only, a late reply or a broken connection fails every command still waiting, AUTH and SELECT are
sent on open. (Against the real Redis: tests/integration/test_autopipeline.py.)"""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.adapters.resp_connection import RedisAddress, RespConnection
from tests.support.resp_server import resp_server


async def test_batches_in_flight_together_get_their_own_replies_in_order() -> None:
    async with resp_server() as server:
        connection = await RespConnection.open(RedisAddress(port=server.port), timeout=2, connect_timeout=1)
        first = connection.send([("HOLD", 5), ("ECHO", "a"), ("BAD", "NOSCRIPT", "gone")])
        second = connection.send([("ECHO", "b"), ("BAD", "WRONGTYPE", "no")])  # before any reply came
        replies = await asyncio.gather(*first, *second, return_exceptions=True)
        assert replies[0] == b"OK" and replies[1] == b"a" and replies[3] == b"b"
        assert isinstance(replies[2], NoScriptError)  # redis-py's class for the error, as its parser gives
        assert isinstance(replies[4], ResponseError) and "no" in str(replies[4])
        assert connection.writes == 2 and connection.usable
        connection.close()
        await connection.closed()
        assert not connection.usable
        with pytest.raises(RedisConnectionError):
            connection.send([("ECHO", "c")])


def test_the_same_on_uvloop() -> None:
    """The gateway and the projector run on uvloop, whose transports are not asyncio's classes."""
    uvloop.run(test_batches_in_flight_together_get_their_own_replies_in_order())
    uvloop.run(test_a_hang_up_fails_every_waiting_command())


async def test_a_dropped_future_does_not_shift_the_replies() -> None:
    async with resp_server() as server:
        connection = await RespConnection.open(RedisAddress(port=server.port), timeout=2, connect_timeout=1)
        gone, kept = connection.send([("HOLD", 2), ("ECHO", "kept")])
        gone.cancel()
        assert await kept == b"kept"
        assert await connection.send([("ECHO", "next")])[0] == b"next"
        connection.close()


async def test_a_late_reply_fails_every_waiting_command_with_a_timeout() -> None:
    async with resp_server() as server:
        connection = await RespConnection.open(RedisAddress(port=server.port), timeout=0.2, connect_timeout=1)
        assert await connection.send([("ECHO", "warm")])[0] == b"warm"
        replies = connection.send([("SLOW",), ("ECHO", "after")])
        outcomes = await asyncio.gather(*replies, return_exceptions=True)
        assert all(isinstance(o, RedisTimeoutError) for o in outcomes), outcomes
        await asyncio.wait_for(connection.closed(), 1)
        assert not connection.usable


async def test_a_hang_up_fails_every_waiting_command() -> None:
    async with resp_server() as server:
        connection = await RespConnection.open(RedisAddress(port=server.port), timeout=2, connect_timeout=1)
        outcomes = await asyncio.gather(*connection.send([("HANGUP",), ("ECHO", "x")]), return_exceptions=True)
        assert all(isinstance(o, RedisConnectionError) for o in outcomes), outcomes


async def test_auth_and_select_are_sent_on_open() -> None:
    async with resp_server() as server:
        address = RedisAddress(port=server.port, db=3, username="gw", password="s3cret")
        connection = await RespConnection.open(address, timeout=2, connect_timeout=1)
        assert server.connections[0] == [(b"AUTH", b"gw", b"s3cret"), (b"SELECT", b"3")]
        connection.close()
        with pytest.raises(RedisConnectionError, match="set-up"):
            await RespConnection.open(RedisAddress(port=server.port, password="wrong"), 2, 1)
        assert server.connections[1] == [(b"AUTH", b"wrong")]


async def test_an_unreachable_server_is_a_connection_error() -> None:
    async with resp_server() as server:
        port = server.port
    with pytest.raises(RedisConnectionError, match="cannot connect"):
        await RespConnection.open(RedisAddress(port=port), timeout=1, connect_timeout=1)
