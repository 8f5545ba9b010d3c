"""The stream worker's series: commands processed, facts published (offers, placements...), dead letters, the
batches' sizes, the market clock's ticks, and the consumer lag of every partition it is assigned.

- ``lingong_stream_commands_total{agent}``: records an agent took and handled (applied or dead-lettered).
- ``lingong_stream_facts_total{fact}``: the market's facts as they were handed to the producer, by type
  (``OfferMade`` are the offers, ``PlacementStarted`` the placements): counted where they are sent, not where
  they are decided, so that a market restored from its journal (which decides its commands again and drops
  their outputs) is not counted twice; a batch the broker refused and that was sent again is.
- ``lingong_stream_dead_letters_total{agent}``: records sent to ``dead-letters``.
- ``lingong_stream_batch_size{agent}``: records per batch an agent took.
- ``lingong_market_ticks_total``: ticks the market clock sent (streams/ticker.py).
- ``lingong_stream_consumer_lag{topic,partition}``: for every partition of an agent's topic assigned to this
  worker, the partition's high watermark (aiokafka's ``highwater``, through Faust's consumer) less the next
  offset an agent will handle (what the writers handled last, else the consumer's ``position``), refreshed every
  :data:`LAG_REFRESH_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: How often the lag gauges are refreshed.
LAG_REFRESH_SECONDS = 5.0

#: Batch size buckets (records).
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


class StreamMetrics:
    """One stream worker's series, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "lingong_stream_commands",
            "Records an agent took and handled (applied or dead-lettered).",
            ["agent"],
            registry=self.registry,
        )
        self.facts = Counter(
            "lingong_stream_facts",
            "Market facts handed to the producer, by type (OfferMade: offers; PlacementStarted: placements).",
            ["fact"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "lingong_stream_dead_letters",
            "Records sent to dead-letters, by agent.",
            ["agent"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "lingong_stream_batch_size",
            "Records per batch an agent took.",
            ["agent"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.ticks = Counter(
            "lingong_market_ticks",
            "Ticks the market clock sent to markets with something due.",
            registry=self.registry,
        )
        self.lag = Gauge(
            "lingong_stream_consumer_lag",
            "Records of an assigned partition not yet handled: high watermark less the next offset to handle.",
            ["topic", "partition"],
            registry=self.registry,
        )
        self._lag_labels: set[tuple[str, str]] = set()

    def took(self, agent: str, count: int) -> None:
        """An agent handled a batch of ``count`` records."""
        self.commands.labels(agent).inc(count)
        self.batch_size.labels(agent).observe(count)

    def dead_lettered(self, agent: str) -> None:
        """An agent sent a record to ``dead-letters``."""
        self.dead_letters.labels(agent).inc()

    def set_lag(self, lags: Iterable[tuple[str, int, int]]) -> None:
        """Replace the lag gauges by ``(topic, partition, lag)``: partitions no longer assigned disappear."""
        seen: set[tuple[str, str]] = set()
        for topic, partition, lag in lags:
            labels = (topic, str(partition))
            self.lag.labels(*labels).set(lag)
            seen.add(labels)
        for gone in self._lag_labels - seen:
            self.lag.remove(*gone)
        self._lag_labels = seen


class CountingTopic:
    """A topic (anything with ``await send(key=, value=, ...)``) whose sends are counted on ``counter``."""

    __slots__ = ("_counter", "_topic", "name")

    def __init__(self, topic: Any, counter: Any) -> None:
        self._topic = topic
        self._counter = counter
        self.name: str = getattr(topic, "name", "")

    async def send(self, **kwargs: Any) -> Any:
        result = await self._topic.send(**kwargs)
        self._counter.inc()
        return result


class FactTopics:
    """Per fact type, the market-events topic counting that type's sends on ``lingong_stream_facts_total``."""

    def __init__(self, topic: Any, metrics: StreamMetrics) -> None:
        self._topic = topic
        self._metrics = metrics
        self._by_type: dict[type, CountingTopic] = {}

    def __call__(self, fact: object) -> CountingTopic:
        kind = type(fact)
        found = self._by_type.get(kind)
        if found is None:
            found = self._by_type[kind] = CountingTopic(self._topic, self._metrics.facts.labels(kind.__name__))
        return found


async def consumer_lags(
    assigned: Iterable[Any],
    topics: frozenset[str],
    highwater: Callable[[Any], int | None],
    handled: dict[tuple[str, int], int],
    position: Callable[[Any], Awaitable[int | None]],
) -> list[tuple[str, int, int]]:
    """``(topic, partition, lag)`` of every assigned partition of ``topics`` whose high watermark is known: the
    high watermark less the next offset an agent handles (``handled``, else the consumer's fetch position)."""
    lags: list[tuple[str, int, int]] = []
    for tp in assigned:
        if tp.topic not in topics:
            continue
        high = highwater(tp)
        if high is None:
            continue
        following = handled.get((tp.topic, tp.partition))
        if following is None:
            following = await position(tp)
            if following is None:
                continue
        lags.append((tp.topic, tp.partition, max(0, high - following)))
    return lags
