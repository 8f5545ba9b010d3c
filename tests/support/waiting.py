"""Waiting for an asynchronous effect, with a bound: the condition is checked, never a sleep alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 20, what: str = "") -> T:
    """The first truthy value of ``probe()``, polled every 50 ms; ``TimeoutError`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not seen within {timeout}s: {what}")
        await asyncio.sleep(0.05)
