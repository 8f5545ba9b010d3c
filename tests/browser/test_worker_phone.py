"""The worker's phone: a link from the kiosk (shown as a QR code) opens the worker's status; an offer appears
live there and the worker accepts it from the phone. The link works again on the same phone (WeChat opens a
scanned link twice) and shows a clear page on a second phone."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Signed, api_get, api_post
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.integration.conftest import job_body
from tests.support.browser import photograph


async def _placement_id(site: str, phone: Page) -> str:
    """The placement of the phone's check-in, from the status URL (as the employer's system would know it)."""
    checkin_id = await phone.locator("#worker").get_attribute("data-checkin")
    view = await api_get(site, f"/api/v1/checkins/{checkin_id}")
    assert view is not None
    return str(view["placement_id"])


async def test_phone_link_shows_the_offer_live_and_the_worker_accepts(
    signed_in: Signed,
    browser: Browser,
    site: str,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
) -> None:
    market, trade = lane
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    ticket_no = await kiosk.locator("#t-no").inner_text()

    await kiosk.click("#phone")
    qr = kiosk.locator("#phone-qr-img")
    await expect(qr).to_be_visible()
    assert (await qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    link = await qr.get_attribute("data-url")
    assert link and link.startswith(f"{site}/w/")
    await photograph(kiosk, "kiosk-phone-link")

    phone_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = await phone_context.new_page()
    await phone.goto(link)
    await phone.wait_for_url("**/worker")
    await expect(phone.locator("#t-no")).to_have_text(ticket_no, timeout=WAIT)
    await expect(phone.locator("#t-status")).to_contain_text("排队等候中")
    assert id_number not in await phone.content()
    await phone.evaluate("window.__noReload = true")
    await photograph(phone, "worker-phone-queued")

    await api_post(site, "/api/v1/job-requests", credentials["employer"], job_body(market, trade))
    await expect(phone.locator("#offer")).to_be_visible(timeout=WAIT)
    await expect(phone.locator("#o-employer")).to_have_text("测试用工单位")
    await photograph(phone, "worker-phone-offer")
    await phone.click("#accept")
    await expect(phone.locator("#t-status")).to_contain_text("已接受工作", timeout=WAIT)
    assert await phone.evaluate("window.__noReload === true")
    await photograph(phone, "worker-phone-placed")

    # the employer records the day (API), the worker confirms the wage on the phone
    job = phone.locator("#jobs li")
    await expect(job).to_have_count(1, timeout=WAIT)
    placement_id = await _placement_id(site, phone)
    for step in ("arrived", "completed", "wage_paid"):
        await api_post(site, f"/api/v1/placements/{placement_id}/steps", credentials["employer"], {"step": step})
    await expect(job).to_contain_text("用工单位已付工资", timeout=WAIT)
    await job.locator('button[data-step="wage_received"]').click()  # two taps: the button, then 确认
    await expect(job.locator(".step-question")).to_contain_text("确认已收到工资？")
    await job.locator("button.step-yes").click()
    await expect(job).to_contain_text("已确认收到工资", timeout=WAIT)
    await expect(job.locator('button[data-step="wage_received"]')).to_have_count(0)
    await photograph(phone, "worker-phone-wage-received")

    # the same phone opens the link again (WeChat does): signed in again; a second phone gets a clear page
    await phone.goto(link)
    await phone.wait_for_url("**/worker")
    await expect(phone.locator("#t-no")).to_have_text(ticket_no, timeout=WAIT)
    other_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    other = await other_context.new_page()
    response = await other.goto(link)
    assert response is not None and response.status == 403
    await expect(other.locator("h1")).to_have_text("这个二维码已在另一部手机上打开")
    await expect(other.locator("main")).to_contain_text("请在服务台或自助机上用“查看我的登记”重新获取二维码")
    await photograph(other, "phone-link-other-device")
