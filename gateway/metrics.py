"""The gateway's series: requests by route, method and status, their latency, the broker's acknowledgements.

``lingong_gateway_requests_total`` and ``lingong_gateway_request_seconds`` are labelled by the route's pattern
(``/api/v1/checkins``, ``/tickets/{checkin_id}``: never a path with an id in it, so the series stay few),
``unmatched`` for a path no route serves; 503s (broker or Redis unavailable) are the ``status="503"`` series.
``lingong_gateway_produce_seconds`` times each record from ``Publisher.publish`` to the broker's
acknowledgement; ``lingong_gateway_produce_failures_total`` counts the records that got none in time (each one
a 503 answered). Served on ``gateway_metrics_port`` by ``python -m gateway`` (services/adapters/metrics.py).
"""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram

#: Methods kept as their own label value; anything else is ``other`` (a client must not mint series).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

#: Request latency buckets (seconds): a 202 is a few milliseconds, a 503 waits up to the produce timeout.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    """One gateway app's series, in a registry of their own (several apps may live in one test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lingong_gateway_requests",
            "HTTP requests answered, by route pattern, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lingong_gateway_request_seconds",
            "Time from a request's arrival to its answer, by route pattern, method and status.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.produce = Histogram(
            "lingong_gateway_produce_seconds",
            "Time from publishing a command to the broker's acknowledgement (acks=all).",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.produce_failures = Counter(
            "lingong_gateway_produce_failures",
            "Commands the broker did not acknowledge in time (each answered 503).",
            registry=self.registry,
        )
        #: The children of each label set seen (prometheus-client checks and locks on every ``labels()`` call).
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def answered(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method if method in METHODS else "other", status)
        children = self._children.get(key)
        if children is None:
            labels = (key[0], key[1], str(status))
            children = self._children[key] = (self.requests.labels(*labels), self.latency.labels(*labels))
        children[0].inc()
        children[1].observe(seconds)

    def produced(self, seconds: float) -> None:
        self.produce.observe(seconds)

    def produce_failed(self) -> None:
        self.produce_failures.inc()


def route_of(request: web.Request) -> str:
    """The pattern of the route that serves ``request`` (``unmatched`` when none does)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def middleware(metrics: GatewayMetrics) -> Middleware:
    """The outermost middleware: counts and times every answer, error answers and raised HTTP errors included."""

    @web.middleware
    async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            metrics.answered(route_of(request), request.method, status, time.perf_counter() - started)

    return metrics_middleware
