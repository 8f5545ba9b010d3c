"""aiokafka on uvloop, against the session's real broker (services/adapters/kafka_connection.py): a request
written to a connection whose transport was closed under it raises ``KafkaConnectionError`` (retried by every
aiokafka caller), not uvloop's ``RuntimeError`` (which crashed the stream worker when the broker was killed)."""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from aiokafka import errors
from aiokafka.conn import create_conn
from aiokafka.protocol.metadata import MetadataRequest

from services.adapters import kafka_connection
from tests.support import stack


async def _write_after_close(bootstrap: str) -> BaseException:
    host, port = bootstrap.rsplit(":", 1)
    conn = await create_conn(host, int(port))
    try:
        assert conn._writer is not None
        conn._writer.transport.close()  # the broker went away ...
        await asyncio.sleep(0)  # ... uvloop has closed the handle, aiokafka has not noticed yet
        assert conn._writer is not None
        with pytest.raises(BaseException) as caught:
            await conn.send(MetadataRequest([]))
        return caught.value
    finally:
        conn.close()


def test_a_write_to_a_closed_connection_is_a_connection_error_on_uvloop(kafka: stack.KafkaBroker) -> None:
    kafka_connection.apply()
    error = uvloop.run(_write_after_close(kafka.bootstrap))
    assert isinstance(error, errors.KafkaConnectionError), repr(error)
    assert "handler is closed" in str(error)
