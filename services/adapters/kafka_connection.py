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

import logging
from typing import Any

import aiokafka
from aiokafka import errors
from aiokafka.conn import AIOKafkaConnection, CloseReason

#: The aiokafka versions whose ``AIOKafkaConnection.send`` this was reviewed against (aiokafka/conn.py).
REVIEWED_VERSIONS = ("0.14.0",)
_CLOSED = "handler is closed"
_applied = False
log = logging.getLogger(__name__)


def apply() -> None:
    """Wrap ``AIOKafkaConnection.send`` once. On an aiokafka version it was not reviewed against, nothing is
    wrapped and a warning says so (a broker restart may then crash a process on uvloop, as before)."""
    global _applied
    if _applied:
        return
    if aiokafka.__version__ not in REVIEWED_VERSIONS:
        log.warning(
            "aiokafka %s is not one of %s: connection writes not wrapped; review "
            "services/adapters/kafka_connection.py against its aiokafka/conn.py",
            aiokafka.__version__,
            REVIEWED_VERSIONS,
        )
        return
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
