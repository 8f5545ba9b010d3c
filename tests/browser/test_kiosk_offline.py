"""Unreliable networks: a kiosk submission that cannot reach the server is kept in the browser with its
Idempotency-Key and retried; when the network is back there is exactly one check-in on the topic."""

from __future__ import annotations

import json

import msgspec
from playwright.async_api import Route, expect

from services import topics
from services.market import records
from services.people import identity
from services.settings import Settings
from tests.browser.conftest import Signed
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.conftest import TEST_NOW
from tests.support.browser import photograph
from tests.support.kafka_reader import read_topic


async def _check_ins_of(platform: Settings, id_number: str) -> list[records.CheckIn]:
    """Check-ins of this person on the worker-commands topic, read independently from the beginning."""
    worker = identity.pseudonymise(identity.parse_id_number(id_number, today=TEST_NOW.date()), platform.pseudonym_key)
    found = await read_topic(platform.kafka_bootstrap, platform.topic(topics.WORKER_COMMANDS))
    decoded = [records.decode_worker_command(m.value) for m in found]
    return [r for r in decoded if isinstance(r, records.CheckIn) and r.worker == worker]


async def test_a_submission_made_offline_is_retried_and_checks_in_exactly_once(
    signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str], id_number: str, platform: Settings
) -> None:
    market, trade = lane
    context, kiosk = await signed_in(credentials[market], "/kiosk", width=1366, height=768)

    # 1. The network is down: the submission stays in localStorage, with its key, and the kiosk says so.
    await context.set_offline(True)
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#form-status")).to_contain_text("网络不通", timeout=WAIT)
    await expect(kiosk.locator("#outbox-status")).to_be_visible()
    await photograph(kiosk, "kiosk-offline")
    saved = json.loads(await kiosk.evaluate("localStorage.getItem('lingong.outbox')"))
    assert len(saved) == 1 and saved[0]["url"] == "/api/v1/checkins"
    key = saved[0]["key"]

    # 2. The network is back but flaky: the next attempt reaches the server and its answer is lost.
    lost: list[str] = []

    async def lose_answer(route: Route) -> None:
        if not lost:
            await route.fetch()  # the gateway accepts and publishes the check-in ...
            lost.append(route.request.headers["idempotency-key"])
            await route.abort("connectionreset")  # ... and the kiosk never hears of it
        else:
            await route.continue_()

    await kiosk.route("**/api/v1/checkins", lose_answer)
    await context.set_offline(False)

    # 3. The outbox retries with the same key; the server replays its first answer; the ticket appears.
    await expect(kiosk.locator("#screen-ticket")).to_be_visible(timeout=WAIT)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    assert lost == [key]
    assert await kiosk.evaluate("localStorage.getItem('lingong.outbox')") is None
    await expect(kiosk.locator("#outbox-status")).to_be_hidden()

    check_ins = await _check_ins_of(platform, id_number)
    assert len(check_ins) == 1, [msgspec.to_builtins(c) for c in check_ins]
