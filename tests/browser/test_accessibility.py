"""Every user-facing page, at the sizes its users have, photographed and measured (issue 24).

For each page (and each kiosk screen): screenshots at 1366x768 and 390x844 (kiosk pages also 1080x1920, the wall
display and the hall television at 1920x1080) under ``tests/artifacts/screenshots/``; axe-core finds no serious
or critical problem at any of those sizes; tap targets of at least 48 px (72 px on kiosk pages, at the kiosk's
sizes) and, on kiosk pages, text of at least 24 px; no sideways scrolling at 390 px at the normal font size and
with the base font raised to 24 px (WeChat's 关怀模式). Then once in English: the ``lang`` attribute says ``en``,
axe again, and headings, buttons, labels and table headers are in one language (a name kept in Chinese is marked
``lang="zh-CN"``).

One browser context per role (public, kiosk, worker's phone, employer, organiser, officer) and one page load per
page: the sizes are viewport changes of the loaded page. Problems are collected per role and reported together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from playwright.async_api import Browser, BrowserContext, Page, expect

from gateway.routes import setup_routes
from services.people import credit_code
from tests.browser.conftest import api_get, api_post
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.browser.test_worker_without_phone import look_up
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.conftest import job_body
from tests.support.browser import (
    BLOCKING_IMPACTS,
    KIOSK_TAP_MIN_PX,
    KIOSK_TEXT_MIN_PX,
    SIZES,
    TAP_MIN_PX,
    axe_violations,
    other_language,
    photograph,
    shown_codes,
    sideways_overflow,
    small_targets,
    small_text,
)
from tests.support.waiting import eventually

#: Phone and laptop pages; kiosk pages; the screens on a wall.
DESK = ("kiosk-landscape", "phone")
KIOSK = ("kiosk-portrait", "kiosk-landscape", "phone")
KIOSK_SIZES = ("kiosk-portrait", "kiosk-landscape")  # where kiosk targets and text are measured
TV = ("hall-tv",)
LARGE_FONT_CSS = "html { font-size: 24px !important; } body { font-size: 24px !important; }"
#: Every page route (GET, HTML) and the test here that opens it; :func:`test_every_page_route_is_checked_here`
#: fails when a page is added to gateway/routes.py without a place in this file.
PAGE_ROUTES = {
    "/": "test_public_pages",
    "/sign-in": "test_public_pages",
    "/supply": "test_public_pages",
    "/hall/{market_id}": "test_public_pages",
    "/employer/register": "test_public_pages",
    "/w/{token}": "test_public_pages",
    "/fair-pass": "test_public_pages",
    "/kiosk": "test_kiosk_worker_phone_and_employer_pages",
    "/kiosk/tickets/{checkin_id}/print": "test_kiosk_worker_phone_and_employer_pages",
    "/worker": "test_kiosk_worker_phone_and_employer_pages",
    "/tickets/{checkin_id}": "test_kiosk_worker_phone_and_employer_pages",
    "/employer": "test_kiosk_worker_phone_and_employer_pages",
    "/employer/requests": "test_kiosk_worker_phone_and_employer_pages",
    "/employer/requests/{request_id}": "test_kiosk_worker_phone_and_employer_pages",
    "/organiser": "test_organiser_pages",
    "/organiser/fairs/new": "test_organiser_pages",
    "/organiser/fairs/{fair_id}": "test_organiser_pages",
    "/dashboard": "test_staff_pages",
    "/dashboard/wall": "test_staff_pages",
    "/jobseekers": "test_staff_pages",
    "/jobseekers/{registration_id}": "test_staff_pages",
    "/jobseeker-report": "test_staff_pages",
    "/cases": "test_staff_pages",
}
#: GET routes that are not pages: JSON, event streams, files, redirects.
NOT_PAGES = (
    "/api/",
    "/exports/",
    "/live/",
    "/static",
    "/healthz",
    "/lang",
    "/dashboard/events",
    "/kiosk/queue-place/",
)
FAIR_EMPLOYER = "91520200MA6LX7K3W"[:17]
FAIR_EMPLOYER += credit_code.check_character(FAIR_EMPLOYER)


def test_every_page_route_is_checked_here() -> None:
    app = web.Application()
    setup_routes(app)
    pages = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = str(info.get("path") or info.get("formatter") or info.get("prefix") or "")
        if route.method == "GET" and not path.startswith(NOT_PAGES):
            pages.add(path)
    assert pages == set(PAGE_ROUTES), f"pages not checked here: {pages - set(PAGE_ROUTES)}"


@dataclass
class Inspector:
    """Checks pages and keeps every problem found, so one run names them all."""

    problems: list[str] = field(default_factory=list)

    def fail(self, name: str, what: str, found: object) -> None:
        if found:
            self.problems.append(f"{name}: {what}: {found}")

    async def page(self, page: Page, name: str, sizes: tuple[str, ...] = DESK, *, kiosk: bool = False) -> None:
        """``page`` as it is now, at each of ``sizes``; then, if a phone size is among them, at 390 px with the
        24 px base font. The viewport is restored."""
        before = page.viewport_size
        await page.wait_for_load_state("networkidle")
        self.fail(name, "codes where a Chinese name exists", await shown_codes(page))
        for size in sizes:
            width, height = SIZES[size]
            await page.set_viewport_size({"width": width, "height": height})
            blocking = [v for v in await axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
            self.fail(f"{name} {size}", "axe-core", blocking)
            if kiosk and size in KIOSK_SIZES:
                self.fail(
                    f"{name} {size}",
                    f"tap targets under {KIOSK_TAP_MIN_PX} px",
                    await small_targets(page, KIOSK_TAP_MIN_PX),
                )
                self.fail(f"{name} {size}", f"text under {KIOSK_TEXT_MIN_PX} px", await small_text(page))
            elif not kiosk:
                self.fail(f"{name} {size}", f"tap targets under {TAP_MIN_PX} px", await small_targets(page))
            await photograph(page, name, (size,))
        if "phone" in sizes:
            width, height = SIZES["phone"]
            await page.set_viewport_size({"width": width, "height": height})
            self.fail(name, "sideways scroll at 390 px (px)", await sideways_overflow(page))
            style = await page.add_style_tag(content=LARGE_FONT_CSS)
            self.fail(name, "sideways scroll at 390 px with a 24 px base font (px)", await sideways_overflow(page))
            await photograph(page, f"{name}-24px", ("phone",))
            await style.evaluate("(el) => el.remove()")
        if before:
            await page.set_viewport_size(before)

    async def english(self, page: Page, path: str, name: str, size: str = "kiosk-landscape") -> None:
        """``path`` opened in English (``?lang=en``, which the context keeps): ``lang="en"``, axe, one language."""
        width, height = SIZES[size]
        await page.set_viewport_size({"width": width, "height": height})
        await page.goto(path + ("&" if "?" in path else "?") + "lang=en")
        await page.wait_for_load_state("networkidle")
        await self.in_english(page, name, size)

    async def in_english(self, page: Page, name: str, size: str = "kiosk-landscape") -> None:
        self.fail(f"{name}-en", "html lang", "" if await page.get_attribute("html", "lang") == "en" else "not en")
        blocking = [v for v in await axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        self.fail(f"{name}-en", "axe-core", blocking)
        self.fail(f"{name}-en", "Chinese in an English page", await other_language(page, "en"))
        await photograph(page, f"{name}-en", (size,))

    async def chinese(self, page: Page, name: str) -> None:
        """The page as loaded is Chinese: ``lang="zh-CN"`` and no English sentence in its headings and buttons."""
        self.fail(name, "html lang", "" if await page.get_attribute("html", "lang") == "zh-CN" else "not zh-CN")
        self.fail(name, "English in a Chinese page", await other_language(page, "zh-CN"))

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


async def _context(browser: Browser, site: str, size: str, **kw: Any) -> tuple[BrowserContext, Page]:
    width, height = SIZES[size]
    context = await browser.new_context(
        viewport={"width": width, "height": height}, base_url=site, locale="zh-CN", bypass_csp=True, **kw
    )
    return context, await context.new_page()


async def _sign_in(page: Page, access_key: str, path: str) -> None:
    await page.goto(f"/sign-in?next={path}")
    await page.fill("#access_key", access_key)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{path}")


async def _open(page: Page, path: str, inspector: Inspector, name: str) -> None:
    await page.goto(path)
    await page.wait_for_load_state("networkidle")
    await inspector.chinese(page, name)


async def test_public_pages(browser: Browser, site: str) -> None:
    """The list of markets, sign-in, the supply list and its refused page, the hall screen, the fair pass (form,
    refused, shown), employer registration and the phone link's "expired" page — no session."""
    check = Inspector()
    context, page = await _context(browser, site, "kiosk-landscape")
    try:
        pages = [
            ("/", "public-index", DESK),
            ("/sign-in", "public-sign-in", DESK),
            ("/supply", "public-supply", DESK),
            ("/supply?week=2026-W99", "public-supply-refused", DESK),
            ("/hall/zs-market", "public-hall", (*TV, *DESK)),
            ("/employer/register", "employer-register", DESK),
            ("/w/no-such-link", "phone-link-expired", DESK),
            ("/fair-pass", "fair-pass", DESK),
        ]
        for path, name, sizes in pages:
            await _open(page, path, check, name)
            await check.page(page, name, sizes)
        await page.fill("#id_number", "52020119800101")
        await page.click("button[type=submit]")
        await expect(page.locator("#id_number-error")).to_be_visible()
        await check.page(page, "fair-pass-refused")
        await page.fill("#id_number", new_id_number())
        await page.click("button[type=submit]")
        await expect(page.locator("#fair-pass")).to_be_visible()
        await check.page(page, "fair-pass-shown")
        for path, name, _ in pages:
            await check.english(page, path, name)
    finally:
        await context.close()
    check.assert_clean()


