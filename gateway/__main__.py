"""``python -m gateway``: serve the gateway with settings from the environment; SIGTERM or SIGINT drains it
(gateway/drain.py) and the process exits 0."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from aiohttp import web

from gateway import drain
from gateway.main import create_app, server_options
from gateway.typedefs import METRICS
from services.adapters import gc_tuning, kafka_connection, metrics
from services.settings import Settings


async def serve(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then drain and clean up."""
    app = create_app(settings)
    draining = drain.install(app)
    runner = web.AppRunner(
        app, handle_signals=False, access_log=None, shutdown_timeout=drain.DRAIN_SECONDS, **server_options(settings)
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.gateway_host, settings.gateway_port, reuse_port=True)
    await site.start()
    print(f"======== Running on http://{settings.gateway_host}:{settings.gateway_port} ========", flush=True)
    endpoint = metrics.serve(app[METRICS].registry, settings.metrics_host, settings.gateway_metrics_port, "gateway")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await draining.stop(site, runner)
    if endpoint is not None:
        endpoint.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_environ(os.environ)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        pass
    kafka_connection.apply()  # on uvloop: a write to a connection the broker closed is a connection error
    gc_tuning.apply(settings.gc_young_threshold)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
