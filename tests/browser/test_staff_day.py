"""A county officer's day through the pages only (issue 24): the officer watches a check-in made at a kiosk (the
kiosk page in another browser context) arrive on the dashboard — in the figures and in today's trend by hour —
downloads today's list of job seekers, picks last week, downloads that week's CSV exports (Chinese headers and
names; every export link follows the chosen period), and opens the wall display (数据大屏) at 1920x1080. The
test fails if it calls the JSON API itself: :func:`no_api` makes the test process's aiohttp client refuse any
request.

Screenshots: the dashboard at 1366x768 and 390x844, the wall display at 1920x1080; axe-core finds no serious or
critical problem on either page; the dashboard does not scroll sideways at 390 px, at the normal font size or at
24 px; the wall display does not scroll at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, expect

from services import geography
from services.reports import labels
from tests.browser.conftest import Signed
from tests.browser.test_kiosk_flow import WAIT, kiosk_check_in
from tests.support.browser import assert_accessible, photograph, sideways_overflow

#: What no page or CSV for staff may show: county, market, trade and source codes, ISO week codes, UTC times.
CODES = re.compile(r"zhongshan|liuzhi|shuicheng|panzhou|gaoxin|-market\b|\bgig\b|\d{4}-W\d\d|\+00:00|T\d\d:\d\d:\d\d")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Check-ins in the 08:00 bucket of the "today by hour" chart, as the chart shows them now (null before it is drawn).
TODAY_AT_8 = (
    "(() => { const c = window.echarts && echarts.getInstanceByDom(document.getElementById('chart-today'));"
    " return c ? c.getOption().series[0].data[8] : null; })()"
)


@pytest.fixture
def no_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The test itself may not call the JSON API (or anything else over aiohttp): every request the test process
    tries is recorded and refused; the list must stay empty."""
    tried: list[str] = []

    async def refused(self: aiohttp.ClientSession, method: str, url: Any, *args: Any, **kw: Any) -> Any:
        tried.append(f"{method} {url}")
        raise AssertionError(f"the test called {method} {url}: drive the pages instead")

    monkeypatch.setattr(aiohttp.ClientSession, "_request", refused)
    yield tried
    assert tried == [], tried


async def _number(page: Page, selector: str) -> int:
    return int((await page.locator(selector).inner_text()).strip() or "0")