async def test_kiosk_worker_phone_and_employer_pages(
    browser: Browser, site: str, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    """The kiosk's screens (start, check-in form, ticket, phone link, offer, accepted, 查看我的登记 and its "none"
    answer, the receipt), the phone link's page, the worker's phone page after the link with its fair pass open,
    the link's "other phone" page, the public ticket page, and the employer's pages (post, 我的用工, the request
    with its worker)."""
    market, trade = lane
    check = Inspector()
    kiosk_context, kiosk = await _context(browser, site, "kiosk-portrait")
    phone_context, phone = await _context(browser, site, "phone", is_mobile=True)
    other_context, other = await _context(browser, site, "phone", is_mobile=True)
    employer_context, employer = await _context(browser, site, "kiosk-landscape")
    try:
        await _sign_in(kiosk, credentials[market], "/kiosk")
        await kiosk.context.add_init_script("window.print = () => {}")  # headless: no print dialog
        await check.chinese(kiosk, "kiosk-start")
        await check.page(kiosk, "kiosk-start", KIOSK, kiosk=True)
        await kiosk.click("#start")
        await expect(kiosk.locator("#checkin-form")).to_be_visible()
        await check.page(kiosk, "kiosk-form", KIOSK, kiosk=True)
        await kiosk.click("#cancel")
        await kiosk_check_in(kiosk, id_number, trade)
        await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
        await check.page(kiosk, "kiosk-ticket", KIOSK, kiosk=True)
        await kiosk.click("#phone")
        await expect(kiosk.locator("#phone-qr-img")).to_have_attribute("data-url", re.compile(r"/w/"))
        link = await kiosk.locator("#phone-qr-img").get_attribute("data-url")
        assert link
        await check.page(kiosk, "kiosk-phone-link", KIOSK, kiosk=True)

        # the link's own page, as a phone shows it before its script opens the registration (script held back)
        await other.route("**/static/phone_link.js", lambda route: route.abort())
        await other.goto(link)
        await check.chinese(other, "phone-link-open")
        await check.page(other, "phone-link-open")
        await other.unroute("**/static/phone_link.js")

        # the worker's phone, through the link; a second phone gets the "other phone" page
        await phone.goto(link)
        await phone.wait_for_url("**/worker")
        await expect(phone.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
        await phone.click("#fair-pass-details summary")  # the fair pass, open
        await expect(phone.locator("#fair-pass")).to_be_visible()
        await check.chinese(phone, "worker-phone")
        await check.page(phone, "worker-phone")
        await other.goto(link)
        await check.chinese(other, "phone-link-other-device")
        await check.page(other, "phone-link-other-device")

        # an employer's job: the offer at the kiosk, accepted there
        posted = await api_post(site, "/api/v1/job-requests", credentials["employer"], job_body(market, trade))
        await expect(kiosk.locator("#offer")).to_be_visible(timeout=WAIT)
        await check.page(kiosk, "kiosk-offer", KIOSK, kiosk=True)
        await kiosk.click("#accept")
        await expect(kiosk.locator("#t-status")).to_contain_text("已接受工作", timeout=WAIT)
        await check.page(kiosk, "kiosk-accepted", KIOSK, kiosk=True)
        async with kiosk.expect_navigation():
            await kiosk.click("#print")
        checkin_id = kiosk.url.split("/tickets/")[1].split("/")[0]
        await check.page(kiosk, "kiosk-receipt", KIOSK, kiosk=True)
        await kiosk.goto("/kiosk")

        # 查看我的登记: the keypad, and the answer for a number not checked in here
        await kiosk.click("#my-registration")
        await expect(kiosk.locator("#lookup-form")).to_be_visible()
        await check.page(kiosk, "kiosk-my-registration", KIOSK, kiosk=True)
        await kiosk.click("#lookup-cancel")
        await look_up(kiosk, new_id_number())
        await expect(kiosk.locator("#lookup_id-error")).to_contain_text("今天在本市场没有查到您的登记")
        await check.page(kiosk, "kiosk-my-registration-none", KIOSK, kiosk=True)

        await expect(phone.locator("#jobs li")).to_have_count(1, timeout=WAIT)
        await check.page(phone, "worker-phone-placed")
        await _open(phone, f"/tickets/{checkin_id}", check, "public-ticket")
        await check.page(phone, "public-ticket")

        # the employer's pages
        await _sign_in(employer, credentials["employer"], "/employer")
        await check.chinese(employer, "employer-post")
        await check.page(employer, "employer-post")
        await _open(employer, "/employer/requests", check, "employer-requests")
        await check.page(employer, "employer-requests")
        request_path = f"/employer/requests/{posted['request_id']}"
        await _open(employer, request_path, check, "employer-request")
        await expect(employer.locator("#workers tbody tr")).to_have_count(1, timeout=WAIT)
        await check.page(employer, "employer-request")

        # once in English
        await check.english(kiosk, "/kiosk", "kiosk-start", "kiosk-portrait")
        await kiosk.click("#start")
        await check.in_english(kiosk, "kiosk-form", "kiosk-portrait")
        await check.english(phone, "/worker", "worker-phone", "phone")
        await check.english(other, link, "phone-link-other-device", "phone")
        await check.english(phone, f"/tickets/{checkin_id}", "public-ticket", "phone")
        for path, name in (("/employer", "employer-post"), ("/employer/requests", "employer-requests"),
                           (request_path, "employer-request")):  # fmt: skip
            await check.english(employer, path, name)
    finally:
        for context in (kiosk_context, phone_context, other_context, employer_context):
            await context.close()
    check.assert_clean()


async def _published_fair(site: str, organiser: str) -> str:
    """A fair today in 六枝特区 with one booth, published (setup through the API, as another device would)."""

    async def applied(answer: dict[str, Any]) -> None:
        async def probe() -> dict[str, Any] | None:
            return await api_get(site, answer["status_url"])

        verdict = await eventually(probe, what="fair command outcome")
        assert verdict["status"] == "applied", verdict

    schedule = {
        "level": "county",
        "kind": "comprehensive",
        "county": "liuzhi",
        "title": "六枝特区适老化检查招聘会",
        "venue": "六枝特区人力资源市场",
        "date": TEST_NOW.date().isoformat(),
        "start": "09:00",
        "end": "12:00",
        "capacity": 300,
    }
    scheduled = await api_post(site, "/api/v1/fairs", organiser, schedule)
    await applied(scheduled)
    fair_id: str = scheduled["fair_id"]
    position = {"trade": "electrician", "headcount": 3, "wage_min": 3500, "wage_max": 5000, "wage_unit": "month"}
    body = {"credit_code": FAIR_EMPLOYER, "name": "六枝电力检修公司", "booth": "C-07", "positions": [position]}
    await applied(await api_post(site, f"/api/v1/fairs/{fair_id}/employers", organiser, body))
    await applied(await api_post(site, f"/api/v1/fairs/{fair_id}/publish", organiser, {}))
    return fair_id


async def test_organiser_pages(browser: Browser, site: str, credentials: dict[str, str]) -> None:
    """The organiser's home (fairs and quotas), the scheduling form and a published fair's page."""
    fair_id = await _published_fair(site, credentials["organiser"])
    check = Inspector()
    context, page = await _context(browser, site, "kiosk-landscape")
    try:
        await _sign_in(page, credentials["organiser"], "/organiser")
        pages = [
            ("/organiser", "organiser-home"),
            ("/organiser/fairs/new", "organiser-new-fair"),
            (f"/organiser/fairs/{fair_id}", "organiser-fair"),
        ]
        for path, name in pages:
            await _open(page, path, check, name)
            await check.page(page, name)
        for path, name in pages:
            await check.english(page, path, name)
    finally:
        await context.close()
    check.assert_clean()


async def test_staff_pages(browser: Browser, site: str, credentials: dict[str, str]) -> None:
    """The county staff dashboard and its wall display (1920x1080, no scrolling at all), the board of registered
    job seekers and a person's page, the report of registered job seekers, the queue of complaints and disputes."""
    check = Inspector()
    context, page = await _context(browser, site, "kiosk-landscape")
    try:
        await _sign_in(page, credentials["officer"], "/dashboard")
        await expect(page.locator("#dash-status")).to_have_text("实时", timeout=WAIT)
        await check.chinese(page, "dashboard")
        await check.page(page, "dashboard")
        await page.set_viewport_size({"width": 1920, "height": 1080})
        await _open(page, "/dashboard/wall", check, "dashboard-wall")
        await check.page(page, "dashboard-wall", TV)
        scroll = await page.evaluate(
            "[document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]"
        )
        check.fail("dashboard-wall", "scrolls (px)", [s for s in scroll if s > 0])
        # registered job seekers: 六枝特区's book is used by no other test
        person = await api_post(
            site,
            "/api/v1/jobseekers",
            credentials["officer"],
            {
                "id_number": new_id_number(),
                "county": "liuzhi",
                "kind": "unemployed",
                "category": "basic_skills",
                "trades": ["mason"],
                "registered_on": "2026-11-02",
            },
        )

        async def applied() -> bool | None:
            outcome = await api_get(site, person["status_url"])  # None until the agent has decided
            return (outcome is not None and outcome["status"] == "applied") or None

        await eventually(applied, what="the registration applied")
        await page.set_viewport_size({"width": 1366, "height": 768})
        await _open(page, "/jobseekers", check, "jobseekers")
        await check.page(page, "jobseekers")
        await _open(page, f"/jobseekers/{person['registration_id']}", check, "jobseeker-person")
        await check.page(page, "jobseeker-person")
        await _open(page, "/jobseeker-report", check, "jobseeker-report")
        await check.page(page, "jobseeker-report")
        await _open(page, "/cases", check, "cases")
        await check.page(page, "cases")
        await check.english(page, "/dashboard", "dashboard")
        await check.english(page, "/dashboard/wall", "dashboard-wall", "hall-tv")
        await check.english(page, "/jobseekers", "jobseekers")
        await check.english(page, "/jobseeker-report", "jobseeker-report")
        await check.english(page, "/cases", "cases")
    finally:
        await context.close()
    check.assert_clean()
