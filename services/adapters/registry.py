"""Issuing credentials: a kiosk device token bound to a market, or an employer API token.

The token is returned once to the caller and never stored: only its SHA-256 goes to the ``registry`` topic
(compacted, keyed by the hash), from which the projector fills the gateway's lookup in Redis.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Literal

from aiokafka import AIOKafkaProducer

from services import records, topics
from services.settings import Settings


async def register_credential(
    settings: Settings,
    *,
    role: Literal["kiosk", "employer"],
    subject_id: str,
    display_name: str,
    market_id: str | None = None,
    token: str | None = None,
) -> str:
    """Publish a credential and return its token (``token`` may be given, e.g. for fixed demo tokens)."""
    token = token or secrets.token_urlsafe(24)
    digest = hashlib.sha256(token.encode()).hexdigest()
    record = records.DeviceRegistered(
        id=records.derived_id("credential", digest),
        at=datetime.now(UTC),
        token_sha256=digest,
        role=role,
        subject_id=subject_id,
        display_name=display_name,
        market_id=market_id,
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(settings.topic(topics.REGISTRY), records.encode(record), key=digest.encode())
    finally:
        await producer.stop()
    return token
