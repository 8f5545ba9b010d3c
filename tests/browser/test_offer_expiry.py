"""Offers that say when they end, through the pages only (Chromium): the countdown and the expiry notice on the
kiosk, the worker's phone, the public ticket page and the employer's request page; the pause after a second
unanswered offer and "我还在等工作" lifting it (from the phone, then after a second pause from the ticket page's
form).

The movable clock: this module runs its own stack (its own topic prefix, stream worker and projector, on the
session's Kafka and Redis) whose gateway clock is a value the test moves, and it drives the market's clock by
``Tick`` commands sent through Kafka (``market-commands``) at the moved time, as the stream worker's ticker
would (its timer is off here: ``tick_interval_seconds=0``). The offer time-to-live is the default 600 s, so the
pages show "请在 10 分 0 秒内答复". A separate stack, because a market's clock never runs backwards: ticking a
shared market forward would move the time of every other test that uses it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from aiokafka import AIOKafkaProducer
from playwright.async_api import Browser, BrowserContext, Page, expect

from deploy.local.demo import wait_for_credentials
from gateway.main import create_app
from services import geography, records, topics
from services.adapters.registry import register_credential
from services.market.records import Tick
from services.settings import Settings
from services.topics import topic_specs
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.conftest import job_body
from tests.support import stack
from tests.support.browser import photograph

MARKET = geography.MARKETS[0]
TRADE = "porter"
TTL = timedelta(seconds=600)


class MovableClock:
    """The gateway's clock in this module: starts at the tests' fixed "now", moved only by :meth:`advance`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> datetime:
        self.now += by
        return self.now


