"""The JSON API's request and answer types (msgspec structs), by domain; see docs/api.md."""

from __future__ import annotations

from typing import Any

from gateway.wire import fairs

#: JSON Schema added to a struct's component, by struct name: what a struct cannot state (a choice of fields).
COMPONENT_EXTRAS: dict[str, dict[str, Any]] = {name: {"oneOf": choices} for name, choices in fairs.ONE_OF.items()}
