"""A placement's life in Chromium, through the pages only (issue 23): the worker's "确认已收到工资" before the job
ended is refused and the phone shows why (Chinese, English second); the employer's steps are two taps; after the
scheduled end the phone offers "没拿到工资", and the report appears on the county's dashboard for its staff.

Time is the gateway's movable clock (this module's ``site``), starting at ``TEST_NOW`` (08:30 local): the job
starts at 08:40 for an hour, and the clock is moved to 09:41 for the end. Pages take the gateway's clock
(``data-now``), not the browser's. The lane is at a station of its own (``sc-shuangshui-station``, county
水城区): the commands stamped 09:41 move that market's clock. The job is posted through the API (setup, as the
employer's system would); the steps checked here are tapped on the pages.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from gateway.main import create_app
from services.settings import Settings
from tests.browser.conftest import Signed, api_post
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.conftest import TEST_NOW, take_lane
from tests.integration.conftest import job_body
from tests.integration.fair_support import MovableClock
from tests.support.browser import photograph

MARKET = "sc-shuangshui-station"


async def _no_sideways_scroll(page: Page) -> None:
    """At 390 px wide the page does not scroll sideways."""
    before = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    if before:
        await page.set_viewport_size(before)


@pytest.fixture
def moving() -> MovableClock:
    return MovableClock(TEST_NOW)


@pytest.fixture
async def site(aiohttp_server: Callable[..., Awaitable[TestServer]], platform: Settings, moving: MovableClock) -> str:
    """The pages' gateway with the movable clock (overrides tests/browser/conftest.py's fixed one)."""
    server = await aiohttp_server(create_app(platform, clock=moving), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


async def test_wage_received_before_the_end_is_refused_and_not_paid_reaches_the_county_dashboard(
    signed_in: Signed,
    browser: Browser,
    site: str,
    moving: MovableClock,
    credentials: dict[str, str],
    id_number: str,
) -> None:
    market, trade = take_lane(MARKET)
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    await kiosk.click("#phone")
    qr = kiosk.locator("#phone-qr-img")
    await expect(qr).to_be_visible()
    await expect(qr).to_have_attribute("data-url", re.compile(r"/w/"))
    link = await qr.get_attribute("data-url")
    assert link
    phone_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = await phone_context.new_page()
    await phone.goto(link)
    await phone.wait_for_url("**/worker")

    posted = await api_post(
        site, "/api/v1/job-requests", credentials["employer"], job_body(market, trade, start="08:40", hours=1)
    )
    await expect(phone.locator("#offer")).to_be_visible(timeout=WAIT)
    await phone.click("#accept")
    job = phone.locator("#jobs li")
    await expect(job).to_have_count(1, timeout=WAIT)

    # 08:30: the job (08:40-09:40) has not ended and is not completed: "wage received" is refused, with why
    await job.locator('button[data-step="wage_received"]').click()
    await expect(job.locator(".step-question")).to_have_text("确认已收到工资？")
    await photograph(phone, "placement-wage-confirm")
    await job.locator("button.step-yes").click()
    status = phone.locator("#jobs-status")
    await expect(status).to_contain_text("完工后或下工时间（09:40）以后才能确认工资", timeout=WAIT)
    await expect(status.locator('span[lang="en"]')).to_contain_text("after the scheduled end (09:40)")
    await expect(job).not_to_contain_text("已确认收到工资")
    await expect(job.locator('button[data-step="unpaid"]')).to_have_count(0)  # not before the end
    await photograph(phone, "placement-wage-refused")
    await _no_sideways_scroll(phone)

    # the employer records the arrival on the request page: two taps
    _, employer = await signed_in(credentials["employer"], f"/employer/requests/{posted['request_id']}")
    row = employer.locator("#workers tbody tr")
    await expect(row).to_have_count(1, timeout=WAIT)
    await row.locator('button[data-step="arrived"]').click()
    await expect(row.locator(".step-question")).to_have_text("确认标记到岗？")
    await photograph(employer, "employer-step-confirm")
    await _no_sideways_scroll(employer)
    await row.locator("button.step-yes").click()
    await expect(row).to_contain_text("已到岗", timeout=WAIT)
    await expect(row.locator('button[data-step="no_show"]')).to_have_count(0)  # never after arrival
    await photograph(employer, "employer-step-arrived")

    # 09:41: the job has ended unpaid; the phone (its page clock is the gateway's) offers "没拿到工资"
    moving.at = TEST_NOW + timedelta(minutes=71)
    await phone.reload()
    job = phone.locator("#jobs li")
    await job.locator('button[data-step="unpaid"]').click(timeout=WAIT)
    await expect(job.locator(".step-question")).to_have_text("确认报告没拿到工资？")
    await job.locator("button.step-yes").click()
    await expect(phone.locator("#jobs-status")).to_contain_text("已报告没拿到工资", timeout=WAIT)
    await expect(job).to_contain_text("已报告没拿到工资", timeout=WAIT)
    await expect(job.locator('button[data-step="unpaid"]')).to_have_count(0)
    await photograph(phone, "placement-not-paid")
    await _no_sideways_scroll(phone)

    # the county's staff see it on the dashboard, counted beside the unpaid placements
    _, board = await signed_in(credentials["officer_shuicheng"], "/dashboard?county=shuicheng", width=1366, height=768)
    disputes = board.locator("#dash-disputes tr")
    await expect(disputes.filter(has_text="测试用工单位")).to_have_count(1, timeout=WAIT)
    await expect(disputes.first).to_contain_text("双水街道零工驿站")
    await expect(disputes.first).to_contain_text("08:40")
    await expect(board.locator('#dash-unpaid tr[data-county="shuicheng"]')).to_contain_text("1")
    await expect(board.locator("#dash-alerts")).to_contain_text("报告没拿到工资")
    assert id_number not in await board.content()
    await photograph(board, "dashboard-wage-dispute")
