"""aiokafka on uvloop: a write to a connection the broker just closed is a connection error, not a crash.

``AIOKafkaConnection.send`` writes the request to its transport and turns an ``OSError`` into
``KafkaConnectionError``, which every caller (producer sender, fetcher, group coordinator) retries. On asyncio's
own loop a write to a closed transport is silently dropped; on uvloop (the gateway, the stream worker and the
projector all run on it) it raises ``RuntimeError: unable to perform operation on <TCPTransport closed=True …>;
the handler is closed``. That happens when the broker goes away between the moment the connection is closed and
the moment aiokafka notices: the error escapes the group coordinator's routine and Faust's consumer crashes the
stream worker (seen in ``tests/faults/test_broker_killed.py``). :func:`apply` makes ``send`` treat that error as
aiokafka treats ``OSError``: close the connection and raise ``KafkaConnectionError``.
"""

from __future__ import annotations

from typing import Any

import aiokafka
from aiokafka import errors
from aiokafka.conn import AIOKafkaConnection, CloseReason

#: The aiokafka versions whose ``AIOKafkaConnection.send`` this was reviewed against (aiokafka/conn.py).
REVIEWED_VERSIONS = ("0.14.0",)
_CLOSED = "handler is closed"
_applied = False


def apply() -> None:
    """Wrap ``AIOKafkaConnection.send`` once. Refuses (``RuntimeError``: the process does not start) an aiokafka
    version it was not reviewed against, where the wrapper might silently no longer apply."""
    global _applied
    if _applied:
        return
    if aiokafka.__version__ not in REVIEWED_VERSIONS:
        raise RuntimeError(
            f"aiokafka {aiokafka.__version__} is not one of {REVIEWED_VERSIONS}: review "
            "services/adapters/kafka_connection.py against its aiokafka/conn.py before running it"
        )
    original = AIOKafkaConnection.send

    def send(self: AIOKafkaConnection, request: Any, expect_response: bool = True) -> Any:
        try:
            return original(self, request, expect_response)
        except RuntimeError as error:
            if _CLOSED not in str(error):
                raise
            self.close(reason=CloseReason.CONNECTION_BROKEN)
            raise errors.KafkaConnectionError(f"Connection at {self.host}:{self.port} broken: {error}") from error

    AIOKafkaConnection.send = send
    _applied = True
