"""RESP packing (services/adapters/resp.py) gives redis-py's bytes and refuses what redis-py refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.connection import Connection
from redis.exceptions import DataError

from services.adapters.resp import pack_commands

ARGS = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
)
NAMES = st.sampled_from(["SET", "EVALSHA", b"MGET", "CLIENT SETNAME", b"CONFIG GET", "HSET"])
COMMANDS = st.lists(st.tuples(NAMES, st.lists(ARGS, max_size=6)).map(lambda c: (c[0], *c[1])), max_size=8)


def _redis_py(commands: list[tuple[object, ...]]) -> bytes:
    return b"".join(Connection().pack_commands(commands))  # type: ignore[arg-type]


@given(COMMANDS)
def test_the_bytes_are_redis_pys(commands: list[tuple[object, ...]]) -> None:
    assert pack_commands(commands) == _redis_py(commands)  # type: ignore[arg-type]


def test_large_and_buffer_arguments() -> None:
    big = b"x" * 100_000
    commands = [("SET", "k", big), ("SET", bytearray(b"k2"), memoryview(b"v"))]
    assert pack_commands(commands) == _redis_py(commands)  # type: ignore[arg-type]


def test_a_known_command() -> None:
    assert pack_commands([("SET", "k", 12), ("GET", b"k")]) == (
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    )


@pytest.mark.parametrize("bad", [True, None, object(), [1]])
def test_other_types_are_refused_like_redis_py(bad: object) -> None:
    with pytest.raises(DataError):
        _redis_py([("SET", "k", bad)])
    with pytest.raises(DataError):
        pack_commands([("SET", "k", bad)])  # type: ignore[list-item]
