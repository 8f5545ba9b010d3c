"""A process's ``/metrics`` endpoint: Prometheus' text format of one registry, served by a thread of its own.

Each process (gateway, stream worker, projector) keeps its series in its own
:class:`prometheus_client.CollectorRegistry` and serves it with :func:`serve` on ``metrics_host`` and its kind's
port (``Settings.*_metrics_port``). The server is prometheus-client's WSGI server in a daemon thread: a scrape
never waits for the process's event loop (a stuck loop still shows its last figures) and costs the loop nothing.

Contract: :func:`serve` never stops the process. Port 0 means no endpoint; a port that cannot be bound (another
process of the same kind on the host already holds it) is logged as an error and the process goes on without
``/metrics`` — the scraper then reports the target down, which is the alert an operator needs.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from prometheus_client import CollectorRegistry, start_http_server

log = logging.getLogger("lingong.metrics")


class _Server(Protocol):
    def shutdown(self) -> None: ...

    def server_close(self) -> None: ...


class MetricsEndpoint:
    """A running ``/metrics`` server; :meth:`close` stops it (tests, and a clean process exit)."""

    def __init__(self, server: _Server, thread: threading.Thread, host: str, port: int) -> None:
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(registry: CollectorRegistry, host: str, port: int, what: str) -> MetricsEndpoint | None:
    """Serve ``registry`` at ``http://host:port/metrics``; ``None`` when ``port`` is 0 or cannot be bound."""
    if port == 0:
        log.info("%s: no /metrics (port 0)", what)
        return None
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        log.error("%s: cannot serve /metrics on %s:%d (%s); running without metrics", what, host, port, error)
        return None
    log.info("%s: /metrics on http://%s:%d/metrics", what, host, port)
    return MetricsEndpoint(server, thread, host, port)
