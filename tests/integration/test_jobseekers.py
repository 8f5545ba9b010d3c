"""Registered job seekers end to end on the real stack (issue 27): gateway → Kafka → job-seeker agent →
jobseeker-events → projector → Redis → the staff's API.

The gateway's clock and the ticks (what the leader's timer would send) are moved by the test from Monday
30 November to Tuesday 8 December 2026, Asia/Shanghai; the job-seeker books of 盘州市 and 水城区 are used by no
other test. The matcher does not recommend yet: the platform's "recommendation seen" commands are sent to the
topic as the kiosk will send them.

- 盘州市: a person registers at the kiosk on Monday; staff confirm on Tuesday (within 3 working days); staff record
  the briefing, guidance and training, three distinct jobs are seen: "1311" and the short-term grade's
  recommendations are met on time, and the county board shows them done;
- 水城区: staff enter a person on Monday and deliver nothing: the four "1311" obligations (due Monday 7 December,
  5 working days later) are overdue from local midnight of the 8th, on 水城区's board only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaProducer

from services import geography, topics
from services.jobseekers import records as js
from services.settings import Settings
from streams.jobseeker_agent import ticks
from tests.conftest import new_id_number
from tests.integration.fair_support import MovableClock, applied, fair_client, headers, local, post
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually


async def send(platform: Settings, commands: list[js.JobseekerCommand]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for c in commands:
            await producer.send_and_wait(platform.topic(topics.JOBSEEKER_COMMANDS), js.encode(c), key=c.county.encode())
    finally:
        await producer.stop()


async def move(platform: Settings, clock: MovableClock, when: datetime) -> None:
    clock.at = when
    await send(platform, list(ticks([c.code for c in geography.COUNTIES], when)))


async def page(
    gateway: TestClient, token: str, registration_id: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await gateway.get(f"/api/v1/jobseekers/{registration_id}", headers=headers(token))
        if response.status != 200:
            return None
        body: dict[str, Any] = await response.json()
        return body if ready(body) else None

    return await eventually(probe, what=f"registration {registration_id}")


async def board(gateway: TestClient, token: str, county: str) -> dict[str, Any]:
    response = await gateway.get(f"/api/v1/jobseekers?county={county}", headers=headers(token))
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    (found,) = body["boards"]
    return found


def services_of(rows: list[dict[str, Any]], registration_id: str) -> list[tuple[str, str]]:
    return sorted((r["programme"], r["service"]) for r in rows if r["registration_id"] == registration_id)


async def test_1311_met_on_time_in_one_county_and_overdue_in_another(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    gateway, clock = await fair_client(aiohttp_client, platform, local(2026, 11, 30, 9))
    kiosk = credentials["pz-market"]
    panzhou, shuicheng = credentials["officer_panzhou"], credentials["officer_shuicheng"]
    await move(platform, clock, local(2026, 11, 30, 9))

    # 盘州市: self-service at the kiosk, awaiting staff with a 3-working-day clock
    id_a = new_id_number()
    a = await post(
        gateway,
        "/api/v1/jobseekers",
        kiosk,
        {"id_number": id_a, "county": "panzhou", "kind": "unemployed", "category": "basic_skills", "trades": ["mason"]},
    )
    await applied(gateway, a)
    reg_a = a["registration_id"]
    assert a["county"] == "panzhou" and a["person_masked"] != id_a
    awaiting = await page(gateway, panzhou, reg_a, lambda p: p.get("status") == "awaiting")
    assert awaiting["handling_due"] == "2026-12-03"
    assert id_a not in str(awaiting)

    # 水城区: entered by staff, confirmed at once
    id_b = new_id_number()
    b = await post(
        gateway,
        "/api/v1/jobseekers",
        shuicheng,
        {
            "id_number": id_b,
            "county": "shuicheng",
            "kind": "unemployed",
            "category": "employment_difficulty",
            "trades": ["porter"],
            "willing_elsewhere": True,
        },
    )
    await applied(gateway, b)
    reg_b = b["registration_id"]
    assert b["county"] == "shuicheng"

    # another county's officer may neither read nor act on it
    response = await gateway.get(f"/api/v1/jobseekers/{reg_b}", headers=headers(panzhou))
    assert response.status == 403
    response = await gateway.post(
        f"/api/v1/jobseekers/{reg_b}/services", json={"service": "briefing"}, headers=headers(panzhou)
    )
    assert response.status == 403

    # bad input: a problem naming the field and the rule, in Chinese and English
    response = await gateway.post(
        f"/api/v1/jobseekers/{reg_a}/services", json={"service": "massage"}, headers=headers(panzhou)
    )
    problem = await response.json()
    assert response.status == 422, problem
    assert "service" in str(problem) and "choice" in str(problem)

    # Tuesday: staff confirm within the clock; "1311" opens, due Tuesday 8 December
    await move(platform, clock, local(2026, 12, 1, 10))
    await applied(gateway, await post(gateway, f"/api/v1/jobseekers/{reg_a}/confirm", panzhou, {}))
    confirmed = await page(
        gateway, panzhou, reg_a, lambda p: p.get("status") == "confirmed" and len(p["obligations"]) == 5
    )
    assert confirmed["handled_on_time"] is True and confirmed["grade"] == "short"
    assert confirmed["told"]["zh"]
    dues = {(o["programme"], o["service"]): o["due"] for o in confirmed["obligations"].values()}
    assert dues[("1311", "briefing")] == "2026-12-08"
    assert dues[("short", "recommendation")] == "2026-12-30"  # one month after 30 November

    for day, service in ((2, "briefing"), (3, "guidance"), (4, "training")):
        await move(platform, clock, local(2026, 12, day, 15))
        await applied(
            gateway, await post(gateway, f"/api/v1/jobseekers/{reg_a}/services", panzhou, {"service": service})
        )
    seen_at = local(2026, 12, 7, 11)
    await move(platform, clock, seen_at)
    await send(
        platform,
        [
            js.RecordRecommendationSeen(
                id=f"seen-{reg_a}-{job}",
                at=seen_at,
                county="panzhou",
                registration_id=reg_a,
                job_ref=job,
                channel="kiosk",
            )
            for job in ("job-1", "job-2", "job-2", "job-3")
        ],
    )
    done = await page(gateway, panzhou, reg_a, lambda p: all(o["status"] == "met" for o in p["obligations"].values()))
    assert all(o["on_time"] for o in done["obligations"].values())

    # Monday 7 December, 23:59: B's "1311" is due today, not yet overdue
    await move(platform, clock, local(2026, 12, 7, 23, 59))
    due_today = await board(gateway, shuicheng, "shuicheng")
    assert ("1311", "briefing") in services_of(due_today["due_today"], reg_b)
    assert services_of(due_today["overdue"], reg_b) == []

    # local midnight of Tuesday 8 December: overdue, on 水城区's board only
    await move(platform, clock, local(2026, 12, 8, 0, 0, 30))

    async def lapsed() -> dict[str, Any] | None:
        found = await board(gateway, shuicheng, "shuicheng")
        return found if len(services_of(found["overdue"], reg_b)) == 4 else None

    overdue = await eventually(lapsed, what="B's 1311 overdue")
    assert services_of(overdue["overdue"], reg_b) == [
        ("1311", "briefing"),
        ("1311", "guidance"),
        ("1311", "recommendation"),
        ("1311", "training"),
    ]
    assert overdue["county_zh"] == "水城区"
    pz = await board(gateway, panzhou, "panzhou")
    assert services_of(pz["overdue"], reg_b) == [] and [r for r in pz["overdue"] if r["registration_id"] == reg_a] == []
    assert services_of(pz["done"], reg_a) == [
        ("1311", "briefing"),
        ("1311", "guidance"),
        ("1311", "recommendation"),
        ("1311", "training"),
        ("short", "recommendation"),
    ]
    response = await gateway.get("/api/v1/jobseekers?county=shuicheng", headers=headers(panzhou))
    assert response.status == 403

    # no raw ID number in the facts
    raw = b"".join(m.value for m in await read_topic(platform.kafka_bootstrap, platform.topic(topics.JOBSEEKER_EVENTS)))
    assert id_a.encode() not in raw and id_b.encode() not in raw
