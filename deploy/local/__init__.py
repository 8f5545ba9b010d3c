"""The local stack: Redis and a single-node Kafka broker started from Python, plus the app processes.

``lingong`` (:mod:`deploy.local.cli`) drives it; the test fixtures use
:class:`~deploy.local.kafka_broker.KafkaBroker` and :class:`~deploy.local.redis_server.RedisServer`
directly, on free ports in temporary directories.
"""
