"""A wrong ID number, a wage below the minimum and a missing field each show a clear Chinese message next to
the field (the kiosk checks the ID's check character in the browser; the wage rule is the server's)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import Signed
from tests.browser.test_kiosk_flow import WAIT
from tests.support.browser import photograph


def _wrong_check_character(valid: str) -> str:
    last = valid[-1]
    return valid[:-1] + ("0" if last != "0" else "1")


async def test_kiosk_wrong_id_number_and_missing_trade(
    signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    _, kiosk = await signed_in(credentials[market], "/kiosk")
    await kiosk.click("#start")
    for character in _wrong_check_character(id_number):
        await kiosk.click(f'#checkin-form .keypad .key[data-key="{character}"]')
    message = kiosk.locator("#id_number-error")
    await expect(message).to_have_text("身份证号码校验位不正确，请核对后重新输入")
    await expect(kiosk.locator("#id_number")).to_have_attribute("aria-invalid", "true")
    # the message sits with its field: the input names it as its description
    await expect(kiosk.locator("#id_number")).to_have_attribute("aria-describedby", "id_number-error")

    await kiosk.click('#checkin-form .keypad .key[data-key="back"]')
    await kiosk.click(f'#checkin-form .keypad .key[data-key="{id_number[-1]}"]')
    await expect(message).to_have_text("")
    await kiosk.click("#submit")  # no trade chosen
    await expect(kiosk.locator("#trades-error")).to_have_text("请至少选择一个工种")
    await kiosk.fill("#min_day_wage", "")
    await kiosk.click(f'.trade[data-trade="{trade}"]')
    await kiosk.click("#submit")
    await expect(kiosk.locator("#min_day_wage-error")).to_have_text("请填写最低日工资")
    await expect(kiosk.locator("#trades-error")).to_have_text("")
    await photograph(kiosk, "kiosk-field-messages")


async def test_employer_wage_below_minimum_and_missing_place(
    signed_in: Signed, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    market, trade = lane
    _, employer = await signed_in(credentials["employer"], "/employer", width=390, height=844)
    await employer.select_option("#market_id", market)
    await employer.select_option("#trade", trade)
    await employer.fill("#day_wage", "50")
    await employer.click("#submit")  # the place is missing too
    wage = employer.locator("#day_wage-error")
    await expect(wage).to_contain_text("低于最低工资", timeout=WAIT)
    await expect(wage).to_contain_text("贵州省最低工资标准")
    await expect(employer.locator("#place-error")).to_have_text("请填写工作地点")
    await expect(employer.locator("#day_wage")).to_have_attribute("aria-invalid", "true")
    assert employer.url.endswith("/employer")
    await photograph(employer, "employer-field-messages")
