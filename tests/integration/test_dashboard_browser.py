"""The live dashboard in a real Chromium (Playwright driving Debian's /usr/bin/chromium, headless).

Check-ins posted through the API change the dashboard's numbers within 2 s, without a reload; the run saves a
screenshot to ``tests/artifacts/dashboard.png``. Chromium and a CJK font are apt-installed when missing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from aiohttp import web

from gateway.main import create_app, server_options
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _apt_install(packages: list[str], attempts: int = 30) -> None:
    """``apt-get install`` (with ``update`` on failure), retried while another apt holds the dpkg lock."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")

    def apt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, "apt-get", *args], capture_output=True, text=True, check=False, env=env, stdin=subprocess.DEVNULL
        )

    for _ in range(attempts):
        result = apt("install", "-y", "--no-install-recommends", *packages)
        if result.returncode == 0:
            return
        if "lock" in result.stderr.lower():
            time.sleep(10)
            continue
        apt("update")
        result = apt("install", "-y", "--no-install-recommends", *packages)
        if result.returncode == 0:
            return
    raise RuntimeError(f"could not install {packages}: {result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium and the WenQuanYi CJK font, installed with apt when missing."""
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append("chromium")
    if not Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").is_file():
        missing.append("fonts-wqy-microhei")
    if missing:
        if shutil.which("apt-get") is None:
            raise RuntimeError(f"{missing} missing and apt-get is not available")
        _apt_install(missing)
    return CHROMIUM


@pytest.fixture(scope="module")
def live_gateway(platform: Settings) -> Iterator[str]:
    """The real gateway on a loopback port (the browser needs a socket), with the tests' fixed clock."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(platform, clock=lambda: TEST_NOW), **server_options(platform))

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def _figure(page: object, name: str) -> int:
    return int(page.text_content(f"#city-{name}") or "0")  # type: ignore[attr-defined]


def _poll(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` from Python (the page's CSP forbids the eval of ``wait_for_function``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def test_dashboard_numbers_change_live_without_reload(
    chromium: str, live_gateway: str, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    from playwright.sync_api import sync_playwright

    market, trade = lane
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
            page = context.new_page()
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
                ),
            )
            page.on(
                "response",
                lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live_gateway}/dashboard")  # not signed in: the sign-in page, then back here
            assert "/sign-in" in page.url
            page.fill("#access_key", credentials["officer"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_gateway}/dashboard")
            _poll(lambda: "实时" in (page.text_content("#dash-status") or ""), 20, "the event stream opened")
            page.evaluate("window.__loadedOnce = true")
            before = _figure(page, "workers_waiting")
            for _ in range(3):
                body = {
                    "id_number": new_id_number(),
                    "trades": [trade],
                    "min_day_wage": 150,
                    "available_from": "07:00",
                    "available_until": "18:00",
                }
                response = requests.post(
                    f"{live_gateway}/api/v1/checkins",
                    json=body,
                    headers={"Authorization": f"Bearer {credentials[market]}", "Idempotency-Key": os.urandom(8).hex()},
                    timeout=10,
                )
                assert response.status_code == 202, response.text
            posted = time.monotonic()
            _poll(lambda: _figure(page, "workers_waiting") >= before + 3, 2.0, "the new check-ins on the page")
            shown_after = time.monotonic() - posted
            assert page.evaluate("window.__loadedOnce === true"), "the page was reloaded"
            row = page.locator(f"tr[data-market='{market}'] td").nth(2)
            assert int(row.text_content() or "0") >= 3
            assert page.locator("#chart-markets canvas").count() >= 1, "ECharts drew the markets chart"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
            print(f"dashboard showed the check-ins {shown_after:.2f}s after the last 202")
        finally:
            browser.close()
    assert not errors, errors
