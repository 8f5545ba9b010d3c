"""Kafka's default partitioner, remembering the hash of the keys it saw last.

aiokafka's :class:`~aiokafka.partitioner.DefaultPartitioner` computes murmur2 (the Java client's hash, so a key
lands on the partition every Kafka client picks) in pure Python on every record: 2-3 % of the stream worker's
CPU, most of it for the same few keys again and again (a market's id on every market command and fact, a
worker's on each step of their day). :class:`CachedPartitioner` gives the same partition for every key; it
only keeps the hashes of up to ``size`` keys, and forgets them all when full (no per-call bookkeeping).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from aiokafka.partitioner import murmur2

#: Keys remembered at most (a dict of this many bytes keys: a few MiB).
DEFAULT_SIZE = 65_536


class CachedPartitioner:
    """``partitioner(key, all_partitions, available)`` as aiokafka and Faust call it, with murmur2 remembered."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._hashes: dict[bytes, int] = {}

    def __call__(self, key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]) -> int:
        """The partition of ``key`` (``DefaultPartitioner``'s); a random available one for no key."""
        if key is None:
            # spreading records without a key, not a secret:
            return random.choice(available or all_partitions)  # nosec B311
        hashed = self._hashes.get(key)
        if hashed is None:
            if len(self._hashes) >= self._size:
                self._hashes.clear()
            hashed = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return all_partitions[hashed % len(all_partitions)]
