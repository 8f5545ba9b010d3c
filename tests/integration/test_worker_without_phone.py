"""A worker without a phone, against the real gateway, Kafka, stream worker, projector and Redis: the kiosk's
"查看我的登记" lookup (by keyed pseudonym, no oracle, throttled per kiosk), the phone link bound to the first
device that opens it, the hall screen's live feed, and the printed ticket."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from gateway.main import create_app
from services import trades
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number, take_lane
from tests.integration.conftest import auth, check_in_body, job_body
from tests.integration.test_pages_api_auth import _signed_in
from tests.support.waiting import eventually


async def _checked_in(gateway: TestClient, token: str, id_number: str, trade: str) -> str:
    """A check-in through the API (as another kiosk of the market would send it), once its ticket is queued."""
    answer = await (
        await gateway.post("/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(token))
    ).json()
    checkin_id = str(answer["checkin_id"])

    async def queued() -> bool:
        response = await gateway.get(f"/api/v1/checkins/{checkin_id}")
        return response.status == 200 and (await response.json())["status"] == "queued"

    await eventually(queued, what="queued")
    return checkin_id


async def _lookup(gateway: TestClient, csrf: str, id_number: str) -> tuple[int, dict[str, Any]]:
    response = await gateway.post(
        "/kiosk/my-registration", json={"id_number": id_number}, headers={"X-CSRF-Token": csrf}
    )
    return response.status, await response.json()


async def test_my_registration_finds_todays_check_in_and_says_the_same_for_everything_else(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    other_market, other_trade = take_lane(next(m for m in ("pz-market", "lz-market") if m != market))
    first = await _checked_in(gateway, credentials[market], new_id_number(), trade)  # someone ahead, same trade
    checkin_id = await _checked_in(gateway, credentials[market], id_number, trade)
    elsewhere = new_id_number()
    await _checked_in(gateway, credentials[other_market], elsewhere, other_trade)

    csrf = await _signed_in(gateway, credentials[market], "/kiosk")
    status, found = await _lookup(gateway, csrf, id_number)
    assert status == 200, found
    assert found["checkin_id"] == checkin_id and isinstance(found["ticket_no"], int)
    assert found["worker_masked"].startswith("5202") and id_number not in str(found)
    # "ahead" counts the lane's trade only; "waiting" is the whole market, where other tests' workers wait too
    assert found["place"]["ahead"] == 1 and found["place"]["is_waiting"] is True
    assert found["place"]["waiting"] >= 2
    place = await (await gateway.get(f"/kiosk/queue-place/{first}")).json()
    assert place["ahead"] == 0 and place["is_waiting"] is True and place["waiting"] >= 2

    # no oracle: a valid number that never checked in, and one checked in at another market, get one answer
    answers = [await _lookup(gateway, csrf, n) for n in (new_id_number(), elsewhere)]
    assert answers[0] == answers[1]
    status, body = answers[0]
    assert (status, body["error"], body["errors"][0]["field"]) == (404, "no_registration_today", "id_number")
    assert "今天在本市场没有查到您的登记" in body["message_zh"]
    status, body = await _lookup(gateway, csrf, id_number[:17] + ("0" if id_number[17] != "0" else "1"))
    assert status == 422 and body["errors"][0]["field"] == "id_number"
    assert (await gateway.post("/kiosk/my-registration", json={"id_number": id_number})).status == 403  # no CSRF


async def test_lookups_are_throttled_per_kiosk(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    settings = dataclasses.replace(platform, kiosk_lookups_max=3, kiosk_lookups_window_seconds=60)
    gateway = await aiohttp_client(create_app(settings, clock=lambda: TEST_NOW))
    csrf = await _signed_in(gateway, credentials["gx-market"], "/kiosk")
    statuses = [(await _lookup(gateway, csrf, new_id_number()))[0] for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    status, body = await _lookup(gateway, csrf, new_id_number())
    assert status == 429 and body["errors"][0]["field"] == "kiosk_lookups" and "请求过于频繁" in body["message_zh"]


async def test_a_phone_link_works_all_day_on_the_first_device_and_not_on_a_second(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    checkin_id = await _checked_in(gateway, credentials[market], id_number, trade)
    csrf = await _signed_in(gateway, credentials[market], "/kiosk")
    link = await (
        await gateway.post("/kiosk/phone-link", json={"checkin_id": checkin_id}, headers={"X-CSRF-Token": csrf})
    ).json()
    path = link["url"][link["url"].index("/w/") :]

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
        url = str(gateway.make_url(path))
        prefetch = await phone.get(url, allow_redirects=False)  # a GET binds nothing (WeChat's servers fetch too)
        page = await prefetch.text()
        assert prefetch.status == 200 and "打开我的登记" in page
        form_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert form_csrf
        opened = await phone.post(url, data={"csrf_token": form_csrf.group(1)}, allow_redirects=False)
        assert opened.status == 303 and opened.headers["Location"] == "/worker"
        again = await phone.get(url, allow_redirects=False)  # WeChat's second opening, on the same phone
        assert again.status == 303 and again.headers["Location"] == "/worker"
        worker_page = await (await phone.get(str(gateway.make_url("/worker")))).text()
        assert checkin_id in worker_page and id_number not in worker_page

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as second:
        refused = await second.get(url, allow_redirects=False)
        text = await refused.text()
        assert refused.status == 403 and refused.content_type == "text/html"
        assert "请在服务台或自助机上用“查看我的登记”重新获取二维码" in text and checkin_id not in text
        assert (await second.get(str(gateway.make_url("/worker")), allow_redirects=False)).status == 303  # sign-in

    unknown = await gateway.get("/w/not-a-token", allow_redirects=False)
    assert unknown.status == 404 and "这个链接已过期" in await unknown.text()


async def _hall_offers(gateway: TestClient, market: str) -> list[dict[str, Any]]:
    """The first event of the hall's live feed."""
    async with gateway.get(f"/live/hall/{market}") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        line = b""
        while not line.startswith(b"data: "):
            line = await stream.content.readline()
        return list(json.loads(line[6:])["offers"])


