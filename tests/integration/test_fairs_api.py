"""The organiser's fair API end to end: gateway → Kafka → fair agent → fair-events → projector → Redis."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaProducer

from services import records, topics
from services.fairs import records as fair_records
from services.people import identity
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.fair_support import (
    applied,
    credit,
    fair_client,
    fair_events,
    fair_view,
    headers,
    outcome,
    post,
)
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually

EMPLOYER = credit("91520200MA6DK0X4X")
TODAY = TEST_NOW.date().isoformat()  # 2026-11-26, 08:30 in Liupanshui


def _schedule(county: str = "shuicheng", **changes: Any) -> dict[str, Any]:
    return {
        "level": "county",
        "kind": "veterans",
        "county": county,
        "title": "退役军人专场招聘会",
        "venue": "水城区人力资源市场",
        "date": TODAY,
        "start": "09:00",
        "end": "12:00",
        "capacity": 200,
        **changes,
    }


async def _ready_fair(gateway: TestClient, organiser: str) -> str:
    scheduled = await post(gateway, "/api/v1/fairs", organiser, _schedule())
    fair_id: str = scheduled["fair_id"]
    await applied(gateway, scheduled)
    position = {
        "trade": "electrician",
        "headcount": 4,
        "wage_min": 3500,
        "wage_max": 5000,
        "wage_unit": "month",
    }
    body = {"credit_code": EMPLOYER, "name": "凉都电力工程公司", "booth": "B-07", "positions": [position]}
    await applied(gateway, await post(gateway, f"/api/v1/fairs/{fair_id}/employers", organiser, body))
    await applied(gateway, await post(gateway, f"/api/v1/fairs/{fair_id}/publish", organiser, {}))
    return fair_id


async def test_a_fair_day_counts_each_person_once_and_a_hire_needs_attendance(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    gateway, _ = await fair_client(aiohttp_client, platform, TEST_NOW)
    organiser = credentials["organiser"]
    fair_id = await _ready_fair(gateway, organiser)
    person, stranger = new_id_number(), new_id_number()
    path = f"/api/v1/fairs/{fair_id}"

    first = await post(gateway, f"{path}/attendance", organiser, {"id_number": person})
    assert first["worker_masked"] == identity.mask_id_number(person)
    await applied(gateway, first)
    twice = await outcome(gateway, await post(gateway, f"{path}/attendance", organiser, {"id_number": person}))
    assert twice["status"] == "refused" and twice["refusal"]["rule"] == "already_attended"

    hire = {"credit_code": EMPLOYER, "trade": "electrician", "wage": 4200, "wage_unit": "month"}
    refused = await outcome(gateway, await post(gateway, f"{path}/hires", organiser, {**hire, "id_number": stranger}))
    assert refused["status"] == "refused"
    assert refused["refusal"]["rule"] == "worker_not_attended"
    assert "没有在本场招聘会登记到场" in refused["refusal"]["message_zh"] and refused["refusal"]["message_en"]

    await applied(gateway, await post(gateway, f"{path}/employer-attendance", organiser, {"credit_code": EMPLOYER}))
    intent = {"credit_code": EMPLOYER, "trade": "electrician", "id_number": person}
    await applied(gateway, await post(gateway, f"{path}/intents", organiser, intent))
    placed = await applied(gateway, await post(gateway, f"{path}/hires", organiser, {**hire, "id_number": person}))
    assert "fair_placement_started" in placed["facts"]

    fair = await fair_view(gateway, fair_id, lambda v: v["counts"]["hires"] == 1)
    assert fair["counts"] == {
        "attendees": 1,
        "employers_registered": 1,
        "employers_attended": 1,
        "positions": 4,
        "intents": 1,
        "hires": 1,
    }
    assert fair["held"] is True and fair["status"] == "published" and person not in str(fair)

    # the hire is a placement on the fair stream, under the worker's pseudonym, counted once
    worker = identity.pseudonymise(person, platform.pseudonym_key)
    placements = [
        e
        for e in await fair_events(platform)
        if isinstance(e, fair_records.FairPlacementStarted) and e.fair_id == fair_id
    ]
    assert [(p.worker, p.employer_id, p.wage, p.wage_unit, p.day_wage) for p in placements] == [
        (worker, EMPLOYER, 4200, "month", None)
    ]
    raw = b"".join(m.value for m in await read_topic(platform.kafka_bootstrap, platform.topic(topics.FAIR_EVENTS)))
    assert person.encode() not in raw and stranger.encode() not in raw

    listed = await gateway.get("/api/v1/fairs", params={"county": "shuicheng", "week": "2026-W48"})
    assert fair_id in [f["fair_id"] for f in (await listed.json())["fairs"]]


async def test_unknown_fairs_counties_and_trades_get_clear_4xx(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    gateway, _ = await fair_client(aiohttp_client, platform, TEST_NOW)
    organiser = credentials["organiser"]

    unknown = await gateway.post(
        "/api/v1/fairs/no-such-fair/attendance",
        json={"id_number": new_id_number()},
        headers=headers(organiser),
    )
    body = await unknown.json()
    assert unknown.status == 404 and body["error"] == "fair_unknown" and body["message_zh"] and body["message_en"]
    assert (await gateway.get("/api/v1/fairs/no-such-fair")).status == 404

    county = await gateway.post("/api/v1/fairs", json=_schedule(county="guiyang"), headers=headers(organiser))
    body = await county.json()
    assert county.status == 422 and {(e["field"], e["rule"]) for e in body["errors"]} == {("county", "county_unknown")}
    board = await gateway.get("/api/v1/quotas", params={"county": "guiyang"}, headers=headers(credentials["officer"]))
    assert board.status == 422 and (await board.json())["rule"] == "county_unknown"

    fair_id = await _ready_fair(gateway, organiser)
    position = {"trade": "astronaut", "headcount": 1, "wage_min": 1, "wage_max": 2, "wage_unit": "day"}
    employer = {"credit_code": EMPLOYER, "name": "x", "booth": "C1", "positions": [position]}
    trade = await gateway.post(f"/api/v1/fairs/{fair_id}/employers", json=employer, headers=headers(organiser))
    body = await trade.json()
    assert trade.status == 422 and body["errors"][0]["field"] == "positions[0].trade"
    assert body["errors"][0]["rule"] == "trade_unknown" and body["errors"][0]["message_zh"]

    bad_code = EMPLOYER[:17] + ("0" if EMPLOYER[17] != "0" else "1")
    hire = {
        "id_number": new_id_number(),
        "credit_code": bad_code,
        "trade": "nope",
        "wage": 1,
        "wage_unit": "day",
    }
    answer = await gateway.post(f"/api/v1/fairs/{fair_id}/hires", json=hire, headers=headers(organiser))
    rules = {(e["field"], e["rule"]) for e in (await answer.json())["errors"]}
    assert answer.status == 422 and rules == {
        ("credit_code", "credit_code_check_character"),
        ("trade", "trade_unknown"),
    }

    off_menu = {
        "id_number": new_id_number(),
        "credit_code": EMPLOYER,
        "trade": "welder",
        "wage": 200,
        "wage_unit": "day",
    }
    await applied(gateway, await post(gateway, f"/api/v1/fairs/{fair_id}/attendance", organiser, off_menu))
    verdict = await outcome(gateway, await post(gateway, f"/api/v1/fairs/{fair_id}/hires", organiser, off_menu))
    assert verdict["refusal"]["rule"] == "trade_not_offered"

    wrong_role = await gateway.post("/api/v1/fairs", json=_schedule(), headers=headers(credentials["employer"]))
    assert wrong_role.status == 403
    assert (await gateway.get("/api/v1/quotas")).status == 401
    policy = await gateway.post("/api/v1/quotas/city/policy", json={}, headers=headers(organiser))
    assert policy.status == 403


async def test_a_poison_fair_command_is_dead_lettered_and_the_next_one_applied(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    gateway, _ = await fair_client(aiohttp_client, platform, TEST_NOW)
    poison = b'{"type":"schedule_fair","v":1,"id":"p-1","broken'
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(platform.topic(topics.FAIR_COMMANDS), poison, key=b"liuzhi")
    finally:
        await producer.stop()
    scheduled = await post(gateway, "/api/v1/fairs", credentials["organiser"], _schedule(county="liuzhi"))
    await applied(gateway, scheduled)

    async def letter() -> list[records.DeadLetter]:
        found = await read_topic(platform.kafka_bootstrap, platform.topic(topics.DEAD_LETTERS))
        return [d for d in map(lambda m: records.decode_dead_letter(m.value), found) if d.payload == poison]

    (dead,) = await eventually(letter, what="the poison fair command in dead-letters")
    assert dead.stage == "decode" and dead.source_topic == platform.topic(topics.FAIR_COMMANDS) and dead.reason
