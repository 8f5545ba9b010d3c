"""Two projector processes writing one view from different partitions lose no update
(projector/app.py).

The quota board (like a county's figures) is written from several partitions, and during ``lingong rebuild``
two projectors own those partitions at once. This test makes the race happen every time on the real Redis: the
first projector's batch reads the board, then — before its transaction is executed — the second projector
applies a batch of another partition to the same board. The first transaction must fail on the watched board
and be applied again on top of the second's write: both counties' policies are on the board.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from projector import app as projector_module
from projector.app import Projector
from services import topics
from services.fairs import records as f
from services.readmodels.fair_views import quota_board_key
from services.readmodels.views import load
from services.settings import Settings

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _policy_set(county: str, warn_hour: int) -> bytes:
    fact = f.QuotaPolicySet(
        id=str(uuid.uuid4()),
        at=AT,
        county=county,
        command_id=str(uuid.uuid4()),
        officer_id=f"officer-{county}",
        policy=f.QuotaPolicy(warn_hour=warn_hour),
    )
    return f.encode(fact)


def _record(topic: str, partition: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic,
        partition=partition,
        offset=0,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(value),
        headers=(),
    )


async def test_a_second_projector_writing_the_same_view_in_between_loses_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = dataclasses.replace(settings, topic_prefix=f"shared{uuid.uuid4().hex[:6]}.")
    topic = own.topic(topics.FAIR_EVENTS)
    redis = aioredis.Redis.from_url(own.redis_url)
    first, second = Projector(own, redis), Projector(own, redis)
    zhongshan = {TopicPartition(topic, 0): [_record(topic, 0, _policy_set("zhongshan", 9))]}
    panzhou = {TopicPartition(topic, 1): [_record(topic, 1, _policy_set("panzhou", 10))]}

    real_read = projector_module._read_views
    interleaved: list[bool] = []

    async def read_then_let_the_other_write(*args: Any) -> tuple[list[Any], dict[str, Any]]:
        answer = await real_read(*args)
        if not interleaved:  # only the first projector's first attempt is overtaken
            interleaved.append(True)
            await second.project_batches(panzhou)
        return answer

    monkeypatch.setattr(projector_module, "_read_views", read_then_let_the_other_write)
    try:
        await first.project_batches(zhongshan)
        board = load(await redis.get(quota_board_key(own.topic_prefix)))
    finally:
        await redis.aclose()
    assert interleaved, "the second projector never wrote in between"
    assert board is not None
    policies: dict[str, Any] = board["policies"]
    assert sorted(policies) == ["panzhou", "zhongshan"], policies
    assert (policies["zhongshan"]["warn_hour"], policies["panzhou"]["warn_hour"]) == (9, 10)
    assert (first.projected, second.projected) == (1, 1)
