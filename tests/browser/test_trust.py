"""Trust in Chromium, through the pages (issue 28): the worker's offer shows the employer's pay record; after the
job the phone reports "工资少了" in two taps and shows the case's state; the county's staff see it in their queue
page with its evidence and uphold it there, and the phone shows the new state.

Time is the gateway's movable clock (this module's ``site``): 09:50 local at first, the job 10:00-11:00, the report
at 11:01. The lane is at ``sc-shuangshui-station`` (水城区): browser/test_placement_life.py moves its clock to 09:41
before this runs, integration/test_trust.py to 14:03 after. The employer is one of its own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect

from deploy.local.demo import wait_for_credentials
from gateway.main import create_app
from services.adapters.registry import register_credential
from services.settings import Settings
from tests.browser.conftest import Signed, api_post
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.conftest import TEST_NOW, take_lane
from tests.integration.conftest import job_body
from tests.integration.fair_support import MovableClock
from tests.support.browser import photograph

MARKET = "sc-shuangshui-station"
START = TEST_NOW.replace(hour=1, minute=50)  # 09:50 local


@pytest.fixture
def moving() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
async def site(aiohttp_server: Callable[..., Awaitable[TestServer]], platform: Settings, moving: MovableClock) -> str:
    """The pages' gateway with the movable clock (overrides tests/browser/conftest.py's fixed one)."""
    server = await aiohttp_server(create_app(platform, clock=moving), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


async def test_the_phone_reports_short_pay_and_staff_uphold_it_from_their_queue(
    signed_in: Signed,
    browser: Browser,
    site: str,
    moving: MovableClock,
    platform: Settings,
    credentials: dict[str, str],
    id_number: str,
) -> None:
    market, trade = take_lane(MARKET)
    employer = await register_credential(
        platform, role="employer", subject_id=f"e-trust-page-{uuid.uuid4().hex[:8]}", display_name="诚信页面测试单位"
    )
    await wait_for_credentials(platform, [employer])
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    await kiosk.click("#phone")
    qr = kiosk.locator("#phone-qr-img")
    await expect(qr).to_have_attribute("data-url", re.compile(r"/w/"))
    link = await qr.get_attribute("data-url")
    assert link
    phone_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = await phone_context.new_page()
    await phone.goto(link)
    await phone.wait_for_url("**/worker")

    posted = await api_post(site, "/api/v1/job-requests", employer, job_body(market, trade, start="10:00", hours=1))
    await expect(phone.locator("#offer")).to_be_visible(timeout=WAIT)
    await expect(phone.locator("#o-pay-record")).to_have_text("近 30 天按时付薪 0/0")
    await photograph(phone, "trust-offer-pay-record")
    await phone.click("#accept")
    job = phone.locator("#jobs li")
    await expect(job).to_have_count(1, timeout=WAIT)
    await expect(job.locator('button[data-step="underpaid"]')).to_have_count(0)  # not before the end

    moving.at = START + timedelta(minutes=10)  # 10:00: the employer records arrival and completion
    _, request_page = await signed_in(employer, f"/employer/requests/{posted['request_id']}", width=390, height=844)
    row = request_page.locator("#workers tbody tr")
    await expect(row).to_contain_text("近 30 天完工 0 次", timeout=WAIT)  # a count, never who

    moving.at = START + timedelta(minutes=71)  # 11:01: the job has ended
    await phone.reload()
    job = phone.locator("#jobs li")
    await job.locator('button[data-step="underpaid"]').click(timeout=WAIT)
    await expect(job.locator(".step-question")).to_have_text("确认报告工资少了？")
    await photograph(phone, "trust-report-confirm")
    await job.locator("button.step-yes").click()
    await expect(phone.locator("#jobs-status")).to_contain_text("已报告", timeout=WAIT)
    await expect(job).to_contain_text("已报告：工资少了 · 处理中", timeout=WAIT)
    await expect(job.locator('button[data-step="underpaid"]')).to_have_count(0)
    await photograph(phone, "trust-reported")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390

    # the county's staff: the queue page, the case with its evidence; uphold it there
    _, queue = await signed_in(credentials["officer_shuicheng"], "/cases", width=1366, height=768)
    case = queue.locator("article.case").filter(has_text="诚信页面测试单位")
    await expect(case).to_have_count(1, timeout=WAIT)
    await expect(case).to_contain_text("工资少了")
    await expect(case).to_contain_text("双水街道零工驿站")
    await expect(case).to_contain_text("待处理")
    assert id_number not in await queue.content()
    await photograph(queue, "trust-staff-queue")
    await case.locator(".case-note").fill("已电话核实，差 50 元")
    await case.locator('button[data-action="uphold"]').click()
    await expect(queue.locator("article.case").filter(has_text="诚信页面测试单位")).to_contain_text(
        "已认定属实，待解决", timeout=WAIT
    )
    _, other = await signed_in(credentials["officer_panzhou"], "/cases", width=1366, height=768)
    await expect(other.locator("article.case").filter(has_text="诚信页面测试单位")).to_have_count(0)

    await phone.reload()
    await expect(phone.locator("#jobs li")).to_contain_text("已认定属实，等待解决", timeout=WAIT)
