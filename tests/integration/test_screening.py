"""Posting screening at the gateway: refusals are a 422 naming the field and the rule; review flags travel
on the command to Kafka."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable

import msgspec
from aiohttp.test_utils import TestClient

from deploy.local.demo import wait_for_credentials
from gateway.main import create_app
from services import topics
from services.adapters.registry import register_credential
from services.market import records
from services.settings import Settings
from tests.conftest import TEST_NOW, take_lane
from tests.integration.conftest import auth, job_body
from tests.support.kafka_reader import read_topic


async def test_men_only_posting_is_refused_naming_field_and_rule(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    market, _ = lane
    body = job_body(market, "porter", description="搬运水泥，限男性，日结")
    response = await gateway.post("/api/v1/job-requests", json=body, headers=auth(credentials["employer"]))
    assert response.status == 422
    answer = await response.json()
    assert [(e["field"], e["rule"]) for e in answer["errors"]] == [("description", "discrimination_gender")]
    assert "“限男性”" in answer["errors"][0]["message_zh"] and '"限男性"' in answer["errors"][0]["message_en"]


async def test_men_only_is_accepted_for_underground_mining(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    market, _ = lane
    body = job_body(market, "miner", description="矿山井下作业，限男性，持矿山特种作业证", day_wage=300)
    response = await gateway.post("/api/v1/job-requests", json=body, headers=auth(credentials["employer"]))
    assert response.status == 202, await response.text()


async def test_wage_below_the_minimum_is_refused(gateway: TestClient, credentials: dict[str, str]) -> None:
    body = job_body("zs-market", "porter", day_wage=120, hours=8)
    response = await gateway.post("/api/v1/job-requests", json=body, headers=auth(credentials["employer"]))
    assert response.status == 422
    (error,) = (await response.json())["errors"]
    assert (error["field"], error["rule"]) == ("day_wage", "wage_below_minimum")


async def test_a_zhongshan_wage_lawful_only_in_a_lower_class_county_is_refused_naming_the_county(
    gateway: TestClient, credentials: dict[str, str]
) -> None:
    """150 yuan for 8 hours: above class 3 (137.6 yuan) but below 钟山区's class 1 (156.8 yuan)."""
    _, trade = take_lane("lz-market")
    accepted = await gateway.post(
        "/api/v1/job-requests",
        json=job_body("lz-market", trade, day_wage=150, hours=8, place="六枝特区平寨镇"),
        headers=auth(credentials["employer"]),
    )
    assert accepted.status == 202, await accepted.text()
    refused = await gateway.post(
        "/api/v1/job-requests",
        json=job_body("zs-market", trade, day_wage=150, hours=8),
        headers=auth(credentials["employer"]),
    )
    assert refused.status == 422
    (error,) = (await refused.json())["errors"]
    assert (error["field"], error["rule"]) == ("day_wage", "wage_below_minimum")
    assert "钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元" in error["message_zh"]
    assert "Zhongshan District minimum wage 19.6 yuan/hour × 8 hours = 156.8 yuan" in error["message_en"]


async def test_review_flags_travel_on_the_command(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    platform: Settings,
    credentials: dict[str, str],
    lane: tuple[str, str],
) -> None:
    """A wage far above usual, and the third posting within the window when the burst limit is 2."""
    settings = dataclasses.replace(platform, posting_burst_max=2, posting_burst_window_seconds=3600)
    client = await aiohttp_client(create_app(settings, clock=lambda: TEST_NOW))
    market, trade = lane
    employer = await _fresh_employer(platform)
    ids = []
    for wage in (220, 220, 2000):
        response = await client.post(
            "/api/v1/job-requests", json=job_body(market, trade, day_wage=wage), headers=auth(employer)
        )
        assert response.status == 202, await response.text()
        ids.append((await response.json())["request_id"])
    posted: dict[str, records.PostJobRequest] = {}
    for message in await read_topic(platform.kafka_bootstrap, platform.topic(topics.MARKET_COMMANDS)):
        try:
            record = records.decode_command(message.value or b"")
        except msgspec.DecodeError:  # other tests put poison records here on purpose
            continue
        if isinstance(record, records.PostJobRequest) and record.id in ids:
            posted[record.id] = record
    assert [posted[i].review_flags for i in ids] == [(), (), ("wage_above_usual", "posting_burst")]


async def _fresh_employer(settings: Settings) -> str:
    """An employer of its own, so postings of other tests do not count toward its burst window."""
    subject = f"e-burst-{uuid.uuid4().hex[:8]}"
    token = await register_credential(settings, role="employer", subject_id=subject, display_name="突发测试单位")
    await wait_for_credentials(settings, [token])
    return token
