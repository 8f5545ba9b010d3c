"""Issuing credentials and accounts outside the gateway: a kiosk device token bound to a market, an employer
or staff API token, and the first city administrator's account (``lingong create-admin``).

A token is returned once to the caller and never stored: only its SHA-256 goes to the ``registry`` topic
(compacted, keyed by the hash), from which the projector fills the gateway's lookup in Redis. An account
record carries the argon2 hash of the password only (keyed ``account:<account_id>``).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from services import topics
from services.people import accounts, records
from services.records import derived_id, encode
from services.settings import Settings


async def _publish(settings: Settings, key: str, record: records.RegistryRecord) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(settings.topic(topics.REGISTRY), encode(record), key=key.encode())
    finally:
        await producer.stop()


async def register_credential(
    settings: Settings,
    *,
    role: records.AccountRole,
    subject_id: str,
    display_name: str,
    market_id: str | None = None,
    token: str | None = None,
    county: str | None = None,
) -> str:
    """Publish a credential and return its token (``token`` may be given, e.g. for fixed demo tokens)."""
    token = token or secrets.token_urlsafe(24)
    digest = hashlib.sha256(token.encode()).hexdigest()
    record = records.DeviceRegistered(
        id=derived_id("credential", digest),
        at=datetime.now(UTC),
        token_sha256=digest,
        role=role,
        subject_id=subject_id,
        display_name=display_name,
        market_id=market_id,
        county=county,
    )
    await _publish(settings, digest, record)
    return token


async def create_admin(settings: Settings, *, login: str, display_name: str, password: str) -> str:
    """Publish a city administrator's account and return its id. The password is hashed here (argon2id);
    raises :class:`~services.errors.InvalidInput` on a bad login or password."""
    new = accounts.parse_staff_account(
        {"login": login, "name": display_name, "password": password, "role": "admin"}, key=settings.pseudonym_key
    )
    assert new.password is not None
    record = accounts.registered(
        new, record_id=str(uuid.uuid4()), at=datetime.now(UTC), password_hash=accounts.hash_password(new.password)
    )
    await _publish(settings, f"account:{record.account_id}", record)
    return record.account_id
