"""The worker's phone page shows the fair pass, and the organiser's camera at a fair's door accepts it (issue 24).

A worker checks in at the kiosk, opens their phone page through the kiosk's link and taps "出示入场码". The QR
code on the phone is photographed as the phone shows it and played to the organiser's laptop camera (Chromium's
fake capture device, as in test_organiser_day.py); the fair page records the worker's attendance by that scan,
with the worker's masked ID number. The pass in the page is the worker's own (its pseudonym is the keyed
pseudonym of the ID number typed at the kiosk) and the page never holds the ID number. A pass about to expire is
renewed when the worker opens it (the phone page stays open all day; a pass lasts 15 minutes).

Setup that is not the subject (the fair, scheduled, given a booth and published) goes through the JSON API, as
the organiser's other device would.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import Browser, async_playwright, expect

from services.fairs import passes as fair_pass
from services.people import credit_code, identity
from services.settings import Settings
from tests.browser.conftest import Signed, api_get, api_post
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.conftest import TEST_NOW
from tests.support.browser import CHROMIUM_ARGS, photograph
from tests.support.waiting import eventually

#: Moves the shown pass's end to the gateway's "now", as if the page had been open for 15 minutes.
EXPIRING = "(el) => { el.dataset.expires = new Date(Date.parse(el.dataset.expires) - 15 * 60000).toISOString(); }"
EMPLOYER = "91520200MA6PW4N8K"[:17]
EMPLOYER += credit_code.check_character(EMPLOYER)


def image_video(png: bytes, path: Path) -> Path:
    """A one-frame YUV4MPEG2 video (640x480) of ``png`` centred on white, for Chromium's
    ``--use-file-for-fake-video-capture`` (it loops the frame)."""
    picture = Image.open(io.BytesIO(png)).convert("L")
    width, height = 640, 480
    side = min(height - 20, max(picture.width, picture.height))
    picture = picture.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(picture, ((width - side) // 2, (height - side) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


async def _published_fair(site: str, organiser: str) -> str:
    async def applied(answer: dict[str, Any]) -> None:
        async def probe() -> dict[str, Any] | None:
            return await api_get(site, answer["status_url"])

        verdict = await eventually(probe, what="fair command outcome")
        assert verdict["status"] == "applied", verdict

    schedule = {
        "level": "county",
        "kind": "comprehensive",
        "county": "liuzhi",
        "title": "六枝特区入场码招聘会",
        "venue": "六枝特区人力资源市场",
        "date": TEST_NOW.date().isoformat(),
        "start": "08:00",
        "end": "12:00",
        "capacity": 300,
    }
    scheduled = await api_post(site, "/api/v1/fairs", organiser, schedule)
    await applied(scheduled)
    fair_id: str = scheduled["fair_id"]
    position = {"trade": "welder", "headcount": 2, "wage_min": 220, "wage_max": 260, "wage_unit": "day"}
    body = {"credit_code": EMPLOYER, "name": "六枝焊接工程公司", "booth": "D-02", "positions": [position]}
    await applied(await api_post(site, f"/api/v1/fairs/{fair_id}/employers", organiser, body))
    await applied(await api_post(site, f"/api/v1/fairs/{fair_id}/publish", organiser, {}))
    return fair_id


async def test_the_pass_on_the_workers_phone_is_accepted_by_the_door_camera(
    chromium: str,
    browser: Browser,
    signed_in: Signed,
    site: str,
    platform: Settings,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
    tmp_path: Path,
) -> None:
    market, trade = lane
    fair_id = await _published_fair(site, credentials["organiser"])

    # the worker checks in at the kiosk and opens the phone page through the kiosk's link
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    await kiosk.click("#phone")
    await expect(kiosk.locator("#phone-qr-img")).to_have_attribute("data-url", re.compile(r"/w/"))
    link = await kiosk.locator("#phone-qr-img").get_attribute("data-url")
    assert link
    phone_context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = await phone_context.new_page()
    await phone.goto(link)
    await phone.wait_for_url("**/worker")
    masked = identity.mask_id_number(id_number)
    await phone.evaluate("window.__sameDocument = true")
    await phone.click("#fair-pass-details summary")
    shown = phone.locator("#fair-pass")
    await expect(shown).to_be_visible()
    await expect(shown).to_contain_text(masked)
    await expect(shown).to_contain_text("有效至 08:45（15 分钟）")
    assert await phone.evaluate("window.__sameDocument === true"), "a fresh pass was loaded again"
    text = await shown.get_attribute("data-pass")
    assert text is not None and id_number not in await phone.content()
    found = fair_pass.verify(text, now=TEST_NOW, pseudonym_key=platform.pseudonym_key)
    assert found.worker == identity.pseudonymise(id_number, platform.pseudonym_key)
    await photograph(phone, "worker-phone-fair-pass", ("phone",))
    qr = await shown.locator(".pass-qr img").screenshot()
    # the page stays open all day: a pass opened within a minute of its end is renewed (the page loads again, open)
    await phone.click("#fair-pass-details summary")  # closed
    await shown.evaluate(EXPIRING)
    await phone.click("#fair-pass-details summary")
    await phone.wait_for_url("**/worker?pass=open#fair-pass-section")
    await expect(phone.locator("#fair-pass")).to_be_visible()
    await phone_context.close()

    # the organiser's laptop camera sees the phone's QR code
    video = image_video(qr, tmp_path / "phone-pass.y4m")
    camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]  # fmt: skip
    async with async_playwright() as playwright:
        door = await playwright.chromium.launch(executable_path=chromium, headless=True, args=[*CHROMIUM_ARGS, *camera])
        try:
            context = await door.new_context(viewport={"width": 1366, "height": 768}, base_url=site, locale="zh-CN")
            await context.grant_permissions(["camera"], origin=site)
            page = await context.new_page()
            await page.goto(f"/sign-in?next=/organiser/fairs/{fair_id}")
            await page.fill("#access_key", credentials["organiser"])
            await page.click("button[type=submit]")
            await page.wait_for_url(f"**/organiser/fairs/{fair_id}")
            await page.click("#scan-toggle")
            await expect(page.locator("#scan-form .form-status")).to_contain_text(f"已记录 {masked}", timeout=WAIT)
            await expect(page.locator("#c-attendees")).to_have_text("1", timeout=WAIT)
            await page.click("#scan-toggle")
        finally:
            await door.close()
