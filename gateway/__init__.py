"""The aiohttp gateway: authenticate, validate, pseudonymise, publish to Kafka, answer after the ack.

Stateless; run N of them. Its only state is in Redis (idempotency answers, read models) and Kafka.
"""
