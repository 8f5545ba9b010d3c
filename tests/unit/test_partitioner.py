"""The remembering partitioner gives Kafka's default partition (services/adapters/partitioner.py)."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given
from hypothesis import strategies as st

from services.adapters.partitioner import CachedPartitioner, murmur2

PARTITIONS = st.integers(min_value=1, max_value=64).map(lambda n: list(range(n)))


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=50), PARTITIONS)
def test_every_key_lands_where_the_default_partitioner_puts_it(keys: list[bytes], partitions: list[int]) -> None:
    cached, default = CachedPartitioner(size=8), DefaultPartitioner()
    for key in keys + keys:  # seen and unseen, past the cache's size
        assert cached(key, partitions, partitions) == default(key, partitions, partitions)


@given(st.binary(max_size=200))
def test_murmur2_is_aiokafkas(data: bytes) -> None:
    assert murmur2(data) == aiokafka_murmur2(data)


def test_murmur2_of_known_keys() -> None:
    """Values of the Java client's ``Utils.murmur2`` (its own unit test), as unsigned 32-bit numbers."""
    assert murmur2(b"21") & 0xFFFFFFFF == (-973932308) & 0xFFFFFFFF
    assert murmur2(b"foobar") & 0xFFFFFFFF == (-790332482) & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-long-string") & 0xFFFFFFFF == (-985981536) & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-longer-string") & 0xFFFFFFFF == (-1486304829) & 0xFFFFFFFF
    assert murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") & 0xFFFFFFFF == (-58897971) & 0xFFFFFFFF
    assert murmur2(b"abc") & 0xFFFFFFFF == 479470107


def test_a_full_cache_starts_over() -> None:
    cached = CachedPartitioner(size=2)
    for key in (b"a", b"b", b"c"):
        cached(key, [0, 1, 2], [0, 1, 2])
    assert len(cached._hashes) == 1


def test_no_key_goes_to_an_available_partition() -> None:
    cached = CachedPartitioner()
    assert {cached(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert {cached(None, [0, 1], []) for _ in range(50)} <= {0, 1}