async def _download(page: Page, selector: str) -> list[list[str]]:
    async with page.expect_download() as info:
        await page.click(selector)
    download = await info.value
    body = Path(await download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads the Chinese"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def _small_targets(page: Page) -> list[str]:
    """The dashboard's links styled as buttons, buttons and selects lower or narrower than 48 px."""
    found: list[str] = await page.evaluate(
        "[...document.querySelectorAll('main a.dash-button, main button, main select')]"
        ".map(e => [e.textContent.trim(), e.getBoundingClientRect()])"
        ".filter(([, r]) => r.height < 48 || r.width < 48).map(([t, r]) => `${t} ${r.width}x${r.height}`)"
    )
    return found


async def _no_codes(page: Page, where: str) -> None:
    shown = await page.locator("main").inner_text()
    assert not CODES.findall(shown), f"{where} shows codes: {CODES.findall(shown)}"


async def test_an_officer_watches_a_check_in_picks_last_week_exports_and_opens_the_wall(
    signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str], id_number: str, no_api: list[str]
) -> None:
    market, trade = lane
    problems: list[str] = []
    _, board = await signed_in(credentials["officer"], "/dashboard", width=1366, height=768, accept_downloads=True)
    board.on("pageerror", lambda e: problems.append(str(e)))
    board.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    await expect(board.locator("#dash-status")).to_have_text("实时", timeout=WAIT)
    await expect(board.locator("#dash-as-of")).to_have_text("08:30")  # the tests' clock, 00:30 UTC
    row = board.locator(f"tr[data-market='{market}'] td").nth(2)
    before_city = await _number(board, "#city-workers_waiting")
    before_market = int(await row.inner_text())
    await board.wait_for_function(TODAY_AT_8 + " !== null")
    before_hour = int(await board.evaluate(TODAY_AT_8))
    await board.evaluate("window.__loadedOnce = true")

    # another device: a worker checks in at the market's kiosk
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk_check_in(kiosk, id_number, trade)
    await expect(kiosk.locator("#t-status")).to_contain_text("排队等候中", timeout=WAIT)
    masked = (await kiosk.locator("#t-masked").inner_text()).strip()

    await expect(row).to_have_text(str(before_market + 1), timeout=WAIT)  # live, no reload
    assert await _number(board, "#city-workers_waiting") >= before_city + 1
    assert await board.evaluate("window.__loadedOnce === true"), "the dashboard was reloaded"
    market_name = labels.place_name(market)
    assert market_name in await board.locator(f"tr[data-market='{market}']").inner_text()
    await expect(board.locator("#chart-today canvas")).to_have_count(1)
    # today by hour follows the facts too: the check-in at 08:30 (Asia/Shanghai) joins the 08:00 bucket, no reload
    await board.wait_for_function(f"{TODAY_AT_8} >= {before_hour + 1}", timeout=WAIT)
    assert await board.evaluate("window.__loadedOnce === true"), "the dashboard was reloaded"
    await _no_codes(board, "the dashboard")
    alerts = await board.locator("#dash-alerts li").all_inner_texts()
    assert alerts and not any(" / " in a or re.search(r"[A-Za-z]{4,}", a) for a in alerts), alerts
    await assert_accessible(board, "dashboard 1366x768")
    assert await _small_targets(board) == []
    await photograph(board, "dashboard", ("kiosk-landscape", "phone"))
    await board.set_viewport_size({"width": 390, "height": 844})
    assert await sideways_overflow(board) == 0
    await assert_accessible(board, "dashboard 390x844")
    assert await _small_targets(board) == []
    await board.set_viewport_size({"width": 1366, "height": 768})

    # today's list of job seekers (the day view's export): the check-in, with Chinese names
    looking = await _download(board, "[data-export=list_looking]")
    assert looking[0][:3] == ["身份证号（脱敏）", "县（区）", "最近登记的零工市场"], looking[0]
    mine = [r for r in looking[1:] if r[0] == masked]
    assert mine and mine[0][1:3] == [labels.place_name(geography.market(market).county), market_name], looking
    assert labels.trade_name(trade) in mine[0][4]

    # the period picker: weeks, then last week
    await board.click(".dash-kinds a:has-text('周')")
    await board.wait_for_url(re.compile(r"/dashboard\?period=week"))
    options = board.locator("#at option")
    texts = await options.all_inner_texts()
    last_week = next(i for i, t in enumerate(texts) if t.startswith("上周"))
    await board.select_option("#at", await options.nth(last_week).get_attribute("value"))
    await board.click(".dash-picker button[type=submit]")
    await board.wait_for_url(re.compile(r"period=week&at=2026-W47"))
    await expect(board.locator("#period-title")).to_contain_text("11月16日—11月22日（第47周）")
    await expect(board.locator("#chart-days canvas")).to_have_count(1)
    await expect(board.locator("#dash-report tr.total th")).to_have_text("合计")
    await _no_codes(board, "the dashboard for last week")
    await photograph(board, "dashboard-last-week", ("kiosk-landscape", "phone"))

    report = await _download(board, "[data-export=county]")
    assert report[0][:4] == ["期间", "县（区）", "登记人次", "登记人数"], report[0]
    assert report[-1][:2] == ["11月16日—11月22日（第47周）", "合计"], report[-1]
    by_market = await _download(board, "[data-export=market]")
    assert by_market[0][1] == "零工市场" and by_market[-1][1] == "合计"
    # every export follows the chosen period: last week's list of job seekers has no one who came today
    hrefs = await board.locator("[data-export]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all("at=2026-W47" in h or h.endswith("?week=2026-W47") for h in hrefs), hrefs
    last_weeks = await _download(board, "[data-export=list_looking]")
    assert last_weeks[0][:3] == ["身份证号（脱敏）", "县（区）", "最近登记的零工市场"], last_weeks[0]
    assert not [r for r in last_weeks[1:] if r[0] == masked], "today's check-in in last week's list"
    supply = await _download(board, "[data-export=supply]")
    assert supply[0][:3] == ["来源", "县（区）", "零工市场或招聘会"], supply[0]
    for table in (report, by_market, looking, last_weeks, supply):
        assert not CODES.findall(repr(table)), CODES.findall(repr(table))

    # one language at a time: the same dashboard in English has no Chinese in its alerts or headings
    await board.goto("/dashboard?lang=en")
    await expect(board.locator("#dash-status")).to_have_text("Live", timeout=WAIT)
    english = [*await board.locator("#dash-alerts li").all_inner_texts(), *await board.locator("h2").all_inner_texts()]
    assert english and not any(CJK.search(t) for t in english), english
    await board.goto("/dashboard?lang=zh_CN")

    # the wall display, from the dashboard's link
    await board.set_viewport_size({"width": 1920, "height": 1080})
    await board.click("text=大屏模式")
    await board.wait_for_url(re.compile(r"/dashboard/wall"))
    await expect(board.locator("#dash-status")).to_have_text("实时", timeout=WAIT)
    assert await _number(board, "#city-workers_waiting") >= before_city + 1
    await expect(board.locator("#chart-today canvas")).to_have_count(1)
    scroll = await board.evaluate(
        "[document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]"
    )
    assert scroll == [0, 0], f"the wall display scrolls by {scroll} px"
    size = await board.evaluate("parseFloat(getComputedStyle(document.querySelector('#city-fills_today')).fontSize)")
    assert size >= 96, f"the wall's numbers are {size}px high: too small to read from three metres"
    await _no_codes(board, "the wall display")
    await assert_accessible(board, "wall display 1920x1080")
    await photograph(board, "dashboard-wall", ("hall-tv",))
    assert problems == [], problems


async def test_the_dashboard_fits_a_phone_with_the_base_font_at_24px(
    signed_in: Signed, credentials: dict[str, str], no_api: list[str]
) -> None:
    """WeChat's 关怀模式 raises the base font: the dashboard still does not scroll sideways at 390 px."""
    _, board = await signed_in(credentials["officer"], "/dashboard", width=390, height=844, bypass_csp=True)
    await board.add_style_tag(content="html { font-size: 24px !important; }")
    await expect(board.locator("#dash-status")).to_have_text("实时", timeout=WAIT)
    assert await sideways_overflow(board) == 0
    await assert_accessible(board, "dashboard 390x844 at 24px")
    assert await _small_targets(board) == []
    await photograph(board, "dashboard-24px", ("phone",))
