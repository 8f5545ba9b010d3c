"""The projector's series, read from the running :class:`projector.app.Projector` when scraped.

- ``lingong_projector_facts_total``: facts written to the read models (``Projector.projected``);
- ``lingong_projector_skipped_total``: facts that could not be decoded and were skipped (each one logged);
- ``lingong_projector_lag{topic,partition}``: per assigned partition, its high watermark (aiokafka's
  ``highwater``) less the next offset the projector writes (the offset Redis holds after its last write or seek).

Read at scrape time, in the metrics server's thread: the projector's loop does no work for them. A partition
whose high watermark is not known yet (nothing fetched since assignment) has no lag series.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class ProjectorCollector(Collector):
    """The series of one projector (anything with ``projected``, ``skipped``, ``expected`` and ``consumer``)."""

    def __init__(self, projector: Any) -> None:
        self._projector = projector

    def collect(self) -> Iterator[Metric]:
        projector = self._projector
        yield CounterMetricFamily(
            "lingong_projector_facts", "Facts written to the read models.", value=projector.projected
        )
        yield CounterMetricFamily(
            "lingong_projector_skipped", "Facts that could not be decoded and were skipped.", value=projector.skipped
        )
        lag = GaugeMetricFamily(
            "lingong_projector_lag",
            "Records of an assigned partition not yet written: high watermark less the next offset to write.",
            labels=["topic", "partition"],
        )
        for tp, following in _snapshot(projector.expected):
            try:
                high = projector.consumer.highwater(tp)
            except Exception:  # no longer assigned (a rebalance in the loop's thread): no figure
                continue
            if high is not None:
                lag.add_metric([tp.topic, str(tp.partition)], max(0, high - (following or 0)))
        yield lag


def _snapshot(expected: dict[Any, int | None]) -> list[tuple[Any, int | None]]:
    """A copy of the loop's dict, taken from another thread (retried if it changed size meanwhile)."""
    for _ in range(5):
        try:
            return list(expected.items())
        except RuntimeError:
            continue
    return []


def registry_of(projector: Any) -> CollectorRegistry:
    """A registry holding the projector's series."""
    registry = CollectorRegistry()
    registry.register(ProjectorCollector(projector))
    return registry
