"""A registered job seeker sees the jobs the matcher recommends at the kiosk (issue 27), in a real browser, at the
kiosk's 1080×1920 and a phone's 390×844, checked by axe-core.

六枝特区 at the shared stack's time (its clocks are not moved): two same-day jobs at 六枝特区零工市场 in a lane's
trade no other test uses there, one paying less than the person asks. Staff enter the person (confirmed at once);
at the kiosk the person taps "为我推荐的岗位", types the ID number and sees the fitting job with its reason and how to
apply, and not the other; a number without a registration gets the plain answer. The page never shows the ID.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import Signed, api_get, api_post
from tests.browser.test_kiosk_flow import WAIT
from tests.conftest import new_id_number, take_lane
from tests.integration.conftest import job_body
from tests.support.browser import KIOSK_TAP_MIN_PX, assert_accessible, photograph, small_targets, small_text
from tests.support.waiting import eventually


async def _applied(site: str, answer: dict[str, Any]) -> None:
    async def probe() -> dict[str, Any] | None:
        return await api_get(site, answer["status_url"])

    verdict = await eventually(probe, what="command outcome")
    assert verdict["status"] == "applied", verdict


async def _ask(page: Page, id_number: str) -> None:
    await page.click("#my-recommendations")
    await expect(page.locator("#recommend-form")).to_be_visible()
    for character in id_number:
        await page.click(f'#recommend-form .keypad .key[data-key="{character}"]')
    await page.click("#recommend-submit")


async def test_a_registered_person_sees_their_recommendations_at_the_kiosk(
    signed_in: Signed, site: str, credentials: dict[str, str]
) -> None:
    market, trade = take_lane("lz-market")
    request_ids = []
    for wage in (300, 200):
        posted = await api_post(
            site,
            "/api/v1/job-requests",
            credentials["employer"],
            job_body(market, trade, day_wage=wage, start="11:00", place="六枝特区平寨镇"),
        )
        request_ids.append(posted["request_id"])
    id_number = new_id_number()
    person = await api_post(
        site,
        "/api/v1/jobseekers",
        credentials["officer"],
        {
            "id_number": id_number,
            "county": "liuzhi",
            "kind": "unemployed",
            "category": "basic_skills",
            "trades": [trade],
            "min_day_wage": 250,
        },
    )
    await _applied(site, person)

    _, kiosk = await signed_in(credentials[market], "/kiosk", width=1080, height=1920)
    await expect(kiosk.locator("#my-recommendations")).to_have_text("为我推荐的岗位")

    # a number without a registration here: the plain answer, on the form
    await _ask(kiosk, new_id_number())
    await expect(kiosk.locator("#recommend_id-error")).to_contain_text("没有查到您在本县已确认的失业登记或求职登记")
    await assert_accessible(kiosk, "kiosk recommendations form")
    await photograph(kiosk, "kiosk-recommendations-form", ("kiosk-portrait", "phone"))
    await kiosk.click("#recommend-cancel")
    await expect(kiosk.locator("#screen-start")).to_be_visible(timeout=WAIT)

    async def listed() -> bool:
        supply = await api_get(site, "/api/v1/supply")
        return supply is not None and {r["id"] for r in supply["rows"]} >= set(request_ids)

    await eventually(listed, what="the jobs on the supply list")
    await _ask(kiosk, id_number)
    await expect(kiosk.locator("#screen-recommendations")).to_be_visible(timeout=WAIT)
    await expect(kiosk.locator("#recs-list .rec-same_day")).to_have_count(1)
    first = kiosk.locator("#recs-list .rec-same_day")
    await expect(first).to_contain_text("300 元/天")
    await expect(first).to_contain_text("日薪 300 ≥ 你要求的 250")
    await expect(first).to_contain_text("怎么应聘")
    await expect(first).to_contain_text("11:00开工前")
    await expect(kiosk.locator("#recs-list")).not_to_contain_text("200 元/天")
    assert id_number not in await kiosk.content()
    assert await small_targets(kiosk, KIOSK_TAP_MIN_PX) == []  # 72 px targets, 24 px text at the kiosk
    assert await small_text(kiosk) == []
    for width, height, name in ((1080, 1920, "kiosk portrait"), (390, 844, "phone")):
        await kiosk.set_viewport_size({"width": width, "height": height})
        await assert_accessible(kiosk, f"kiosk recommendations {name}")
        overflow = await kiosk.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name}: sideways scroll of {overflow} px"
    await photograph(kiosk, "kiosk-recommendations", ("kiosk-portrait", "phone"))
    await kiosk.set_viewport_size({"width": 1080, "height": 1920})
    await kiosk.click("#recs-done")
    await expect(kiosk.locator("#screen-start")).to_be_visible(timeout=WAIT)
    assert "300 元/天" not in await kiosk.content()
