"""The remembering partitioner gives Kafka's default partition (services/adapters/partitioner.py)."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from services.adapters.partitioner import CachedPartitioner

PARTITIONS = st.integers(min_value=1, max_value=64).map(lambda n: list(range(n)))


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=50), PARTITIONS)
def test_every_key_lands_where_the_default_partitioner_puts_it(keys: list[bytes], partitions: list[int]) -> None:
    cached, default = CachedPartitioner(size=8), DefaultPartitioner()
    for key in keys + keys:  # seen and unseen, past the cache's size
        assert cached(key, partitions, partitions) == default(key, partitions, partitions)


def test_a_full_cache_starts_over() -> None:
    cached = CachedPartitioner(size=2)
    for key in (b"a", b"b", b"c"):
        cached(key, [0, 1, 2], [0, 1, 2])
    assert len(cached._hashes) == 1


def test_no_key_goes_to_an_available_partition() -> None:
    cached = CachedPartitioner()
    assert {cached(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert {cached(None, [0, 1], []) for _ in range(50)} <= {0, 1}
