"""The staff's pages of registered job seekers at 1366×768: the county board and a person's page (issue 27).

六盘水高新区's job-seeker book is used by no other test. A person entered by staff with a registration date in
October is mid-short, has "1311" and the grade's services open, and a briefing recorded (done); a person who
registered at the kiosk awaits staff. Both pages show the masked ID only, Chinese place names, local dates, and
pass axe-core.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.browser.conftest import Signed, api_get, api_post
from tests.conftest import new_id_number
from tests.support.browser import assert_accessible, photograph
from tests.support.waiting import eventually


async def _applied(site: str, answer: dict[str, Any]) -> None:
    async def probe() -> dict[str, Any] | None:
        return await api_get(site, answer["status_url"])

    verdict = await eventually(probe, what="job-seeker command outcome")
    assert verdict["status"] == "applied", verdict


async def test_the_county_board_and_a_persons_page(signed_in: Signed, site: str, credentials: dict[str, str]) -> None:
    admin, kiosk = credentials["officer"], credentials["gx-market"]
    entered_id, kiosk_id = new_id_number(), new_id_number()
    entered = await api_post(
        site,
        "/api/v1/jobseekers",
        admin,
        {
            "id_number": entered_id,
            "county": "gaoxin",
            "kind": "unemployed",
            "category": "lacks_basic_skills",
            "trades": ["mason", "porter"],
            "registered_on": "2026-10-20",
        },
    )
    await _applied(site, entered)
    briefing = await api_post(
        site, f"/api/v1/jobseekers/{entered['registration_id']}/services", admin, {"service": "briefing"}
    )
    await _applied(site, briefing)
    waiting = await api_post(
        site,
        "/api/v1/jobseekers",
        kiosk,
        {
            "id_number": kiosk_id,
            "county": "gaoxin",
            "kind": "job_seeking",
            "category": "basic_skills",
            "trades": ["cleaner"],
        },
    )
    await _applied(site, waiting)

    _, page = await signed_in(admin, "/jobseekers", width=1366, height=768)
    board = page.locator('section[data-county="gaoxin"]')
    await expect(board.locator("h2")).to_have_text("六盘水高新区")
    await expect(board.locator("table.done")).to_contain_text(entered["person_masked"])
    await expect(board.locator("table.done")).to_contain_text("政策宣讲")
    await expect(board.locator("table.awaiting")).to_contain_text(waiting["person_masked"])
    await expect(board.locator("table.awaiting")).to_contain_text("2026年12月1日（周二）")  # 3 working days
    content = await page.content()
    assert entered_id not in content and kiosk_id not in content
    await photograph(page, "jobseekers-board", ("kiosk-landscape",))
    await assert_accessible(page, "job-seeker board")

    await board.locator("table.done a").first.click()
    await expect(page.locator("h1")).to_contain_text(entered["person_masked"])
    facts = page.locator(".person-facts")
    await expect(facts).to_contain_text("中短期")
    await expect(facts).to_contain_text("缺乏基本技能")
    await expect(facts).to_contain_text("2026年10月20日（周二）")
    await expect(facts).to_contain_text("泥瓦工")
    rows = page.locator("table.obligations tbody tr")
    await expect(rows).to_have_count(6)  # "1311": four; mid-short: guidance and recommendations
    await expect(page.locator("table.obligations tr.ob-met")).to_contain_text("政策宣讲")
    await expect(page.locator("table.obligations")).to_contain_text("2026年12月3日（周四）")  # 5 working days
    await expect(page.locator(".history")).to_contain_text("08:30")  # the local time of the entry
    assert entered_id not in await page.content()
    await photograph(page, "jobseeker-person", ("kiosk-landscape",))
    await assert_accessible(page, "job-seeker person page")