@pytest.fixture(scope="module")
def expiry_stack(
    settings: Settings, kafka: stack.KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """A stack of its own: new topics, stream worker and projector, no ticker."""
    run = uuid.uuid4().hex[:8]
    own = dataclasses.replace(
        settings,
        topic_prefix=f"x{run}.",
        streams_app_id=f"lingong-expiry-{run}",
        offer_ttl_seconds=int(TTL.total_seconds()),
        tick_interval_seconds=0,
    )
    kafka.create_topics(topic_specs(own))
    workdir = tmp_path_factory.mktemp("expiry-platform")
    projector = stack.projector(own, workdir)
    worker = stack.stream_worker(own, workdir)
    try:
        yield own
    finally:
        worker.stop()
        projector.stop()


@pytest.fixture(scope="module")
def expiry_credentials(expiry_stack: Settings) -> dict[str, str]:
    async def issue() -> dict[str, str]:
        tokens = {
            "kiosk": await register_credential(
                expiry_stack,
                role="kiosk",
                subject_id=f"kiosk-{MARKET.market_id}",
                display_name=f"{MARKET.name_zh} 测试机",
                market_id=MARKET.market_id,
            ),
            "employer": await register_credential(
                expiry_stack, role="employer", subject_id="e-test", display_name="测试用工单位"
            ),
        }
        await wait_for_credentials(expiry_stack, list(tokens.values()))
        return tokens

    return asyncio.run(issue())


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(TEST_NOW)


@pytest.fixture
async def site(  # overrides tests/browser/conftest.py's: this module's gateway, on its own stack and clock
    aiohttp_server: Callable[..., Awaitable[TestServer]], expiry_stack: Settings, clock: MovableClock
) -> str:
    server = await aiohttp_server(create_app(expiry_stack, clock=clock), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def ticks(expiry_stack: Settings) -> AsyncIterator[Callable[[datetime], Awaitable[None]]]:
    """Send the market a ``Tick`` at a given time through ``market-commands`` (what the ticker does)."""
    producer = AIOKafkaProducer(bootstrap_servers=expiry_stack.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()

    async def tick(at: datetime) -> None:
        record = Tick(
            id=records.derived_id("test-tick", MARKET.market_id, at.isoformat()),
            at=at,
            market_id=MARKET.market_id,
            county=MARKET.county,
        )
        topic = expiry_stack.topic(topics.MARKET_COMMANDS)
        await producer.send_and_wait(topic, records.encode(record), key=MARKET.market_id.encode())

    try:
        yield tick
    finally:
        await producer.stop()


async def _api(site: str, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    async with aiohttp.ClientSession() as http, http.request(method, f"{site}{path}", json=body, headers=headers) as r:
        return r.status, await r.json()


async def _offer_of(site: str, checkin_id: str) -> dict[str, Any]:
    """The open offer of a check-in, from its status URL, once the projector has it."""
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            async with http.get(f"{site}/api/v1/checkins/{checkin_id}") as response:
                view = await response.json() if response.status == 200 else {}
            if view.get("status") == "offered":
                return dict(view["offer"])
            await asyncio.sleep(0.1)
    raise AssertionError(f"no offer for {checkin_id}")


async def _shoot(pages: dict[str, Page], stage: str) -> None:
    """Screenshots of each page at the three sizes, and no sideways scroll at 390 px wide."""
    for name, page in pages.items():
        await photograph(page, f"offer-{stage}-{name}")
        before = page.viewport_size
        await page.set_viewport_size({"width": 390, "height": 844})
        fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, f"{name} scrolls sideways at 390 px ({stage})"
        if before:
            await page.set_viewport_size(before)


async def _pages(
    browser: Browser, signed_in: Any, tokens: dict[str, str], site: str
) -> tuple[Page, Page, Page, str, BrowserContext]:
    """The kiosk checks worker A in and opens A's phone link; A's ticket page. Returns kiosk, phone, ticket page,
    A's check-in id and the phone's context."""
    _, kiosk = await signed_in(tokens["kiosk"], "/kiosk?idle=600")
    await kiosk_check_in(kiosk, new_id_number(), TRADE)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    await kiosk.click("#phone")
    await expect(kiosk.locator("#phone-qr-img")).to_be_visible()
    link = await kiosk.locator("#phone-qr-img").get_attribute("data-url")
    assert link
    phone_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = await phone_context.new_page()
    await phone.goto(link)
    await phone.wait_for_url("**/worker")
    checkin_id = await phone.locator("#worker").get_attribute("data-checkin")
    assert checkin_id
    await expect(phone.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    ticket_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    ticket = await ticket_context.new_page()
    await ticket.goto(f"{site}/tickets/{checkin_id}")
    return kiosk, phone, ticket, checkin_id, phone_context


async def test_an_offer_counts_down_expires_and_a_second_expiry_pauses_until_still_waiting(
    browser: Browser,
    signed_in: Any,
    site: str,
    expiry_credentials: dict[str, str],
    clock: MovableClock,
    ticks: Callable[[datetime], Awaitable[None]],
) -> None:
    tokens = expiry_credentials
    kiosk, phone, ticket, a_id, _ = await _pages(browser, signed_in, tokens, site)
    worker_b = {
        "id_number": new_id_number(),
        "trades": [TRADE],
        "min_day_wage": 150,
        "available_from": "07:00",
        "available_until": "18:00",
    }
    status, answer = await _api(site, "POST", "/api/v1/checkins", tokens["kiosk"], worker_b)
    assert status == 202, answer
    b_id = answer["checkin_id"]

    # j1 is offered to A (ticket 1): the deadline counts down on every page, by the server's clock
    status, posted = await _api(
        site, "POST", "/api/v1/job-requests", tokens["employer"], job_body(MARKET.market_id, TRADE)
    )
    assert status == 202, posted
    j1 = posted["request_id"]
    _, employer = await signed_in(tokens["employer"], f"/employer/requests/{j1}", width=1366, height=768)
    deadline = "（08:40 前）"  # TEST_NOW 08:30 + 10 minutes, local time
    for page in (kiosk, phone):
        countdown = page.locator("#o-deadline")
        await expect(countdown).to_contain_text("请在 ", timeout=WAIT)
        await expect(countdown).to_contain_text(deadline)
    first = await kiosk.locator("#o-deadline").get_attribute("data-seconds-left")
    await expect(kiosk.locator("#o-deadline")).not_to_have_attribute("data-seconds-left", first or "", timeout=5_000)
    assert int(await kiosk.locator("#o-deadline").get_attribute("data-seconds-left") or 0) in range(580, 600)
    await ticket.reload()
    await expect(ticket.locator("#o-deadline")).to_contain_text(deadline)
    open_offer = employer.locator("#open-offers li")
    await expect(open_offer).to_have_count(1, timeout=WAIT)
    await expect(open_offer).to_contain_text("1 号")
    await expect(open_offer).to_contain_text("08:40 前答复（还剩 ")
    await _shoot({"kiosk": kiosk, "phone": phone, "ticket": ticket, "employer": employer}, "countdown")

    # 08:40: the market's clock passes the deadline; the OfferExpired fact reaches the pages
    await ticks(clock.advance(TTL))
    for page in (kiosk, phone):
        await expect(page.locator("#expiry")).to_be_visible(timeout=WAIT)
        await expect(page.locator("#expiry")).to_contain_text("邀请已过期")
        await expect(page.locator("#expiry")).to_contain_text("您仍在排队，有新工作会再通知您")
        await expect(page.locator("#offer")).to_be_hidden()
        await expect(page.locator("#still-waiting")).to_be_hidden()
    await ticket.reload()
    await expect(ticket.locator("#expiry")).to_contain_text("您仍在排队")
    # the employer: A's offer expired, the place was offered to B (ticket 2); B declines it
    ended = employer.locator("#ended-offers li")
    await expect(ended).to_have_count(1, timeout=WAIT)
    await expect(ended).to_contain_text("1 号")
    await expect(ended).to_contain_text("已过期")
    await expect(ended).to_contain_text("已邀请下一位：2 号")
    b_offer = await _offer_of(site, b_id)
    await _shoot({"kiosk": kiosk, "phone": phone, "ticket": ticket}, "expired")
    status, _ = await _api(
        site, "POST", f"/api/v1/offers/{b_offer['offer_id']}/answer", tokens["kiosk"], {"answer": "decline"}
    )
    assert status == 202
    declined = employer.locator('#ended-offers li[data-outcome="declined"]')
    await expect(declined).to_contain_text("2 号", timeout=WAIT)
    await expect(declined).to_contain_text("已拒绝")
    await expect(declined).to_contain_text("还没有邀请下一位")
    await expect(employer.locator("#no-open-offers")).to_be_visible()
    await _shoot({"employer": employer}, "expired")

    # not paused yet: "still waiting" is refused with the rule's name
    status, refused = await _api(site, "POST", f"/api/v1/checkins/{a_id}/still-waiting", tokens["kiosk"], {})
    assert (status, refused["error"]) == (409, "not_paused"), refused
    assert "暂停" in refused["message_zh"] and refused["message_en"]

    # j2 is offered to A (deadline 08:50) and expires too: A is paused, no offer until "我还在等工作"
    status, _ = await _api(site, "POST", "/api/v1/job-requests", tokens["employer"], job_body(MARKET.market_id, TRADE))
    assert status == 202
    await expect(kiosk.locator("#o-deadline")).to_contain_text("（08:50 前）", timeout=WAIT)
    await expect(kiosk.locator("#expiry")).to_be_hidden()
    await ticks(clock.advance(TTL))
    for page in (kiosk, phone):
        await expect(page.locator("#still-waiting")).to_be_visible(timeout=WAIT)
        await expect(page.locator("#expiry")).to_contain_text("邀请已过期")
        await expect(page.locator("#expiry")).to_contain_text("暂停派工")
        await expect(page.locator("#t-status")).to_contain_text("已暂停派工")
    await ticket.reload()
    await expect(ticket.locator("#still-waiting")).to_be_visible()
    await expect(ticket.locator("#expiry")).to_contain_text("暂停派工")
    await _shoot({"kiosk": kiosk, "phone": phone, "ticket": ticket}, "paused")

    await phone.click("#still-waiting")
    for page in (phone, kiosk):
        await expect(page.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
        await expect(page.locator("#expiry")).to_be_hidden()
    await expect(phone.locator("#answer-status")).to_contain_text("已确认")
    await ticket.reload()
    await expect(ticket.locator("#expiry")).to_have_count(0)

    # two more unanswered offers pause A again; this time the public ticket page's form lifts the pause
    for expected_deadline in ("（09:00 前）", "（09:10 前）"):
        status, _ = await _api(
            site, "POST", "/api/v1/job-requests", tokens["employer"], job_body(MARKET.market_id, TRADE, start="10:00")
        )
        assert status == 202
        await expect(kiosk.locator("#o-deadline")).to_contain_text(expected_deadline, timeout=WAIT)
        await ticks(clock.advance(TTL))
    await expect(kiosk.locator("#still-waiting")).to_be_visible(timeout=WAIT)
    await ticket.reload()
    await ticket.click("#still-waiting")
    await ticket.wait_for_url(f"**/tickets/{a_id}")
    for page in (kiosk, phone):
        await expect(page.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    await ticket.reload()
    await expect(ticket.locator("#still-waiting")).to_have_count(0)
