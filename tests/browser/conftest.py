"""Fixtures of the browser tests: the real gateway on a real port (against the session's Kafka, Redis and
platform processes), and headless Debian chromium driven by Playwright."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from gateway.main import create_app
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.support.browser import CHROMIUM_ARGS, SCREENSHOTS, ensure_chromium, photograph


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


@pytest.fixture
async def site(aiohttp_server: Callable[..., Awaitable[TestServer]], platform: Settings) -> str:
    """The base URL of a gateway serving the pages (fixed test clock)."""
    server = await aiohttp_server(create_app(platform, clock=lambda: TEST_NOW), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def browser(chromium: str, site: str) -> AsyncIterator[Browser]:
    """Headless chromium; closed before the gateway (``site``) so no page keeps a stream open."""
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
        options: dict[str, Any] = {"locale": "zh-CN", **kw}
        context = await browser.new_context(viewport={"width": width, "height": height}, base_url=site, **options)
        page = await context.new_page()
        await page.goto(f"/sign-in?next={path}")
        if not (SCREENSHOTS / "sign-in-phone.png").exists():
            await photograph(page, "sign-in")
        await page.fill("#access_key", access_key)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"**{path}")
        return context, page

    return open_page


async def api_post(site: str, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """A bearer-token API call, as another device would make it (202 expected)."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    async with aiohttp.ClientSession() as http, http.post(f"{site}{path}", json=body, headers=headers) as response:
        answer: dict[str, Any] = await response.json()
        assert response.status == 202, answer
        return answer


async def api_get(site: str, path: str) -> dict[str, Any] | None:
    async with aiohttp.ClientSession() as http, http.get(f"{site}{path}") as response:
        return await response.json() if response.status == 200 else None
