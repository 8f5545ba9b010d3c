"""A member of the public finds a job on the supply list (岗位供给清单) with a phone, through the pages only
(issue 24): filters by county, trade and lowest wage, sorts by wage and by start, opens a job's "怎么报名";
a bad filter or week gets a page in words with a way back, never JSON. The same at 24 px base font (WeChat's
关怀模式) and on a laptop (a table). Screenshots at 1366x768 and 390x844.

Setup (marked below): the jobs are posted through the API, as the employers' own systems would post them, at a
station no other browser test uses (a lane of ``pz-hongguo-station``, 盘州市); the day itself then runs with
``aiohttp.ClientSession`` unusable in the test process, and the browser's requests are checked to be pages and
their static files only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, Request, expect

from services import geography, trades
from tests.browser.conftest import api_get, api_post
from tests.conftest import take_lane
from tests.integration.conftest import job_body
from tests.support.browser import SIZES, assert_accessible, photograph, sideways_overflow
from tests.support.waiting import eventually

MARKET = "pz-hongguo-station"
WAIT = 20_000
LARGE_FONT_CSS = "html { font-size: 24px !important; } body { font-size: 24px !important; }"
#: (day wage 元/天, start, place) of the lane's jobs; the 190 元/天 one is below the lowest wage asked for.
JOBS = [
    (240, "11:00", "红果供给测试甲工地"),
    (190, "10:00", "红果供给测试乙工地"),
    (300, "14:00", "红果供给测试丙工地"),
]


@pytest.fixture
async def posted_jobs(site: str, credentials: dict[str, str]) -> tuple[str, str]:
    """SETUP, not the day: the employers' systems post the lane's jobs through the API; they reach the list."""
    market, trade = take_lane(MARKET)
    for wage, start, place in JOBS:
        body: dict[str, Any] = job_body(market, trade, headcount=2, day_wage=wage, start=start, place=place)
        await api_post(site, "/api/v1/job-requests", credentials["employer"], body)

    async def listed() -> bool:
        answer = await api_get(site, "/api/v1/supply") or {"rows": []}
        return sum(1 for row in answer["rows"] if row["place"].startswith("红果供给测试")) >= len(JOBS)

    await eventually(listed, what="the three jobs on the supply list")
    return market, trade


@pytest.fixture
def pages_only(posted_jobs: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """The day after the setup: the test process cannot open an HTTP client (so cannot call the JSON API)."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the member of the public's day goes through the pages, not the JSON API")

    with monkeypatch.context() as patch:
        patch.setattr(aiohttp.ClientSession, "__init__", refuse)
        yield posted_jobs


async def _fits(page: Page, name: str) -> None:
    """axe-core finds nothing serious; no sideways scroll at 390 px, also with a 24 px base font."""
    await assert_accessible(page, name)
    before = page.viewport_size
    await page.set_viewport_size({"width": SIZES["phone"][0], "height": SIZES["phone"][1]})
    assert await sideways_overflow(page) == 0, f"{name} scrolls sideways at 390 px"
    style = await page.add_style_tag(content=LARGE_FONT_CSS)
    assert await sideways_overflow(page) == 0, f"{name} scrolls sideways at 390 px with a 24 px base font"
    await style.evaluate("node => node.remove()")
    if before:
        await page.set_viewport_size(before)


async def _wages(page: Page) -> list[int]:
    texts = await page.locator(".supply-card .wage").all_inner_texts()
    return [int(re.match(r"\d+", t.strip())[0]) for t in texts]  # type: ignore[index]


