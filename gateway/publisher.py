"""The one place the gateway talks to Kafka: an idempotent producer with ``acks="all"``.

:meth:`Publisher.publish` returns only after the broker acknowledged the record, or raises
:class:`BrokerUnavailable` within ``produce_timeout_seconds``; the handler then answers 503 with
``Retry-After``. A record whose send timed out may still be delivered later: that is safe because command
ids are derived from the Idempotency-Key, so the client's retry is deduplicated downstream.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, OutOfOrderSequenceNumber

from services.adapters.partitioner import CachedPartitioner
from services.settings import Settings

log = logging.getLogger("lingong.gateway.publisher")


class BrokerUnavailable(Exception):
    """Kafka did not acknowledge in time; nothing may be answered with a 2xx."""


class Publisher:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._settings.gateway_linger_ms,
            request_timeout_ms=max(1000, int(self._settings.produce_timeout_seconds * 1000)),
            retry_backoff_ms=100,
            metadata_max_age_ms=30_000,
            partitioner=CachedPartitioner(),  # Kafka's default partitions; a retried command's key is hashed once
        )

    async def _ready(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        async with self._lock:
            if self._producer is None:
                producer = self._new_producer()
                try:
                    await asyncio.wait_for(producer.start(), self._settings.produce_timeout_seconds)
                except (TimeoutError, KafkaError, OSError) as error:
                    await _quietly_stop(producer)
                    raise BrokerUnavailable(f"cannot connect to Kafka: {error!r}") from error
                self._producer = producer
            return self._producer

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        """Send one record and wait for the broker's acknowledgement (all in-sync replicas)."""
        producer = await self._ready()
        try:
            async with asyncio.timeout(self._settings.produce_timeout_seconds):  # no extra task per record
                await producer.send_and_wait(topic, value=value, key=key)
        except OutOfOrderSequenceNumber as error:
            await self._reset(producer)
            raise BrokerUnavailable("producer sequence lost; producer re-created") from error
        except (TimeoutError, KafkaError) as error:
            raise BrokerUnavailable(f"Kafka did not acknowledge: {error!r}") from error

    async def ping(self) -> bool:
        """True when the producer is connected and knows the cluster."""
        try:
            producer = await self._ready()
        except BrokerUnavailable:
            return False
        return bool(producer.client.cluster.brokers())

    async def _reset(self, producer: AIOKafkaProducer) -> None:
        async with self._lock:
            if self._producer is producer:
                self._producer = None
        await _quietly_stop(producer)

    async def close(self) -> None:
        if self._producer is not None:
            await _quietly_stop(self._producer)
            self._producer = None


async def _quietly_stop(producer: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), 10)
    except Exception:
        log.warning("producer did not stop cleanly", exc_info=True)
