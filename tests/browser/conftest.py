"""Fixtures of the browser tests: the real gateway on a real port (against the session's Kafka, Redis and
platform processes), and headless Debian chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from gateway.main import create_app
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.support.browser import CHROMIUM_ARGS, ensure_chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


@pytest.fixture
async def site(aiohttp_server: Callable[..., Awaitable[TestServer]], platform: Settings) -> str:
    """The base URL of a gateway serving the pages (fixed test clock)."""
    server = await aiohttp_server(create_app(platform, clock=lambda: TEST_NOW), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


Signed = Callable[..., Awaitable[tuple[BrowserContext, Page]]]


@pytest.fixture
def signed_in(browser: Browser, site: str) -> Signed:
    """A new browser context (own cookies) signed in with ``access_key``, on ``path``."""

    async def open_page(
        access_key: str, path: str, *, width: int = 1080, height: int = 1920, **kw: Any
    ) -> tuple[BrowserContext, Page]:
        context = await browser.new_context(viewport={"width": width, "height": height}, base_url=site, **kw)
        page = await context.new_page()
        await page.goto(f"/sign-in?next={path}")
        await page.fill("#access_key", access_key)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"**{path}")
        return context, page

    return open_page
