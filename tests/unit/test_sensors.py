"""The stream worker starts without Faust's per-event statistics (streams/sensors.py)."""

from __future__ import annotations

import asyncio

from services.settings import Settings
from streams.app import create_app


def test_the_monitor_is_not_among_the_sensors_once_the_app_starts() -> None:
    async def start() -> tuple[bool, bool]:
        app = create_app(Settings())
        app.on_init_dependencies()  # what Faust calls when the app starts: adds its Monitor, then ours drops it
        return app.monitor in set(app.sensors), app.monitor is not None

    dropped_from_sensors, monitor_kept = asyncio.run(start())
    assert not dropped_from_sensors
    assert monitor_kept  # the consumer still reports end offsets and commits to it directly
