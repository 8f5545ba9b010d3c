"""A job request's life on the clock, through the employer's pages only (Chromium): a start already past is
refused beside the field; "现在就要人" posts a job that starts now; a request past its start plus the grace
says so in plain Chinese and offers "还需要人，尽快开工", which opens it again with the start moved to now.

Moving time: the pages' gateway has the session's fixed clock (``TEST_NOW``, 08:30 in Liupanshui) and the
stream worker's ticker is off in the test stack, so the test moves *the market's* clock instead: it sends the
market a ``Tick`` carrying 09:01 through Kafka (``market-commands``), as the ticker would at that moment. The
market's clock never runs backwards, so every later command there is decided at 09:01 (commands carry the
gateway's 08:30). That is why the test uses a lane of a market no other test of the session uses
(``pz-hongguo-station``, the last market, which the lanes reach last): the other tests' markets keep their clock.
No setting or product code exists for tests to move time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from aiokafka import AIOKafkaProducer
from playwright.async_api import Page, expect

from services import geography, topics
from services.market import records
from services.records import encode
from services.settings import Settings
from tests.browser.conftest import Signed
from tests.browser.test_kiosk_flow import WAIT
from tests.conftest import TEST_NOW, take_lane
from tests.support.browser import photograph

MARKET = "pz-hongguo-station"
SIZES = ("kiosk-landscape", "phone")  # 1366x768 and 390x844


async def _supply_shows(page: Page, place: str, shown: bool) -> None:
    """Reload the public supply list (``/supply``) until a row with ``place`` is ``shown`` (or not)."""
    deadline = time.monotonic() + WAIT / 1000
    while True:
        await page.goto("/supply")
        if (await page.get_by_text(place).count() > 0) == shown:  # a card on a phone, a table row on a laptop
            return
        assert time.monotonic() < deadline, f"/supply {'never listed' if shown else 'still lists'} {place}"
        await asyncio.sleep(0.3)


async def _post_start_now(employer: Page, trade: str, place: str = "盘州市红果街道") -> str:
    """Fill the form with "现在就要人" and post; the request's id from the page it lands on."""
    await employer.select_option("#market_id", MARKET)
    await employer.select_option("#trade", trade)
    await employer.fill("#day_wage", "300")
    await employer.fill("#hours", "8")
    await employer.fill("#place", place)
    await employer.check("#start_now")
    await expect(employer.locator("#start")).to_be_disabled()
    await employer.click("#submit")
    await employer.wait_for_url("**/employer/requests/*", timeout=WAIT)
    return employer.url.rsplit("/", 1)[-1]


async def _tick(settings: Settings, minutes_after_test_now: int) -> None:
    """The market's clock, moved by a ``Tick`` through Kafka (what the stream worker's ticker sends)."""
    market = geography.market(MARKET)
    tick = records.Tick(
        id=str(uuid.uuid4()),
        at=TEST_NOW + timedelta(minutes=minutes_after_test_now),
        market_id=market.market_id,
        county=market.county,
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic(topics.MARKET_COMMANDS), encode(tick), key=market.market_id.encode()
        )
    finally:
        await producer.stop()


async def test_start_now_posts_a_job_that_starts_now(signed_in: Signed, credentials: dict[str, str]) -> None:
    _, trade = take_lane(MARKET)
    _, employer = await signed_in(credentials["employer"], "/employer", width=1366, height=768)
    # a start already past (07:00 at 08:30) is refused beside the field, in Chinese
    await employer.select_option("#market_id", MARKET)
    await employer.select_option("#trade", trade)
    await employer.fill("#day_wage", "300")
    await employer.fill("#place", "盘州市红果街道")
    await employer.fill("#start", "07:00")
    await employer.click("#submit")
    await expect(employer.locator("#start-error")).to_contain_text("开工时间已经过去", timeout=WAIT)
    await expect(employer.locator("#start-error")).to_contain_text("现在就要人")
    await expect(employer.locator("#start")).to_have_attribute("aria-invalid", "true")
    assert employer.url.endswith("/employer")
    await photograph(employer, "employer-start-past", SIZES)
    await employer.check("#start_now")
    await photograph(employer, "employer-post-start-now", SIZES)
    await employer.uncheck("#start_now")
    await _post_start_now(employer, trade)
    await expect(employer.locator("#r-status")).to_have_text("招工中", timeout=WAIT)
    await expect(employer.locator("#r-start")).to_have_text("08:30 开工，干 8 小时")  # TEST_NOW is 08:30 local
    await expect(employer.locator("#late-panel")).to_be_hidden()
    await photograph(employer, "employer-request-start-now", SIZES)


async def test_a_request_past_its_start_plus_grace_is_reopened_from_its_page(
    signed_in: Signed, credentials: dict[str, str], platform: Settings
) -> None:
    _, trade = take_lane(MARKET)
    context, employer = await signed_in(credentials["employer"], "/employer", width=390, height=844)
    place = f"红果街道{uuid.uuid4().hex[:6]}号"
    request_id = await _post_start_now(employer, trade, place)
    await expect(employer.locator("#r-status")).to_have_text("招工中", timeout=WAIT)
    supply = await context.new_page()
    await _supply_shows(supply, place, shown=True)

    await _tick(platform, 31)  # 09:01: the 08:30 job's start plus 30 minutes has passed
    await expect(employer.locator("#late-text")).to_have_text("开工时间已过 30 分钟，已停止派人", timeout=WAIT)
    await expect(employer.locator("#r-status")).to_have_text("开工时间已过，已停止派人")
    reopen = employer.locator("#reopen")
    await expect(reopen).to_have_text("还需要人，尽快开工")
    box = await reopen.bounding_box()
    assert box is not None and box["height"] >= 48
    await photograph(employer, "employer-request-start-passed", SIZES)
    await _supply_shows(supply, place, shown=False)  # it left the public supply list

    await reopen.click()  # two taps: the first asks, the second records
    await expect(employer.locator("#reopen-confirm-text")).to_contain_text("开工时间将改为现在")
    await employer.click("#reopen-yes")
    await expect(employer.locator("#r-status")).to_have_text("招工中", timeout=WAIT)
    await expect(employer.locator("#r-start")).to_have_text("09:01 开工，干 8 小时")
    await expect(employer.locator("#reopened-text")).to_have_text("已重新派人，开工时间改为 09:01（原定 08:30）")
    await expect(employer.locator("#late-panel")).to_be_hidden()
    assert employer.url.endswith(request_id)
    await photograph(employer, "employer-request-reopened", SIZES)
    await _supply_shows(supply, place, shown=True)
