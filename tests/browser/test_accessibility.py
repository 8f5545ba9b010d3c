"""Every page, at the sizes its users have, checked by axe-core (0 serious or critical problems) and for sideways
scrolling at 390 px — at the normal font size and with the base font raised to 24 px (WeChat's 关怀模式, the
national 适老化 norm for phone pages).

Signed-in pages are opened by the role that uses them; the public pages without a session.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import Signed
from tests.support.browser import SIZES, assert_accessible, photograph, sideways_overflow

PUBLIC_PAGES = ["/", "/sign-in", "/supply", "/hall/zs-market"]
#: (credential, path): the signed-in pages, each by the role that uses it.
SIGNED_IN_PAGES = [
    ("zs-market", "/kiosk"),
    ("employer", "/employer"),
    ("organiser", "/organiser"),
    ("officer", "/dashboard"),
]
PHONE = SIZES["phone"]
LARGE_FONT_CSS = "html { font-size: 24px !important; } body { font-size: 24px !important; }"


async def _check(page: Page, name: str) -> None:
    await page.wait_for_load_state("networkidle")
    await assert_accessible(page, f"{name} at {page.viewport_size}")


async def _fits_a_phone(page: Page, name: str) -> None:
    await page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    assert await sideways_overflow(page) == 0, f"{name} scrolls sideways at 390 px"
    await page.add_style_tag(content=LARGE_FONT_CSS)
    assert await sideways_overflow(page) == 0, f"{name} scrolls sideways at 390 px with a 24 px base font"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_public_pages_are_accessible_and_fit_a_phone(browser: Browser, site: str, path: str) -> None:
    context = await browser.new_context(base_url=site, locale="zh-CN", bypass_csp=True)
    try:
        page = await context.new_page()
        await page.goto(path)
        for size in ("kiosk-landscape", "phone"):
            width, height = SIZES[size]
            await page.set_viewport_size({"width": width, "height": height})
            await _check(page, path)
        name = "public-" + (path.strip("/").replace("/", "-") or "index")
        await photograph(page, name, ("kiosk-landscape", "phone"))
        await _fits_a_phone(page, path)
        await photograph(page, f"{name}-24px", ("phone",))  # the 24 px base font is still on
    finally:
        await context.close()


@pytest.mark.parametrize(("credential", "path"), SIGNED_IN_PAGES)
async def test_signed_in_pages_are_accessible(
    signed_in: Signed, credentials: dict[str, str], credential: str, path: str
) -> None:
    context, page = await signed_in(credentials[credential], path, bypass_csp=True)
    try:
        sizes = ("kiosk-portrait",) if path == "/kiosk" else ("kiosk-landscape", "phone")
        for size in sizes:
            width, height = SIZES[size]
            await page.set_viewport_size({"width": width, "height": height})
            await _check(page, path)
        if path != "/kiosk":
            await _fits_a_phone(page, path)
    finally:
        await context.close()


async def test_the_kiosk_check_in_form_fits_a_phone_and_is_accessible(
    signed_in: Signed, credentials: dict[str, str]
) -> None:
    """The kiosk's start screen and check-in form (keypad, trade pictures) on a 390 px screen, at the normal font
    and at 24 px: the fieldset of trades once forced the page to 487 px."""
    context, page = await signed_in(
        credentials["zs-market"], "/kiosk", width=PHONE[0], height=PHONE[1], bypass_csp=True
    )
    try:
        assert await sideways_overflow(page) == 0, "the kiosk's start screen scrolls sideways at 390 px"
        await page.click("#start")
        await page.wait_for_selector("#checkin-form", state="visible")
        await _check(page, "/kiosk check-in form")
        await _fits_a_phone(page, "/kiosk check-in form")
    finally:
        await context.close()
