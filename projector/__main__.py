"""``python -m projector``: run the read-model projector with settings from the environment."""

from __future__ import annotations

from projector.app import main

if __name__ == "__main__":
    main()
