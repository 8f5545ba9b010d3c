"""Fixtures of the fault battery.

Tests that only add load use the session stack (``platform``); tests that kill processes start a stack of their
own (``tests/faults/fault_stack.py``) so the other tests never see the fault.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from gateway.main import create_app
from services.settings import Settings
from tests.conftest import TEST_NOW, take_lane

#: Load tests send thousands of requests from one kiosk and one address: the per-device and per-address limits
#: (tested in tests/integration/test_rate_limits.py) are raised for them.
UNTHROTTLED = {"kiosk_requests_max": 10**7, "account_requests_max": 10**7, "address_requests_max": 10**7}


def lane_at(market_id: str, fallback_trade: str = "general_labourer") -> tuple[str, str]:
    """A (market, trade) pair no other test uses at ``market_id``; when the earlier tests took them all (the
    battery runs last), a shared one: the battery only counts its own check-ins' decisions."""
    try:
        return take_lane(market_id)
    except StopIteration:
        return market_id, fallback_trade


def unthrottled(settings: Settings) -> Settings:
    return dataclasses.replace(settings, **UNTHROTTLED)


@pytest.fixture
async def loaded_gateway(aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings) -> TestClient:
    """The real gateway, in process, on the session stack, without the request-rate limits."""
    return await aiohttp_client(create_app(unthrottled(platform), clock=lambda: TEST_NOW))
