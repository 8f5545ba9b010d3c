"""The batching of gateway/autopipeline.py without a server: what one loop iteration queues goes out as one
pipeline, replies are dealt out in order, a cancelled caller does not disturb the others."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.autopipeline import AutoPipeline


class _Pipe:
    def __init__(self, log: list[list[tuple[Any, ...]]], fail: Exception | None) -> None:
        self.log, self.fail, self.commands = log, fail, []  # type: ignore[var-annotated]

    async def __aenter__(self) -> _Pipe:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def execute_command(self, *command: Any) -> None:
        self.commands.append(command)

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        await asyncio.sleep(0.01)
        self.log.append(self.commands)
        if self.fail is not None:
            raise self.fail
        return [ValueError(c[1]) if c[0] == "BAD" else c[1] for c in self.commands]


class _Client:
    """Records each pipeline it is asked for (a recorder of batches, not a Redis)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.batches: list[list[tuple[Any, ...]]] = []
        self.fail = fail

    def pipeline(self, transaction: bool = True) -> _Pipe:
        assert transaction is False
        return _Pipe(self.batches, self.fail)


async def test_one_iteration_is_one_batch_and_errors_go_to_their_caller() -> None:
    client = _Client()
    pipeline = AutoPipeline(client)  # type: ignore[arg-type]
    replies = await asyncio.gather(
        pipeline.execute("ECHO", "a"),
        pipeline.execute("BAD", "b"),
        pipeline.execute("ECHO", "c"),
        return_exceptions=True,
    )
    assert replies[0] == "a" and replies[2] == "c" and isinstance(replies[1], ValueError)
    assert client.batches == [[("ECHO", "a"), ("BAD", "b"), ("ECHO", "c")]] and pipeline.batches == 1


async def test_a_failed_batch_fails_every_caller_and_a_cancelled_caller_is_skipped() -> None:
    client = _Client(fail=ConnectionError("down"))
    pipeline = AutoPipeline(client)  # type: ignore[arg-type]
    replies = await asyncio.gather(*(pipeline.execute("ECHO", n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in replies)
    healthy = AutoPipeline(_Client())  # type: ignore[arg-type]
    gone = asyncio.ensure_future(healthy.execute("ECHO", "gone"))
    kept = asyncio.ensure_future(healthy.execute("ECHO", "kept"))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == "kept"
