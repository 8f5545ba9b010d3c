"""``python -m tests.faults.worker_without_dedup worker -l info``: a stream worker whose market and roster agents
apply a command id they have already applied, for tests/faults/test_checker_without_dedup.py only.

The platform has no setting or command for this (``python -m streams`` always deduplicates): the switch is the
``deduplicate`` argument of :func:`streams.app.create_app`, and only this test entry point passes False.
"""

from __future__ import annotations

import os
import sys

from services.settings import Settings
from streams.app import create_app


def main() -> None:
    """Run the worker with the environment's settings, deduplication off, Faust's web server off."""
    app = create_app(Settings.from_environ(os.environ), deduplicate=False)
    if "--without-web" not in sys.argv:
        sys.argv.append("--without-web")
    app.main()


if __name__ == "__main__":
    main()