async def test_a_member_of_the_public_finds_a_job_on_a_phone(
    browser: Browser, site: str, pages_only: tuple[str, str]
) -> None:
    market, trade = pages_only
    trade_zh = trades.TRADES_BY_CODE[trade].name_zh
    county = geography.MARKETS_BY_ID[market].county

    context = await browser.new_context(
        base_url=site, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True
    )
    asked: list[str] = []

    def remember(request: Request) -> None:
        asked.append(request.url.removeprefix(site))

    context.on("request", remember)
    try:
        page = await context.new_page()
        await page.goto("/")
        await page.click("a[href='/supply']")
        await page.wait_for_url("**/supply")
        await expect(page.locator("h1")).to_contain_text("岗位供给清单")
        await expect(page.locator(".supply-card").first).to_be_visible()
        await expect(page.locator(".supply-table")).to_be_hidden()  # cards on a phone
        await photograph(page, "supply-all", ("kiosk-landscape", "phone"))
        await _fits(page, "/supply")

        # county, trade, lowest wage: the two jobs of 240 and 300 元/天 at the station, not the 190 one
        await page.select_option("#county", county)
        await page.select_option("#trade", trade)
        await page.fill("#wage_min", "200")
        await page.select_option("#sort", "wage")
        await page.click("button[type=submit] >> text=查看岗位")
        await page.wait_for_url(re.compile(r"/supply\?.*county=panzhou"))
        cards = page.locator(".supply-card")
        await expect(cards.filter(has_text="红果供给测试")).to_have_count(2)
        await expect(page.locator("body")).not_to_contain_text("红果供给测试乙工地")
        for text in await cards.all_inner_texts():
            assert trade_zh in text and "盘州市" in text and "元/天" in text
        wages = await _wages(page)
        assert wages == sorted(wages, reverse=True) and min(wages) >= 200
        await expect(page.locator("#supply-count")).to_contain_text("符合条件")
        await expect(page.locator("#county")).to_have_value(county)
        await expect(page.locator("#wage_min")).to_have_value("200")
        await photograph(page, "supply-filtered", ("kiosk-landscape", "phone"))
        await _fits(page, "/supply filtered")

        # soonest start first: 11:00 before 14:00
        await page.select_option("#sort", "start")
        await page.click("button[type=submit] >> text=查看岗位")
        await page.wait_for_url(re.compile(r"sort=start"))
        mine = page.locator(".supply-card", has_text="红果供给测试")
        await expect(mine.nth(0)).to_contain_text("红果供给测试甲工地")
        await expect(mine.nth(0)).to_contain_text("11:00")
        await expect(mine.nth(1)).to_contain_text("红果供给测试丙工地")

        # how to apply: the station's kiosk, on the day, before the start
        first = mine.nth(0)
        await expect(first).to_contain_text("240 元/天")
        await first.locator("summary").click()
        apply = first.locator("details.apply p").first
        await expect(apply).to_be_visible()
        await expect(apply).to_contain_text("11月26日（周四） 11:00开工前，到盘州市红果街道零工驿站的自助机登记")
        await expect(first).not_to_contain_text(market)  # the station's name, never its code
        await photograph(page, "supply-how-to-apply", ("kiosk-landscape", "phone"))
        await page.add_style_tag(content=LARGE_FONT_CSS)
        await photograph(page, "supply-how-to-apply-24px", ("phone",))
        await _fits(page, "/supply how to apply")

        # a laptop: the same jobs as a table, each row one line of time
        await page.reload()
        await page.set_viewport_size({"width": 1366, "height": 768})
        table = page.locator(".supply-table")
        await expect(table).to_be_visible()
        await expect(page.locator(".supply-cards")).to_be_hidden()
        row = table.locator("tbody tr", has_text="红果供给测试甲工地")
        await expect(row).to_contain_text("240 元/天")
        lines = await row.locator("td.nowrap").evaluate_all(
            "cells => cells.map(c => c.clientHeight / parseFloat(getComputedStyle(c).lineHeight))"
        )
        assert max(lines) < 3, f"date and time wrap over {lines} lines"  # date, then start: two lines
        await photograph(page, "supply-table", ("kiosk-landscape",))
        await page.set_viewport_size({"width": 390, "height": 844})

        # a bad filter and a bad week: a page in words with a way back, not JSON
        await page.goto("/supply?wage_min=abc&county=atlantis")
        await expect(page.locator("h1")).to_contain_text("没能按这个条件查岗位")
        await expect(page.locator(".refusals")).to_contain_text("没有这个区县")
        await expect(page.locator(".refusals")).to_contain_text("最低工资请填 0 到 100000 之间的整数（元/天）")
        await expect(page.locator("body")).not_to_contain_text('"errors"')
        await photograph(page, "supply-bad-filter", ("kiosk-landscape", "phone"))
        await _fits(page, "/supply bad filter")
        await page.goto("/supply?week=2026-W99")
        await expect(page.locator(".refusals li[data-rule=period_format]")).to_contain_text("没有这一周的岗位清单")
        await page.click("text=看全部岗位")
        await page.wait_for_url("**/supply")
        await expect(page.locator(".supply-card").first).to_be_visible()

        # last week's list, chosen by its dates
        await page.select_option("#week", index=1)
        await page.click("text=看这一周")
        await page.wait_for_url(re.compile(r"week=2026-W47"))
        await expect(page.locator(".supply-when")).to_contain_text("2026年第47周（11月16日—11月22日）")
        await expect(page.locator(".supply-when")).not_to_contain_text("+00:00")
        await _fits(page, "/supply last week")
    finally:
        await context.close()
    api = [url for url in asked if url.startswith(("/api/", "/exports/"))]
    assert not api, f"the pages asked the JSON API: {api}"
