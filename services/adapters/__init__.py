"""I/O adapters of the core: Kafka and Redis. The only part of ``services/`` allowed to import them."""
