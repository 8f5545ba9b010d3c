"""The leak test, run last in the session (the module name sorts last): after every other integration test
has posted its ID numbers and phone numbers, and after this test posts more of its own, no raw ID number and no
raw phone number is in any Kafka topic (every partition, keys and values), any Redis key or value (every type),
or any log file of the stack (stream worker, projector, broker, Redis, the in-process gateways).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from services import forms
from services.readmodels import keys
from services.settings import Settings
from tests.integration import account_support
from tests.integration.account_support import PASSWORD, bearer, new_phone, register_individual, sign_in
from tests.integration.conftest import auth, check_in_body
from tests.support import stack
from tests.support.kafka_reader import all_topics, read_topic
from tests.support.leaks import Hit, needles_of, scan
from tests.support.waiting import eventually


async def _post_personal_data(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], number: str
) -> str:
    """Real ID and phone numbers through every door that takes them; the account id of the individual."""
    market, trade = lane
    checked_in = await gateway.post(
        "/api/v1/checkins", json=check_in_body(f" {number.lower()} ", trade), headers=auth(credentials[market])
    )
    assert checked_in.status == 202
    ticket = await checked_in.json()
    person_number, _, person = await register_individual(gateway, "泄漏测试个人")
    await sign_in(gateway, person_number)
    refused = await gateway.post("/api/v1/sessions", json={"login": new_phone(), "password": "wrong-password"})
    assert refused.status == 401
    staff = {"login": "leak.officer", "name": "测试", "password": PASSWORD, "role": "officer", "county": "panzhou"}
    created = await gateway.post(
        "/api/v1/accounts", json={**staff, "phone": new_phone()}, headers=auth(credentials["admin"])
    )
    assert created.status in (200, 409)
    shown = await gateway.get(f"/api/v1/accounts/{person['account_id']}", headers=auth(credentials["admin"]))
    assert shown.status == 200

    async def staff_view() -> bool:
        answer = await gateway.get(
            f"/api/v1/staff/checkins/{ticket['checkin_id']}", headers=bearer(credentials["admin"])
        )
        return answer.status == 200

    await eventually(staff_view, what="check-in projected")
    return str(person["account_id"])


async def _redis_blobs(client: aioredis.Redis) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    async for key in client.scan_iter(count=1000):
        kind = (await client.type(key)).decode()
        if kind == "string":
            value = await client.get(key) or b""
        elif kind == "hash":
            value = b"\n".join(k + b"=" + v for k, v in (await client.hgetall(key)).items())
        elif kind == "set":
            value = b"\n".join(await client.smembers(key))
        elif kind == "zset":
            value = b"\n".join(m for m, _ in await client.zrange(key, 0, -1, withscores=True))
        elif kind == "list":
            value = b"\n".join(await client.lrange(key, 0, -1))
        elif kind == "stream":
            value = repr(await client.xrange(key)).encode()
        else:
            value = b""
        found.append((f"redis {kind} {key.decode(errors='replace')}", key + b"\n" + value))
    return found


async def test_no_raw_id_or_phone_number_anywhere_after_the_session(
    gateway: TestClient,
    credentials: dict[str, str],
    lane: tuple[str, str],
    id_number: str,
    platform: Settings,
    issued_id_numbers: set[str],
) -> None:
    account_id = await _post_personal_data(gateway, credentials, lane, id_number)
    client = aioredis.Redis.from_url(platform.redis_url)
    try:

        async def projected() -> bool:  # the projector has seen the account too (not only the write-through)
            offsets = [k async for k in client.scan_iter(match=f"{platform.topic_prefix}projector:offset:*registry*")]
            return bool(offsets) and await client.exists(keys.account(platform.topic_prefix, account_id)) == 1

        await eventually(projected, what="registry projected")
        redis_blobs = await _redis_blobs(client)
    finally:
        await client.aclose()

    numbers = issued_id_numbers | account_support.ISSUED_ID_NUMBERS | account_support.ISSUED_PHONES
    assert id_number in numbers and account_support.ISSUED_PHONES
    needles = needles_of(numbers)
    hits: list[Hit] = []
    records_scanned = 0
    for topic in await all_topics(platform.kafka_bootstrap):
        for message in await read_topic(platform.kafka_bootstrap, topic):
            records_scanned += 1
            blob = (message.key or b"") + b"\n" + (message.value or b"")
            hits.extend(scan(f"topic {topic}", blob, needles))
    for where, blob in redis_blobs:
        hits.extend(scan(where, blob, needles))
    logs = [Path(p) for p in stack.LOG_FILES if Path(p).is_file()]
    for path in logs:
        hits.extend(scan(f"log {path.name}", path.read_bytes(), needles))

    assert records_scanned > 0 and len(redis_blobs) > 0
    assert {p.name for p in logs} >= {"streams.log", "projector.log", "gateway.log"}, logs
    assert any(p.name == "gateway.log" and p.stat().st_size > 0 for p in logs)
    assert not hits, "personal data found:\n" + "\n".join(str(h) for h in hits[:20])


def _unfit_characters(text: str) -> set[str]:
    """Control characters (other than tab and line breaks) and bidirectional overrides or isolates in ``text``."""
    return {c for c in text if c in forms.BIDI_CONTROLS or (unicodedata.category(c) == "Cc" and c not in "\t\n\r")}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _texts(raw: bytes) -> list[str]:
    """The strings a stored value holds: a JSON value's strings (escapes decoded), else the bytes as text."""
    try:
        return _strings(json.loads(raw))
    except ValueError:
        return [raw.decode("utf-8", errors="replace")]


async def test_no_control_or_bidi_character_in_any_read_model_or_export_after_the_session(
    gateway: TestClient, credentials: dict[str, str], platform: Settings
) -> None:
    """After every other test (and the fuzz and hostile-body runs) posted what they could: every read model in
    Redis and every CSV export holds only text fit to show (services/forms.py)."""
    client = aioredis.Redis.from_url(platform.redis_url)
    found: list[str] = []
    try:
        async for key in client.scan_iter(match=f"{platform.topic_prefix}*", count=1000):
            kind = (await client.type(key)).decode()
            if kind == "string":
                values = [await client.get(key) or b""]
            elif kind == "hash":
                values = list((await client.hgetall(key)).values())
            else:
                continue
            for raw in values:
                for text in _texts(raw):
                    if _unfit_characters(text):
                        found.append(f"redis {key.decode(errors='replace')}: {text[:80]!r}")
    finally:
        await client.aclose()
    exports = ["/exports/supply.csv", "/exports/reports.csv?period=day", "/exports/lists.csv?list=looking"]
    for path in exports:
        answer = await gateway.get(path, headers=bearer(credentials["admin"]))
        assert answer.status == 200, (path, await answer.text())
        text = (await answer.read()).decode("utf-8-sig")
        if _unfit_characters(text):
            found.append(f"{path}: {sorted(_unfit_characters(text))}")
    assert not found, "text unfit to show:\n" + "\n".join(found[:20])
