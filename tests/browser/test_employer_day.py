"""An employer's whole day in Chromium, through the pages only (issue 24): registers a company on the page linked
from sign-in, signs in, finds "我的用工" empty, posts a job (220 元/天, two places), sees a worker who checked in at
the kiosk (another browser context, the kiosk page) accept it, lowers the headcount to the one worker accepted,
confirms arrival, completion and pay (two taps each, every answer in words with the masked ID and the time), posts
again from the request (the form prefilled, for today) and cancels that second request. Every employer page is
photographed at 1366x768 and 390x844, checked by axe-core (0 serious or critical) and for sideways scrolling at
390 px, also with the base font raised to 24 px; no button label wraps on a phone.

The test process makes no API call: ``aiohttp.ClientSession`` is made unusable for the test's body, so every
command reaches the gateway from the pages' own scripts. Time is the gateway's clock (08:30 local; the 08:40
job needs no later clock), at a station whose other test needs the market's clock before the start.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from gateway.main import create_app
from services.settings import Settings
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.conftest import TEST_NOW, take_lane
from tests.integration.account_support import PASSWORD, new_credit_code
from tests.integration.fair_support import MovableClock
from tests.support.browser import assert_accessible, photograph, sideways_overflow

MARKET = "zs-dewu-station"
SIZES = ("kiosk-landscape", "phone")  # 1366x768 and 390x844
MASKED = re.compile(r"5202\*+\w{4}")


@pytest.fixture
def moving() -> MovableClock:
    return MovableClock(TEST_NOW)


@pytest.fixture
async def site(aiohttp_server: Callable[..., Awaitable[TestServer]], platform: Settings, moving: MovableClock) -> str:
    server = await aiohttp_server(create_app(platform, clock=moving), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
def no_api_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on the test process cannot open an HTTP client: only the browser talks to the gateway."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the whole-day test must not call the JSON API itself")

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", refuse)


async def check_page(page: Page, name: str) -> None:
    """Screenshots at both sizes, axe-core, no sideways scroll at 390 px (also at a 24 px base font) and no
    button whose label wraps (a button taller than two lines of its text)."""
    await photograph(page, name, SIZES)
    await assert_accessible(page, name)
    before = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await sideways_overflow(page) == 0, f"{name}: scrolls sideways at 390 px"
    wrapped = await page.evaluate(
        """() => [...document.querySelectorAll('button, a.button')].filter(b => b.offsetParent !== null)
             .filter(b => b.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(b).lineHeight || 24)
                          && b.getBoundingClientRect().height > 72)
             .map(b => b.textContent.trim())"""
    )
    assert wrapped == [], f"{name}: button labels wrap at 390 px: {wrapped}"
    small = await page.evaluate(
        """() => [...document.querySelectorAll('button, a.button, .employer-nav a')]
             .filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 47.5)
             .map(b => b.textContent.trim())"""
    )
    assert small == [], f"{name}: tap targets under 48 px: {small}"
    await page.add_style_tag(content="html{font-size:24px}")
    assert await sideways_overflow(page) == 0, f"{name}: scrolls sideways at 390 px with a 24 px base font"
    await page.evaluate("document.querySelectorAll('style').forEach(s => s.textContent.includes('24px') && s.remove())")
    if before:
        await page.set_viewport_size(before)


async def test_an_employer_registers_posts_adjusts_confirms_pays_and_cancels_in_the_pages_only(
    browser: Browser,
    site: str,
    moving: MovableClock,
    credentials: dict[str, str],
    id_number: str,
    no_api_calls: None,
) -> None:
    market, trade = take_lane(MARKET)
    options: dict[str, Any] = {"base_url": site, "locale": "zh-CN", "bypass_csp": True}
    phone_context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, **options)
    employer = await phone_context.new_page()

    # registration, linked from sign-in: a wrong credit code is refused beside its field, then a company registers
    await employer.goto("/sign-in?next=/employer/requests")
    await employer.click("#employer-register-link")
    await employer.wait_for_url("**/employer/register")
    await check_page(employer, "employer-register")
    code = new_credit_code()
    await employer.fill("#name", "凉都饭店")
    await employer.fill("#credit_code", code[:17] + ("0" if code[17] != "0" else "1"))
    await employer.fill("#password", PASSWORD)
    await employer.click("#submit")
    await expect(employer.locator("#credit_code-error")).not_to_be_empty(timeout=WAIT)
    await expect(employer.locator("#credit_code")).to_have_attribute("aria-invalid", "true")
    await photograph(employer, "employer-register-refused", SIZES)
    await employer.fill("#credit_code", code)
    await employer.click("#submit")
    await expect(employer.locator("#registered")).to_contain_text("注册成功", timeout=WAIT)
    await employer.click("#to-sign-in")
    await employer.wait_for_url(re.compile(r"/sign-in\?next=/employer/requests$"))
    await employer.fill("#login", code)
    await employer.fill("#password", PASSWORD)
    await employer.click("button[type=submit]")
    await employer.wait_for_url("**/employer/requests", timeout=WAIT)
    await expect(employer.locator("#no-requests")).to_be_visible()
    await check_page(employer, "employer-requests-empty")

    # a worker checks in at the kiosk (another device: the kiosk page, signed in with its access key)
    kiosk_context = await browser.new_context(viewport={"width": 1080, "height": 1920}, **options)
    kiosk = await kiosk_context.new_page()
    await kiosk.goto("/sign-in?next=/kiosk")
    await kiosk.fill("#access_key", credentials[market])
    await kiosk.click("button[type=submit]")
    await kiosk.wait_for_url("**/kiosk")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)

    # post a job for two, starting 08:40 for an hour
    await employer.click(".employer-nav a[href='/employer']")
    await employer.wait_for_url("**/employer")
    await check_page(employer, "employer-post")
    await employer.select_option("#market_id", market)
    await employer.select_option("#trade", trade)
    await employer.fill("#headcount", "2")
    await employer.fill("#day_wage", "220")
    await employer.fill("#start", "08:40")
    await employer.fill("#hours", "1")
    await employer.fill("#place", "钟山区荷城街道凉都饭店后厨")
    await employer.click("#submit")
    await employer.wait_for_url("**/employer/requests/*", timeout=WAIT)
    first_url = employer.url
    await expect(employer.locator("#r-status")).to_contain_text("招工中", timeout=WAIT)
    await expect(employer.locator("#r-wage")).to_have_text("220 元/天")
    await expect(employer.locator("#r-start")).to_have_text("08:40 开工，干 1 小时")

    # the worker accepts at the kiosk
    await expect(kiosk.locator("#offer")).to_be_visible(timeout=WAIT)
    await kiosk.click("#accept")
    await expect(kiosk.locator("#t-status")).to_contain_text("已接受工作", timeout=WAIT)
    row = employer.locator("#workers tbody tr")
    await expect(row).to_have_count(1, timeout=WAIT)
    masked = (await row.locator("td").nth(1).inner_text()).strip()
    assert MASKED.fullmatch(masked), masked
    await check_page(employer, "employer-request")

    # adjust: two places were too many; lowering to the one accepted fills the request
    await employer.fill("#headcount", "1")
    await employer.click("#headcount-save")
    await expect(employer.locator("#headcount-question")).to_have_text("确认把招工人数改为 1 人？")
    await photograph(employer, "employer-headcount-confirm", SIZES)
    await employer.click("#headcount-yes")
    await expect(employer.locator("#manage-status")).to_have_text("招工人数已改为 1 人（原来 2 人）", timeout=WAIT)
    await expect(employer.locator("#r-headcount")).to_have_text("1")
    await expect(employer.locator("#r-status")).to_have_text("已招满")

    # arrival (two taps), answered in words with the masked ID and the time
    await row.locator('button[data-step="arrived"]').click()
    await expect(row.locator(".step-question")).to_have_text("确认标记到岗？")
    await check_page(employer, "employer-step-confirm")
    await row.locator("button.step-yes").click()
    # the time is the gateway's clock as the page keeps it (08:30 when the page opened, plus the seconds since)
    who = re.escape(masked)
    await expect(employer.locator("#action-status")).to_have_text(re.compile(rf"^已确认 {who} 于 08:3\d 到岗$"))
    await expect(row).to_contain_text("已到岗", timeout=WAIT)

    # completion (after arrival) and pay (after completion) need no later clock. The clock is not moved: commands
    # stamped later would move this market's clock, and a later test here needs it before the 08:40 start
    await employer.reload()
    row = employer.locator("#workers tbody tr")
    await row.locator('button[data-step="completed"]').click(timeout=WAIT)
    await row.locator("button.step-yes").click()
    await expect(employer.locator("#action-status")).to_have_text(re.compile(rf"^已确认 {who} 于 08:3\d 完工$"))
    await expect(row).to_contain_text("已完工", timeout=WAIT)
    await row.locator('button[data-step="wage_paid"]').click(timeout=WAIT)
    await expect(row.locator(".step-question")).to_have_text("确认标记已付工资？")
    await row.locator("button.step-yes").click()
    await expect(employer.locator("#action-status")).to_have_text(
        re.compile(rf"^已确认于 08:3\d 向 {who} 付清工资 220 元$")
    )
    await expect(row).to_contain_text("已付工资", timeout=WAIT)
    await check_page(employer, "employer-request-paid")

    # "我的用工" keeps it; post again from it: the form is prefilled, for today
    await employer.click(".employer-nav a[href='/employer/requests']")
    await employer.wait_for_url("**/employer/requests")
    card = employer.locator(".request-card")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("今天 08:40")
    await expect(card).to_contain_text("已招满")
    await expect(card).to_contain_text("220 元/天")
    await expect(card).to_contain_text("已招到 1 人，共需要 1 人")
    await check_page(employer, "employer-requests")
    await card.locator("a.again").click()
    await employer.wait_for_url(re.compile(r"/employer\?again="))
    await expect(employer.locator("#again-note")).to_be_visible()
    await expect(employer.locator("#day_wage")).to_have_value("220")
    await expect(employer.locator("#place")).to_have_value("钟山区荷城街道凉都饭店后厨")
    await expect(employer.locator("#trade")).to_have_value(trade)
    await expect(employer.locator("#market_id")).to_have_value(market)
    await check_page(employer, "employer-post-again")
    await employer.check("#start_now")
    await employer.click("#submit")
    await employer.wait_for_url("**/employer/requests/*", timeout=WAIT)
    assert employer.url != first_url
    await expect(employer.locator("#r-status")).to_contain_text("招工中", timeout=WAIT)

    # cancel it: two taps, with what happens said plainly
    await employer.click("#cancel-request")
    await expect(employer.locator("#cancel-question")).to_have_text("确认取消这条招工？取消后不再给您派人。")
    await check_page(employer, "employer-cancel-confirm")
    await employer.click("#cancel-yes")
    await expect(employer.locator("#r-status")).to_have_text("已取消", timeout=WAIT)
    await expect(employer.locator("#manage-status")).to_have_text("这条招工已取消，不再派人")
    await expect(employer.locator("#manage")).to_be_hidden()

    await employer.click(".employer-nav a[href='/employer/requests']")
    cards = employer.locator(".request-card")
    await expect(cards).to_have_count(2)
    # both were posted at the gateway's 08:30, so their order is the ids'; each card says its own state
    await expect(cards.filter(has_text="已取消")).to_have_count(1)
    await expect(cards.filter(has_text="已招满")).to_have_count(1)
    assert id_number not in await employer.content()

    # sign-out on every employer page
    await employer.click("#sign-out")
    await employer.wait_for_url(re.compile(r"/sign-in$"))
    await employer.goto("/employer/requests")  # signed out: the page asks to sign in again
    await employer.wait_for_url(re.compile(r"/sign-in\?next="))
    await kiosk_context.close()
    await phone_context.close()
