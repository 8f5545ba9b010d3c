"""The framework's ceiling: a bare aiohttp server whose one handler only parses the JSON body and answers.

Run as ``python -m tests.benchmarks.perf.bare_http PORT``. Same loop (uvloop), same server options, the same
``reuse_port`` and the same garbage-collector setting (``LINGONG_GC_YOUNG_THRESHOLD``) as the gateway, so the
ratio gateway / bare measures what the gateway itself adds.
"""

from __future__ import annotations

import json
import sys

from aiohttp import web


async def accept(request: web.Request) -> web.Response:
    """Parse the JSON body; 400 if it is not JSON; else 202 with a small JSON answer."""
    try:
        body = json.loads(await request.read())
    except ValueError:
        return web.json_response({"error": "body_json"}, status=400)
    return web.json_response({"status": "accepted", "fields": len(body)}, status=202)


def main() -> None:
    import os

    import uvloop

    from services.adapters import gc_tuning
    from services.settings import Settings

    uvloop.install()
    gc_tuning.apply(Settings.from_environ(os.environ).gc_young_threshold)
    app = web.Application()
    app.router.add_post("/api/v1/checkins", accept)
    print("bare aiohttp ready", flush=True)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), reuse_port=True, access_log=None, print=None)


if __name__ == "__main__":
    main()
