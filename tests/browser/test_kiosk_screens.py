"""The kiosk's other promises: back to the start screen after a short idle time with nothing of the last
person left in the page or in storage; the English switch. (The printed ticket: test_kiosk_flow.)"""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import Signed
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.support.browser import photograph


async def test_idle_kiosk_returns_to_start_with_no_trace_of_the_last_person(
    signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    _, kiosk = await signed_in(credentials[market], "/kiosk?idle=5")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    masked = await kiosk.locator("#t-masked").inner_text()

    await expect(kiosk.locator("#screen-start")).to_be_visible(timeout=30_000)
    html = await kiosk.content()
    assert masked not in html and id_number not in html and id_number[-4:] not in html
    assert await kiosk.evaluate("localStorage.length + sessionStorage.length") == 0
    assert await kiosk.locator("#id_number").input_value() == ""


async def test_english_switch(signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str]) -> None:
    market, _ = lane
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await expect(kiosk.locator("#start")).to_have_text("开始登记")
    await kiosk.click("header .lang-switch")
    await kiosk.wait_for_url("**/kiosk")
    await expect(kiosk.locator("#start")).to_have_text("Start check-in")
    assert await kiosk.get_attribute("html", "lang") == "en"
    await photograph(kiosk, "kiosk-start-english")
    await kiosk.click("#start")
    await kiosk.click("#submit")
    await expect(kiosk.locator("#id_number-error")).to_have_text("Please enter the ID number")
    await kiosk.click("header .lang-switch")
    await expect(kiosk.locator("#start")).to_have_text("开始登记")
