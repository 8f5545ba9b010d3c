"""The loop in a real browser: a kiosk check-in, an employer's matching job, the offer shown live at the
kiosk (no reload), the worker accepts, the employer sees the worker."""

from __future__ import annotations

from playwright.async_api import Page, expect

from services import trades
from tests.browser.conftest import Signed
from tests.support.browser import photograph

WAIT = 20_000  # ms: an offer goes through Kafka, the stream worker and the projector


async def kiosk_check_in(page: Page, id_number: str, trade: str, *, shots: str | None = None) -> None:
    """Start, type the ID on the keypad, pick ``trade``, keep the default wage and hours, submit."""
    if shots:
        await photograph(page, f"{shots}-start")
    await page.click("#start")
    for character in id_number:
        await page.click(f'#checkin-form .keypad .key[data-key="{character}"]')
    await page.click(f'.trade[data-trade="{trade}"]')
    if shots:
        await photograph(page, f"{shots}-form")
    await page.click("#submit")


async def test_kiosk_check_in_offer_live_accept_and_employer_sees_the_worker(
    signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk_check_in(kiosk, id_number, trade, shots="kiosk")
    await expect(kiosk.locator("#screen-ticket")).to_be_visible()
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    ticket_no = await kiosk.locator("#t-no").inner_text()
    assert ticket_no.isdigit(), ticket_no
    masked = await kiosk.locator("#t-masked").inner_text()
    assert masked.startswith("5202") and "*" in masked and id_number not in await kiosk.content()
    await kiosk.evaluate("window.__noReload = true")
    await photograph(kiosk, "kiosk-ticket")
    await kiosk.emulate_media(media="print")  # the printed ticket: number and masked ID, no buttons
    await photograph(kiosk, "kiosk-printed-ticket", ("kiosk-portrait",))
    assert await kiosk.locator("#t-no").is_visible() and not await kiosk.locator("#print").is_visible()
    await kiosk.emulate_media(media="screen")

    _, employer = await signed_in(credentials["employer"], "/employer", width=390, height=844)
    await photograph(employer, "employer-post")
    await employer.select_option("#market_id", market)
    await employer.select_option("#trade", trade)
    await employer.fill("#day_wage", "220")
    await employer.fill("#place", "钟山区荷城街道")
    await employer.click("#submit")
    await employer.wait_for_url("**/employer/requests/*")
    await expect(employer.locator("#r-status")).to_contain_text("招工中", timeout=WAIT)

    offer = kiosk.locator("#offer")
    await expect(offer).to_be_visible(timeout=WAIT)
    await expect(kiosk.locator("#o-employer")).to_have_text("测试用工单位")
    await expect(kiosk.locator("#o-trade")).to_have_text(trades.TRADES_BY_CODE[trade].name_zh)
    await expect(kiosk.locator("#o-wage")).to_have_text("220 元")
    await expect(kiosk.locator("#o-place")).to_have_text("钟山区荷城街道")
    await expect(kiosk.locator("#o-start")).to_contain_text("09:00")
    assert await kiosk.evaluate("window.__noReload === true"), "the kiosk page was reloaded"
    await photograph(kiosk, "kiosk-offer")

    await kiosk.click("#accept")
    await expect(kiosk.locator("#t-status")).to_contain_text("已接受工作", timeout=WAIT)
    await expect(kiosk.locator("#accept")).to_be_hidden()

    row = employer.locator("#workers tbody tr")
    await expect(row).to_have_count(1, timeout=WAIT)
    await expect(row).to_contain_text(masked)
    await expect(row).to_contain_text(ticket_no)
    await expect(employer.locator("#r-filled")).to_have_text("1")
    await photograph(employer, "employer-request")

    # the day's steps, in order: arrived, completed, wage paid; each two taps (the button, then 确认)
    for step, shown in (("arrived", "已到岗"), ("completed", "已完工"), ("wage_paid", "已付工资")):
        await row.locator(f'button[data-step="{step}"]').click()
        await expect(row.locator(".step-question")).to_be_visible()
        await row.locator("button.step-yes").click()
        await expect(row).to_contain_text(shown, timeout=WAIT)
    await expect(row.locator('button[data-step="wage_paid"]')).to_have_count(0)
    await expect(row.locator('button[data-step="correct-wage_paid"]')).to_be_visible()  # within the window
    await photograph(employer, "employer-request-paid")

    await employer.goto("/")  # the public list of markets
    await photograph(employer, "index")
