"""Issue 27's "Done when", on the real stack (gateway → Kafka → agents → projector → Redis): the matcher's
recommendations seen at the kiosk, "1311" met on time, the dashboard's overdue alert in its county only, and the
reports of registered job seekers against an independent count from the topic.

- 六枝特区, at the shared stack's time (Thursday 26 November 2026, 08:30 local; nothing here moves 六枝特区's
  clocks): an employer posts three fitting same-day jobs and one paying less than asked at 六枝特区零工市场 (in a
  lane's trade no other test uses there); a person registers at the kiosk, staff confirm within the clock, the
  person types their ID number at the kiosk and sees the three fitting jobs with their reasons, which counts as
  "3 次岗位推荐" (seeing them again counts nothing more), and on the phone page of a check-in of hers; staff
  record briefing, guidance and training: "1311" is met on time;
- 钟山区: staff enter a second person and deliver nothing; the test's clock (this gateway's only, and 钟山区's
  job-seeker ticks only) moves to Friday 4 December 00:00:30, past the deadline (Thursday 3 December, 5 working
  days after confirmation): the dashboard shows the overdue alert to 钟山区's officer, and not to 六枝特区's.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaProducer

from deploy.local.demo import wait_for_credentials
from services import topics
from services.adapters.registry import register_credential
from services.jobseekers import records as js
from services.settings import Settings
from streams.jobseeker_agent import ticks
from tests.conftest import TEST_NOW, new_id_number, take_lane
from tests.integration.conftest import auth, check_in_body, job_body
from tests.integration.fair_support import applied, fair_client, headers, local, post
from tests.integration.test_pages_api_auth import _signed_in
from tests.support.jobseeker_count import count, from_report
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually

_officers: dict[str, str] = {}


async def officer_of(platform: Settings, county: str) -> str:
    """A county officer's token for ``county`` (the session's credentials have 盘州市's and 水城区's only)."""
    if county not in _officers:
        _officers[county] = await register_credential(
            platform, role="officer", subject_id=f"of-{county}", display_name=f"测试{county}工作人员", county=county
        )
        await wait_for_credentials(platform, [_officers[county]])
    return _officers[county]


async def _tick(platform: Settings, county: str, when: Any) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for tick in ticks([county], when):
            await producer.send_and_wait(
                platform.topic(topics.JOBSEEKER_COMMANDS), js.encode(tick), key=county.encode()
            )
    finally:
        await producer.stop()


async def _ticket_ready(gateway: TestClient, checkin_id: str) -> bool:
    response = await gateway.get(f"/api/v1/checkins/{checkin_id}")
    return response.status == 200 and (await response.json())["status"] == "queued"


async def _page(
    gateway: TestClient, token: str, registration_id: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await gateway.get(f"/api/v1/jobseekers/{registration_id}", headers=headers(token))
        body: dict[str, Any] = await response.json()
        return body if response.status == 200 and ready(body) else None

    return await eventually(probe, what=f"registration {registration_id}")


def _of(page: dict[str, Any], programme: str) -> list[dict[str, Any]]:
    return sorted((o for o in page["obligations"].values() if o["programme"] == programme), key=lambda o: o["service"])


async def test_recommendations_seen_at_the_kiosk_1311_on_time_and_an_overdue_alert_in_its_county(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    gateway, clock = await fair_client(aiohttp_client, platform, TEST_NOW)
    market, trade = take_lane("lz-market")
    liuzhi, zhongshan = await officer_of(platform, "liuzhi"), await officer_of(platform, "zhongshan")

    # three fitting same-day jobs and one paying less than the person asks
    request_ids = []
    for wage in (280, 260, 270, 240):
        response = await gateway.post(
            "/api/v1/job-requests",
            json=job_body(market, trade, day_wage=wage, start="10:00", place="六枝特区平寨镇"),
            headers=auth(credentials["employer"]),
        )
        assert response.status == 202, await response.text()
        request_ids.append((await response.json())["request_id"])
    fitting = [f"gig:{request_ids[i]}" for i in (0, 2, 1)]  # best wage first

    async def listed() -> bool:
        supply = await (await gateway.get("/api/v1/supply")).json()
        return {f"gig:{r['id']}" for r in supply["rows"]} >= {f"gig:{i}" for i in request_ids}

    await eventually(listed, what="the jobs on the supply list")

    # a person registers at the kiosk; staff confirm the same day (within 3 working days)
    id_a = new_id_number()
    a = await post(
        gateway,
        "/api/v1/jobseekers",
        credentials[market],
        {
            "id_number": id_a,
            "county": "liuzhi",
            "kind": "unemployed",
            "category": "basic_skills",
            "trades": [trade],
            "min_day_wage": 250,
        },
    )
    await applied(gateway, a)
    reg_a = a["registration_id"]
    await _page(gateway, liuzhi, reg_a, lambda p: p.get("status") == "awaiting")
    await applied(gateway, await post(gateway, f"/api/v1/jobseekers/{reg_a}/confirm", liuzhi, {}))
    confirmed = await _page(gateway, liuzhi, reg_a, lambda p: p.get("status") == "confirmed")
    assert confirmed["handled_on_time"] is True and confirmed["min_day_wage"] == 250

    # what staff see the matcher recommend (reading it records nothing)
    response = await gateway.get(f"/api/v1/jobseekers/{reg_a}/recommendations", headers=headers(liuzhi))
    staff_view = await response.json()
    assert response.status == 200, staff_view
    assert [r["job_ref"] for r in staff_view["recommendations"]][:3] == fitting
    assert f"gig:{request_ids[3]}" not in {r["job_ref"] for r in staff_view["recommendations"]}

    # the person identifies at the kiosk with their ID number and sees them, with the reasons
    csrf = await _signed_in(gateway, credentials[market], "/kiosk")
    kiosk = {"X-CSRF-Token": csrf}
    response = await gateway.post("/kiosk/recommendations", json={"id_number": id_a}, headers=kiosk)
    shown = await response.json()
    assert response.status == 200, shown
    assert shown["registration_id"] == reg_a and id_a not in str(shown)
    recommendations = shown["recommendations"]
    assert [r["job_ref"] for r in recommendations][:3] == fitting
    first = recommendations[0]
    assert first["kind"] == "same_day" and first["reason_zh"].endswith("日薪 280 ≥ 你要求的 250")
    assert first["how_zh"].startswith("11月26日（周四） 10:00开工前")

    async def three_seen() -> dict[str, Any] | None:
        page = await _page(gateway, liuzhi, reg_a, bool)
        (rec,) = [o for o in _of(page, "1311") if o["service"] == "recommendation"]
        return page if rec["status"] == "met" else None

    page = await eventually(three_seen, what="three recommendations counted")
    (rec,) = [o for o in _of(page, "1311") if o["service"] == "recommendation"]
    assert rec["delivered"] == 3 and rec["on_time"] is True
    # seeing them again counts nothing more: every job counts once
    response = await gateway.post("/kiosk/recommendations", json={"id_number": id_a}, headers=kiosk)
    assert response.status == 200
    # no oracle: a number without a registration here, and a malformed one
    response = await gateway.post("/kiosk/recommendations", json={"id_number": new_id_number()}, headers=kiosk)
    body = await response.json()
    assert (response.status, body["error"], body["errors"][0]["field"]) == (
        404,
        "no_jobseeker_registration",
        "id_number",
    )
    assert (await gateway.post("/kiosk/recommendations", json={"id_number": id_a})).status == 403  # no CSRF

    # staff record briefing, guidance and training; a job told by phone counts like one seen
    for service in ("briefing", "guidance", "training"):
        await applied(
            gateway, await post(gateway, f"/api/v1/jobseekers/{reg_a}/services", liuzhi, {"service": service})
        )
    await applied(
        gateway,
        await post(gateway, f"/api/v1/jobseekers/{reg_a}/recommendations-told", liuzhi, {"job_ref": "gig:by-phone"}),
    )
    response = await gateway.post(
        f"/api/v1/jobseekers/{reg_a}/recommendations-told", json={"job_ref": "job-1"}, headers=headers(liuzhi)
    )
    problem = await response.json()
    assert response.status == 422 and problem["errors"][0]["rule"] == "job_ref_format", problem

    shown_jobs = len(recommendations)  # the three, and any fair position in the trade another test put here

    def done(p: dict[str, Any]) -> bool:
        history = [h for h in p["history"] if h["fact"] == "service_delivered"]
        return all(o["status"] == "met" for o in _of(p, "1311")) and len(history) == shown_jobs + 4

    page = await _page(gateway, liuzhi, reg_a, done)
    assert [(o["service"], o["on_time"]) for o in _of(page, "1311")] == [
        ("briefing", True),
        ("guidance", True),
        ("recommendation", True),
        ("training", True),
    ]
    delivered = [h for h in page["history"] if h["fact"] == "service_delivered"]
    assert sorted(h["channel"] for h in delivered) == ["kiosk"] * shown_jobs + ["staff"] * 3 + ["staff_phone"]

    # on the phone page of a check-in of hers at the market (another trade, nothing to offer), she sees them too
    _, other_trade = take_lane(market)
    checkin = await (
        await gateway.post("/api/v1/checkins", json=check_in_body(id_a, other_trade), headers=auth(credentials[market]))
    ).json()
    await eventually(
        lambda: _ticket_ready(gateway, checkin["checkin_id"]), what="the check-in's ticket with its pseudonym"
    )
    link = await (
        await gateway.post("/kiosk/phone-link", json={"checkin_id": checkin["checkin_id"]}, headers=kiosk)
    ).json()
    path = link["url"][link["url"].index("/w/") :]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
        url = str(gateway.make_url(path))
        form = re.search(r'name="csrf_token" value="([^"]+)"', await (await phone.get(url)).text())
        assert form
        await phone.post(url, data={"csrf_token": form.group(1)}, allow_redirects=False)
        page_html = await (await phone.get(str(gateway.make_url("/worker")))).text()
        phone_csrf = re.search(r'id="worker" data-csrf="([^"]+)"', page_html)
        assert phone_csrf and "为您推荐的岗位" in page_html
        on_phone = await phone.post(
            str(gateway.make_url("/worker/recommendations")), json={}, headers={"X-CSRF-Token": phone_csrf.group(1)}
        )
        found = await on_phone.json()
        assert on_phone.status == 200, found
        assert [r["job_ref"] for r in found["recommendations"]][:3] == fitting and id_a not in str(found)

    # 钟山区: a second person entered by staff, nothing delivered
    b = await post(
        gateway,
        "/api/v1/jobseekers",
        zhongshan,
        {"id_number": new_id_number(), "county": "zhongshan", "kind": "unemployed", "category": "basic_skills",
         "trades": ["porter"]},
    )  # fmt: skip
    await applied(gateway, b)
    reg_b = b["registration_id"]
    opened = await _page(gateway, zhongshan, reg_b, lambda p: len(_of(p, "1311")) == 4)
    assert {o["due"] for o in _of(opened, "1311")} == {"2026-12-03"}
    clock.at = local(2026, 12, 4, 0, 0, 30)
    await _tick(platform, "zhongshan", clock.at)
    await _page(gateway, zhongshan, reg_b, lambda p: all(o["status"] == "overdue" for o in _of(p, "1311")))

    async def alerts(token: str, query: str = "") -> list[dict[str, Any]]:
        response = await gateway.get(f"/api/v1/dashboard{query}", headers=headers(token))
        body = await response.json()
        assert response.status == 200, body
        return [x for x in body["alerts"] if x["kind"] == "jobseeker_obligations_overdue"]

    async def zhongshan_alert() -> list[dict[str, Any]] | None:
        found = await alerts(zhongshan)
        return found or None

    (alert,) = await eventually(zhongshan_alert, what="the overdue alert on 钟山区's dashboard")
    assert alert["county"] == "zhongshan" and alert["count"] >= 4
    assert alert["message_zh"].startswith("钟山区：") and "项就业服务逾期未完成" in alert["message_zh"]
    assert all(x["county"] != "zhongshan" for x in await alerts(liuzhi))  # 六枝特区's officer: own county only
    response = await gateway.get("/api/v1/dashboard?county=zhongshan", headers=headers(liuzhi))
    assert response.status == 403
    city = await alerts(credentials["officer"])
    assert "zhongshan" in {x["county"] for x in city}

    # the reports count both (A under 六枝特区's short-term basic skills; "1311" of A on time in December)
    clock.at = TEST_NOW + timedelta(days=8)
    report = await (await gateway.get("/api/v1/reports/jobseekers?county=liuzhi", headers=headers(liuzhi))).json()
    assert report["county"] == "liuzhi" and {r["county"] for r in report["grades"]} == {"liuzhi", "total"}
    (short,) = [r for r in report["grades"] if r["county"] == "liuzhi" and r["grade"] == "short"]
    assert short["basic_skills"] >= 1
    (december,) = [r for r in report["on_time_1311"] if r["county"] == "liuzhi" and r["month"] == "2026-12"]
    assert december["on_time"] >= 1
    csv = await gateway.get("/exports/jobseekers.csv?table=on_time_1311&county=liuzhi", headers=headers(liuzhi))
    text = (await csv.read()).decode("utf-8-sig")
    assert csv.status == 200 and "六枝特区" in text and "2026年12月" in text and "liuzhi" not in text


async def test_reports_by_grade_and_category_equal_an_independent_count_from_the_topic(
    gateway: TestClient, platform: Settings, credentials: dict[str, str]
) -> None:
    """The report's grade and category figures, for every county, equal a recount of ``jobseeker-events`` read
    from Kafka (not Redis). The topic holds what every test before this one registered."""
    await applied(
        gateway,
        await post(
            gateway,
            "/api/v1/jobseekers",
            await officer_of(platform, "liuzhi"),
            {"id_number": new_id_number(), "county": "liuzhi", "kind": "job_seeking", "category":
             "employment_difficulty", "trades": ["porter"], "willing_elsewhere": True},
        ),
    )  # fmt: skip

    async def equal() -> tuple[dict[Any, Any], dict[Any, Any]] | None:
        facts = await read_topic(platform.kafka_bootstrap, platform.topic(topics.JOBSEEKER_EVENTS))
        expected = count(m.value for m in facts)
        response = await gateway.get("/api/v1/reports/jobseekers", headers=headers(credentials["officer"]))
        report = await response.json()
        assert response.status == 200, report
        found = from_report(report["grades"])
        return (expected, found) if expected == found else None

    expected, _ = await eventually(equal, what="the report equal to the recount from the topic")
    assert expected[("liuzhi", "none")]["employment_difficulty"] >= 1
