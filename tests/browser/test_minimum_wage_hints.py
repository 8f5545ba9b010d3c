"""The legal minimum wage beside the wage fields follows the county's class (services/minimum_wage.py): the
employer's form redoes it for the chosen market and hours, the kiosk shows its own county's, and a wage below
it is refused with the same words, naming the county."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import Signed
from tests.browser.test_kiosk_flow import WAIT
from tests.support.browser import photograph


async def test_employer_form_shows_the_county_minimum_and_the_refusal_names_the_county(
    signed_in: Signed, credentials: dict[str, str]
) -> None:
    _, employer = await signed_in(credentials["employer"], "/employer", width=390, height=844)
    hint = employer.locator("#day_wage-hint")
    await employer.select_option("#market_id", "zs-market")
    await expect(hint).to_have_text("钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元")
    await employer.fill("#hours", "10")
    await expect(hint).to_have_text("钟山区最低工资 19.6 元/小时 × 10 小时 = 196 元")
    await employer.select_option("#market_id", "lz-market")
    await expect(hint).to_have_text("六枝特区最低工资 17.2 元/小时 × 10 小时 = 172 元")
    await employer.select_option("#market_id", "pz-hongguo-station")  # a station: its county's class
    await expect(hint).to_have_text("盘州市最低工资 18.3 元/小时 × 10 小时 = 183 元")

    # 150 yuan for 8 hours: lawful in a class-3 county (137.6 yuan), not in 钟山区 (class 1, 156.8 yuan)
    await employer.select_option("#market_id", "zs-market")
    await employer.fill("#hours", "8")
    await employer.select_option("#trade", "porter")
    await employer.fill("#day_wage", "150")
    await employer.fill("#place", "钟山区荷城街道")
    await employer.click("#submit")
    error = employer.locator("#day_wage-error")
    await expect(error).to_contain_text("钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元", timeout=WAIT)
    await expect(error).to_contain_text("低于最低工资")
    await expect(employer.locator("#day_wage")).to_have_attribute("aria-invalid", "true")
    assert employer.url.endswith("/employer")
    assert await employer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await photograph(employer, "employer-minimum-wage")


async def test_the_kiosk_shows_its_own_county_minimum(signed_in: Signed, credentials: dict[str, str]) -> None:
    for market, text in (
        ("zs-market", "钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元"),
        ("sc-market", "水城区最低工资 17.2 元/小时 × 8 小时 = 137.6 元"),
    ):
        _, kiosk = await signed_in(credentials[market], "/kiosk")
        await kiosk.click("#start")
        await expect(kiosk.locator("#min_day_wage-hint")).to_have_text(text)
        described = await kiosk.locator("#min_day_wage").get_attribute("aria-describedby")
        assert described is not None and "min_day_wage-hint" in described.split()
        if market == "zs-market":
            await photograph(kiosk, "kiosk-minimum-wage")


async def test_english_pages_say_it_in_english(signed_in: Signed, credentials: dict[str, str]) -> None:
    _, employer = await signed_in(credentials["employer"], "/employer", width=1366, height=768)
    await employer.goto("/employer?lang=en")
    await employer.select_option("#market_id", "gx-market")
    await expect(employer.locator("#day_wage-hint")).to_have_text(
        "Liupanshui High-tech Zone minimum wage 19.6 yuan/hour × 8 hours = 156.8 yuan"
    )
