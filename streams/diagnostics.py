"""What a running stream worker is doing, on demand: ``kill -USR2 <pid>`` logs it.

For an operator (and the fault tests) facing a partition that does not move: the consumer's assignment, which
partitions Faust holds paused or buffered, the fetch position and committed offset of each, whether flow is
active, and what each single writer is doing right now (the record and the phase).
"""

from __future__ import annotations

import logging
import signal
from typing import Any

log = logging.getLogger(__name__)


def describe(app: Any, writers: list[Any]) -> str:
    """A multi-line report of the consumer's state and of every writer's current record."""
    consumer = app.consumer
    lines = [f"flow_active={consumer.flow_active} flow_control_active={app.flow_control.is_active()}"]
    assignment = sorted(consumer.assignment())
    paused = consumer._paused_partitions
    active = consumer._active_partitions or set()
    buffered = consumer._buffered_partitions
    try:
        raw = consumer._thread._ensure_consumer()
        raw_paused = raw.paused()
        positions = {tp: raw._subscription.subscription.assignment.state_value(tp) for tp in raw.assignment()}
    except Exception as error:  # diagnostics must never take the worker down
        raw_paused, positions = set(), {}
        lines.append(f"(aiokafka state unavailable: {error!r})")
    for tp in assignment:
        flags = [
            name for name, member in (("paused", paused), ("active", active), ("buffered", buffered)) if tp in member
        ]
        raw_tp = next((r for r in positions if r.topic == tp.topic and r.partition == tp.partition), None)
        state = positions.get(raw_tp) if raw_tp is not None else None
        aiokafka_paused = any(r.topic == tp.topic and r.partition == tp.partition for r in raw_paused)
        lines.append(
            f"{tp.topic}[{tp.partition}] faust={'/'.join(flags) or '-'} aiokafka_paused={aiokafka_paused} "
            f"state={state!r}"
        )
    for writer in writers:
        lines.append(f"writer {writer.name}: {writer.doing}")
    return "\n".join(lines)


def install(app: Any, writers: list[Any]) -> None:
    """Log :func:`describe` whenever the process receives SIGUSR2 (call from inside the running loop)."""
    import asyncio

    def dump() -> None:
        try:
            log.warning("diagnostics on SIGUSR2:\n%s", describe(app, writers))
        except Exception:
            log.exception("diagnostics failed")

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, dump)
