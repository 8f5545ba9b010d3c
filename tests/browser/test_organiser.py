"""The organiser at the fair: the list of fairs, a fair's employers with booths and positions; attendance at
the door by ID number, the employer's arrival, an intent and a hire — each recorded by the fair agent."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from services.people import credit_code
from tests.browser.conftest import Signed, api_get, api_post
from tests.browser.test_kiosk_flow import WAIT
from tests.conftest import TEST_NOW
from tests.support.browser import photograph
from tests.support.waiting import eventually

EMPLOYER = "91520200MA6DK0B2Y"[:17]
EMPLOYER += credit_code.check_character(EMPLOYER)


async def _applied(site: str, answer: dict[str, Any]) -> None:
    async def probe() -> dict[str, Any] | None:
        return await api_get(site, answer["status_url"])

    verdict = await eventually(probe, what="fair command outcome")
    assert verdict["status"] == "applied", verdict


async def _fair(site: str, organiser: str) -> str:
    schedule = {
        "level": "county",
        "kind": "comprehensive",
        "county": "liuzhi",
        "title": "六枝特区冬季招聘会",
        "venue": "六枝特区人力资源市场",
        "date": TEST_NOW.date().isoformat(),
        "start": "09:00",
        "end": "12:00",
        "capacity": 300,
    }
    scheduled = await api_post(site, "/api/v1/fairs", organiser, schedule)
    await _applied(site, scheduled)
    fair_id: str = scheduled["fair_id"]
    position = {"trade": "electrician", "headcount": 3, "wage_min": 3500, "wage_max": 5000, "wage_unit": "month"}
    body = {"credit_code": EMPLOYER, "name": "六枝电力安装公司", "booth": "A-03", "positions": [position]}
    await _applied(site, await api_post(site, f"/api/v1/fairs/{fair_id}/employers", organiser, body))
    await _applied(site, await api_post(site, f"/api/v1/fairs/{fair_id}/publish", organiser, {}))
    return fair_id


async def test_organiser_records_attendance_an_intent_and_a_hire(
    signed_in: Signed, site: str, credentials: dict[str, str], id_number: str
) -> None:
    fair_id = await _fair(site, credentials["organiser"])
    _, page = await signed_in(credentials["organiser"], "/organiser", width=1366, height=768)
    await photograph(page, "organiser-fairs")
    await page.click(f'a[href="/organiser/fairs/{fair_id}"]')
    await expect(page.locator("h1")).to_have_text("六枝特区冬季招聘会")
    await expect(page.locator(".booths")).to_contain_text("A-03")
    await expect(page.locator(".booths")).to_contain_text("六枝电力安装公司")
    await photograph(page, "organiser-fair")

    door = page.locator("#attendance-form")
    await door.locator("input[name=id_number]").fill(id_number)
    await door.locator("button[type=submit]").click()
    await expect(door.locator(".form-status")).to_contain_text("已记录", timeout=WAIT)
    await expect(page.locator("#c-attendees")).to_have_text("1", timeout=WAIT)

    await page.locator('form[data-path="employer-attendance"] button').click()
    await expect(page.locator(".booth .attended")).to_have_text("✓ 已到场", timeout=WAIT)

    intent = page.locator("#intent-form")
    await intent.locator("input[name=id_number]").fill(id_number)
    await intent.locator("select[name=trade]").select_option("electrician")
    await intent.locator("button[type=submit]").click()
    await expect(intent.locator(".form-status")).to_contain_text("已记录", timeout=WAIT)

    hire = page.locator("#hire-form")
    await hire.locator("input[name=id_number]").fill(id_number)
    await hire.locator("select[name=trade]").select_option("electrician")
    await hire.locator("input[name=wage]").fill("4200")
    await hire.locator("button[type=submit]").click()
    await expect(hire.locator(".form-status")).to_contain_text("已记录", timeout=WAIT)
    await expect(page.locator("#c-hires")).to_have_text("1", timeout=WAIT)
    assert id_number not in await page.content()
    await photograph(page, "organiser-fair-hired")

    fair = await api_get(site, f"/api/v1/fairs/{fair_id}")
    assert fair is not None and fair["counts"]["attendees"] == 1 and fair["counts"]["hires"] == 1
