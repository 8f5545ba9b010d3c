"""``python -m gateway``: serve the gateway with settings from the environment."""

from __future__ import annotations

import logging
import os

from aiohttp import web

from gateway.main import create_app, server_options
from services.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_environ(os.environ)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        pass
    web.run_app(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        reuse_port=True,
        shutdown_timeout=10,
        access_log=None,
        **server_options(settings),
    )


if __name__ == "__main__":
    main()
