"""An organiser's whole day through the pages only (issue 24): schedule a fair, move it, add a booth with its
positions, publish; a second fair scheduled and cancelled with a reason; at the door a job seeker by the ID keypad
and another by the fair pass their phone shows, read by the laptop's camera (Chromium's fake capture plays the QR
code of the pass the worker's page showed); the employer's arrival (the page updates without a reload); a hire
whose trade list offers only the employer's trades; and the county's weekly quota turning from 有风险 to 已完成 on the
home page. Every page is photographed at 1366x768 and 390x844, checked with axe-core, and checked for sideways
scrolling at 390 px at the normal font size and at a 24 px base font.

The test process never calls the JSON API during the day: ``aiohttp.ClientSession`` refuses to be created before
the day starts (``no_api_calls``). The only setup, before that and clearly marked: a county-bound organiser
credential, published through the registry as an administrator issues one. The second job seeker makes their
fair pass on the fair pass page (``/fair-pass``) in a phone-sized browser; the QR code of what that page shows is
drawn into the video file the organiser's camera plays.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import segno
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect

from deploy.local.demo import wait_for_credentials
from services import trades
from services.adapters.registry import register_credential
from services.fairs import passes as fair_pass
from services.people import credit_code, identity
from services.settings import Settings
from tests.browser.test_kiosk_flow import WAIT
from tests.conftest import TEST_NOW, new_id_number
from tests.support.browser import CHROMIUM_ARGS, assert_accessible, photograph, sideways_overflow

COUNTY, COUNTY_ZH = "gaoxin", "六盘水高新区"
EMPLOYER = "91520200MA6GX0C3Q"[:17]
EMPLOYER += credit_code.check_character(EMPLOYER)
SIZES = ("kiosk-landscape", "phone")  # 1366x768 (the desk's laptop) and 390x844


def qr_video(text: str, path: Path) -> Path:
    """A one-frame YUV4MPEG2 (y4m) video of the QR code of ``text`` on white, 640x480, for
    ``--use-file-for-fake-video-capture`` (Chromium loops it)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    width, height = 640, 480
    side = min(code.width, height - 20)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code.resize((side, side), Image.Resampling.NEAREST), ((width - side) // 2, (height - side) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


@pytest.fixture
def no_api_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """From here on the test process cannot create an HTTP client: the day is driven through the pages only."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the organiser's day must go through the pages, not the JSON API")

    with monkeypatch.context() as patch:
        patch.setattr(aiohttp.ClientSession, "__init__", refuse)
        yield


WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map((el) => el.tagName + '.' + el.className + '#' + el.id + ' ' + Math.round(el.getBoundingClientRect().right))
  .slice(0, 8)"""


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'main a, main button, main input:not([type=hidden]), main select, main textarea, main summary'))
  .filter((el) => el.offsetParent !== null)
  .filter((el) => { const r = el.getBoundingClientRect(); return r.height < 47.5 || r.width < 47.5; })
  .map((el) => el.tagName + '#' + el.id + ' ' + (el.textContent || el.name || '').trim().slice(0, 20))"""


async def check_page(page: Page, name: str) -> None:
    """Screenshots at both sizes; axe-core finds nothing serious; tap targets of at least 48 px; no sideways scroll
    at 390 px, also at a 24 px base font."""
    await photograph(page, name, SIZES)
    await assert_accessible(page, name)
    assert await page.evaluate(SMALL_TARGETS) == [], f"{name}: tap targets under 48 px"
    before = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate(SMALL_TARGETS) == [], f"{name}: tap targets under 48 px at 390 px"
    assert await sideways_overflow(page) == 0, f"{name} scrolls sideways at 390 px: {await page.evaluate(WIDEST)}"
    await assert_accessible(page, f"{name} at 390 px")
    style = await page.add_style_tag(content="html { font-size: 24px !important; }")
    assert await sideways_overflow(page) == 0, f"{name}: sideways at 24 px: {await page.evaluate(WIDEST)}"
    await style.evaluate("(el) => el.remove()")
    if before:
        await page.set_viewport_size(before)


async def test_an_organiser_runs_a_fair_from_the_pages(
    chromium: str,
    browser: Browser,
    site: str,
    platform: Settings,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    # ---- setup (not the day): a county-bound organiser; the worker's fair pass as their phone shows it
    token = await register_credential(
        platform, role="organiser", subject_id="o-gaoxin-day", display_name="高新区招聘会组织者", county=COUNTY
    )
    await wait_for_credentials(platform, [token])
    at_keypad, with_phone = new_id_number(), new_id_number()
    request.getfixturevalue("no_api_calls")

    # ---- the day, through the pages only
    # the second job seeker makes their fair pass on their phone, in the queue
    phone = await browser.new_context(viewport={"width": 390, "height": 844}, base_url=site, locale="zh-CN",
                                      bypass_csp=True)  # fmt: skip
    worker_page = await phone.new_page()
    await worker_page.goto("/fair-pass")
    await check_page(worker_page, "worker-fair-pass")
    await worker_page.fill("#id_number", with_phone[:-1])
    await worker_page.click("button[type=submit]")
    await expect(worker_page.locator(".field-error")).to_contain_text("18")
    await worker_page.fill("#id_number", with_phone)
    await worker_page.click("button[type=submit]")
    await expect(worker_page.locator("#fair-pass")).to_contain_text(identity.mask_id_number(with_phone))
    shown = await worker_page.locator("#fair-pass").get_attribute("data-pass")
    assert shown is not None and with_phone not in await worker_page.content()
    found = fair_pass.verify(shown, now=TEST_NOW, pseudonym_key=platform.pseudonym_key)
    assert found.worker == identity.pseudonymise(with_phone, platform.pseudonym_key)
    await check_page(worker_page, "worker-fair-pass-shown")
    await phone.close()
    # what the organiser's camera sees: that QR code (Chromium's fake capture device plays this file)
    video = qr_video(shown, tmp_path / "fair-pass.y4m")
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=[*CHROMIUM_ARGS, *camera]
        )
        try:
            context = await browser.new_context(
                viewport={"width": 1366, "height": 768}, base_url=site, locale="zh-CN", bypass_csp=True
            )
            await context.grant_permissions(["camera"], origin=site)
            page = await context.new_page()
            await page.goto("/sign-in?next=/organiser")
            await page.fill("#access_key", token)
            await page.click("button[type=submit]")
            await page.wait_for_url("**/organiser")

            # the home page: the county's week at risk, in words, with Chinese names and local dates
            week = page.locator(f'.quota-line[data-scope="{COUNTY}"][data-period="week"]')
            await expect(page.locator(".quota")).to_contain_text(COUNTY_ZH)
            await expect(week).to_contain_text("有风险")
            await expect(week).to_contain_text("本周还需举办 1 场县级招聘会")
            await expect(week).to_contain_text("本周（11月23日—11月29日）")
            await expect(page.locator(".quota")).to_contain_text("市本级")
            body = await page.locator("main").inner_text()
            assert COUNTY not in body and "W48" not in body and "2026-W" not in body
            await check_page(page, "organiser-home")

            # schedule a fair: the county is preselected (the only one this organiser may choose)
            await page.click('a[href="/organiser/fairs/new"]')
            await expect(page.locator("#county")).to_have_value(COUNTY)
            assert await page.locator("#county option").count() == 1
            await check_page(page, "organiser-new-fair")
            await page.fill("#title", "高新区冬季就业招聘会")
            await page.fill("#venue", "高新区人力资源服务中心")
            await page.fill("#start", "09:00")
            await page.fill("#end", "12:00")
            await page.click("#schedule-form button[type=submit]")
            await page.wait_for_url("**/organiser/fairs/*", timeout=WAIT)
            await expect(page.locator("h1")).to_have_text("高新区冬季就业招聘会")
            await expect(page.locator("#fair-status")).to_have_text("未发布")
            await expect(page.locator(".fair-facts")).to_contain_text("2026年11月26日（周四） 09:00–12:00")
            fair_url = page.url

            # move it to the afternoon (and keep the place)
            await page.click("summary:has-text('改期或换地点')")
            await page.fill("#re-start", "13:30")
            await page.fill("#re-end", "17:00")
            await page.click("#reschedule-form button[type=submit]")
            await expect(page.locator(".fair-facts")).to_contain_text("13:30–17:00", timeout=WAIT)

            # a booth with two positions
            form = page.locator("#employer-form")
            await form.locator("#em-credit_code").fill(EMPLOYER)
            await form.locator("#em-name").fill("高新区智能制造有限公司")
            await form.locator("#em-booth").fill("B-12")
            await form.locator("#pos-0-trade").select_option("electrician")
            await form.locator("#pos-0-headcount").fill("3")
            await form.locator("#pos-0-wage_min").fill("4000")
            await form.locator("#pos-0-wage_max").fill("5500")
            await form.locator("#add-position").click()
            await form.locator("#pos-1-trade").select_option("welder")
            await form.locator("#pos-1-headcount").fill("2")
            await form.locator("#pos-1-wage_min").fill("220")
            await form.locator("#pos-1-wage_max").fill("260")
            await form.locator("#pos-1-wage_unit").select_option("day")
            await form.locator("button[type=submit]").click()
            booth = page.locator(f'.booth[data-employer="{EMPLOYER}"]')
            await expect(booth).to_contain_text("B-12", timeout=WAIT)
            await expect(booth).to_contain_text("220–260 元/天")
            await expect(booth).to_contain_text("4000–5500 元/月")
            await check_page(page, "organiser-fair-unpublished")

            # publish
            await page.click("#publish-form button[type=submit]")
            await expect(page.locator("#fair-status")).to_have_text("已发布", timeout=WAIT)

            # at the door: a job seeker by the keypad
            for key in at_keypad:
                await page.click(f'#attendance-form .keypad button[data-key="{key}"]')
            await expect(page.locator("#attendance-id_number")).to_have_value(at_keypad)
            await page.click("#attendance-form button[type=submit]")
            await expect(page.locator("#attendance-form .form-status")).to_contain_text("已记录", timeout=WAIT)
            await expect(page.locator("#c-attendees")).to_have_text("1", timeout=WAIT)

            # the employer arrives: the booth says so without a reload
            await page.evaluate("window.sameDocument = true")
            await booth.locator("button", has_text="登记到场").click()
            await expect(booth.locator(".attended")).to_have_text("✓ 已到场", timeout=WAIT)
            await expect(page.locator("#c-employers_attended")).to_have_text("1", timeout=WAIT)
            assert await page.evaluate("window.sameDocument === true")

            # another by the fair pass on their phone, held to the camera
            await page.click("#scan-toggle")
            await expect(page.locator("#scan-form .form-status")).to_contain_text(
                f"已记录 {identity.mask_id_number(with_phone)}", timeout=WAIT
            )
            await expect(page.locator("#c-attendees")).to_have_text("2", timeout=WAIT)
            await page.click("#scan-toggle")
            await photograph(page, "organiser-fair-door", SIZES)

            # a hire: the trade list offers only this employer's trades at this fair
            hire = page.locator("#hire-form")
            options = await hire.locator("select[name=trade] option").all_inner_texts()
            offered = [trades.TRADES_BY_CODE[code].name_zh for code in ("electrician", "welder")]
            assert sorted(options) == sorted(offered), options
            await hire.locator("input[name=id_number]").fill(at_keypad)
            await hire.locator("select[name=trade]").select_option("welder")
            await hire.locator("input[name=wage]").fill("240")
            await hire.locator("select[name=wage_unit]").select_option("day")
            await hire.locator("button[type=submit]").click()
            await expect(hire.locator(".form-status")).to_contain_text("已记录", timeout=WAIT)
            await expect(page.locator("#c-hires")).to_have_text("1", timeout=WAIT)
            content = await page.content()
            assert at_keypad not in content and with_phone not in content
            await check_page(page, "organiser-fair-held")

            # a second fair, next week, scheduled and then cancelled with a reason
            await page.goto("/organiser/fairs/new")
            await page.fill("#title", "高新区返乡就业专场")
            await page.fill("#venue", "高新区人力资源服务中心")
            await page.fill("#date", "2026-12-03")
            await page.click("#schedule-form button[type=submit]")
            await page.wait_for_url("**/organiser/fairs/*", timeout=WAIT)
            assert page.url != fair_url
            await page.click("summary:has-text('取消招聘会')")
            await page.fill("#cancel-reason", "场地检修，改为线上招聘")
            await page.click("#cancel-form button[type=submit]")
            await expect(page.locator("#fair-status")).to_contain_text("已取消", timeout=WAIT)
            await expect(page.locator("#fair-status")).to_contain_text("场地检修，改为线上招聘")
            await check_page(page, "organiser-fair-cancelled")

            # home: the county's week is met
            await page.click('a[href="/organiser"]')
            await expect(week).to_contain_text("已完成", timeout=WAIT)
            await expect(week).to_contain_text("本周已举办 1 场县级招聘会")
            await expect(page.locator(".fair-list")).to_contain_text("已举办")
            await expect(page.locator(".fair-list")).to_contain_text("已取消")
            await expect(page.locator(".fair-list")).to_contain_text("2026年11月26日（周四） 13:30–17:00")
            await check_page(page, "organiser-home-met")
            await context.close()
        finally:
            await browser.close()
