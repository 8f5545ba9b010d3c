"""The raw ID number appears nowhere in any topic's bytes (commands, events, changelogs) or in Redis."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from services.people import identity
from services.settings import Settings
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.kafka_reader import all_topics, read_topic
from tests.support.waiting import eventually


async def test_raw_id_number_is_nowhere_in_kafka_or_redis(
    gateway: TestClient,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
    platform: Settings,
    issued_id_numbers: set[str],
) -> None:
    market, trade = lane
    # Lower-case x and surrounding spaces are accepted, so try the variants a kiosk may send too.
    response = await gateway.post(
        "/api/v1/checkins",
        json=check_in_body(f" {id_number.lower()} ", trade),
        headers=auth(credentials[market]),
    )
    assert response.status == 202
    ticket = await response.json()
    await gateway.post("/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"]))

    async def offered() -> bool:
        r = await gateway.get(ticket["status_url"])
        return r.status == 200 and (await r.json())["status"] == "offered"

    await eventually(offered, what="offer")

    needles = {n.encode() for n in issued_id_numbers} | {n.lower().encode() for n in issued_id_numbers}
    scanned = 0
    for topic in await all_topics(platform.kafka_bootstrap):
        for message in await read_topic(platform.kafka_bootstrap, topic):
            blob = (message.key or b"") + (message.value or b"")
            scanned += 1
            assert not any(n in blob for n in needles), f"raw ID number found in topic {topic}"
    assert scanned > 0

    client = aioredis.Redis.from_url(platform.redis_url)
    try:
        keys_seen = 0
        async for key in client.scan_iter(count=500):
            keys_seen += 1
            kind = await client.type(key)
            value = await client.get(key) if kind == b"string" else repr(await client.dump(key)).encode()
            assert not any(n in key or n in (value or b"") for n in needles), f"raw ID number in Redis key {key!r}"
        assert keys_seen > 0
    finally:
        await client.aclose()

    pseudonym = identity.pseudonymise(id_number, platform.pseudonym_key)
    assert pseudonym.startswith("w_") and id_number not in pseudonym
