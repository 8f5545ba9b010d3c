"""``python -m streams worker``: run the stream worker with settings from the environment.

Faust's web server is off unless asked for (``--with-web``): several workers share one host.
"""

from __future__ import annotations

import os
import sys

from services.adapters import gc_tuning
from services.settings import Settings
from streams.app import create_app


def main() -> None:
    settings = Settings.from_environ(os.environ)
    try:
        import uvloop

        uvloop.install()  # before the app exists: Faust takes the loop of the installed policy
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        pass
    app = create_app(settings)
    gc_tuning.apply(settings.gc_young_threshold)
    if len(sys.argv) > 1 and sys.argv[1] == "worker" and not any(a.startswith("--with") for a in sys.argv):
        sys.argv.append("--without-web")
    app.main()


if __name__ == "__main__":
    main()