async def test_the_hall_feed_shows_the_offered_ticket_number_and_nothing_personal(
    gateway: TestClient, credentials: dict[str, str], id_number: str
) -> None:
    market, trade = take_lane("sc-market")
    checkin_id = await _checked_in(gateway, credentials[market], id_number, trade)
    ticket = await (await gateway.get(f"/api/v1/checkins/{checkin_id}")).json()
    posted = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    assert posted.status == 202

    async def called() -> list[dict[str, Any]]:
        return [o for o in await _hall_offers(gateway, market) if o["ticket_no"] == ticket["ticket_no"]]

    shown = (await eventually(called, what="the number on the hall feed"))[0]
    assert (shown["trade"], shown["day_wage"], shown["start"]) == (trades.TRADES_BY_CODE[trade].name_zh, 220, "09:00")
    assert set(shown) == {"offer_id", "ticket_no", "trade", "day_wage", "start"}
    page = await (await gateway.get(f"/hall/{market}")).text()
    assert "<h1>水城区零工市场" in page
    assert (await gateway.get("/hall/nowhere")).status == 404


async def test_the_printed_ticket_has_the_day_market_number_trades_wage_and_a_phone_qr(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    checkin_id = await _checked_in(gateway, credentials[market], id_number, trade)
    ticket = await (await gateway.get(f"/api/v1/checkins/{checkin_id}")).json()
    await _signed_in(gateway, credentials[market], "/kiosk")
    page = await gateway.get(f"/kiosk/tickets/{checkin_id}/print?paper=80")
    text = await page.text()
    assert page.status == 200
    assert "2026年11月26日" in text and f">{ticket['ticket_no']}<" in text and "150 元/天" in text
    assert "paper-80" in text and 'src="data:image/svg+xml' in text and id_number not in text
    other, _ = take_lane("gx-market")
    await _signed_in(gateway, credentials[other], "/kiosk")
    assert (await gateway.get(f"/kiosk/tickets/{checkin_id}/print")).status == 404  # another market's kiosk
