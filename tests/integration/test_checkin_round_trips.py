"""A check-in costs the gateway two Redis commands (observed with MONITOR on the real Redis): the admission
script (limits, token lookup, Idempotency-Key claim) and, after the broker's acknowledgement, the stored answer."""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from gateway.auth import token_sha256
from services.settings import Settings
from tests.conftest import new_id_number
from tests.integration.conftest import auth, check_in_body


async def _commands_naming(settings: Settings, needles: tuple[str, ...], act: asyncio.Task[int]) -> list[str]:
    """The commands Redis executes while ``act`` runs that name one of ``needles``."""
    client = aioredis.Redis.from_url(settings.redis_url)
    seen: list[str] = []
    try:
        async with client.monitor() as monitor:
            started = asyncio.get_running_loop().time()
            while not act.done() or asyncio.get_running_loop().time() - started < 0.5:
                try:
                    entry = await asyncio.wait_for(monitor.next_command(), 0.5)
                except TimeoutError:
                    continue
                from_script = entry.get("client_type") == "lua"  # what the script itself runs: no round trip
                if not from_script and any(needle in entry["command"] for needle in needles):
                    seen.append(entry["command"].split(" ", 1)[0])
    finally:
        await client.aclose()
    return seen


async def test_a_check_in_is_two_redis_commands(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str, platform: Settings
) -> None:
    market, trade = lane
    token, key = credentials[market], uuid.uuid4().hex
    warm_up = await gateway.post("/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(token))
    assert warm_up.status == 202  # Redis knows the script now (a fresh Redis costs one SCRIPT LOAD, once)

    async def check_in() -> int:
        await asyncio.sleep(0.3)  # MONITOR is listening by then
        answer = await gateway.post("/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(token, key))
        return answer.status

    act = asyncio.ensure_future(check_in())
    commands = await _commands_naming(platform, (token_sha256(token), key), act)
    assert act.result() == 202
    assert commands == ["EVALSHA", "SET"], commands
