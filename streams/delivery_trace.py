"""Debug aid, off unless ``LINGONG_TRACE_DELIVERY`` names a topic: log each record of that topic as Faust fetches
it, hands it to the conductor, and as the callback finishes or is abandoned. Used to chase records that are
fetched but never reach an agent (tests/faults/repro_kill_stall.py)."""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger("lingong.delivery")


def install() -> None:
    topic = os.environ.get("LINGONG_TRACE_DELIVERY", "")
    if not topic:
        return
    from faust.transport import consumer as consumer_module

    cls: Any = consumer_module.Consumer
    original_wait = cls._wait_next_records

    async def _wait_next_records(self: Any, timeout: float) -> Any:
        records, active = await original_wait(self, timeout)
        if records:
            for tp, batch in records.items():
                if tp.topic == topic:
                    offsets = [r.offset for r in batch]
                    log.warning(
                        "fetched %s[%s] %s active=%s flow=%s gen=%s",
                        tp.topic,
                        tp.partition,
                        offsets,
                        active is None or tp in active,
                        self.flow_active,
                        self.app.consumer_generation_id,
                    )
        return records, active

    cls._wait_next_records = _wait_next_records

    original_seek = cls.perform_seek

    async def perform_seek(self: Any) -> None:
        await original_seek(self)
        log.warning(
            "seeked: read_offset=%s",
            {f"{tp.topic}[{tp.partition}]": o for tp, o in self._read_offset.items() if tp.topic == topic},
        )

    cls.perform_seek = perform_seek

    from faust.transport import conductor as conductor_module

    conductor_cls: Any = conductor_module.Conductor
    original_compile = conductor_cls._compile_message_handler

    def _compile_message_handler(self: Any) -> Any:
        handler = original_compile(self)

        async def on_message(message: Any) -> None:
            if message.topic != topic:
                return await handler(message)
            log.warning("deliver %s[%s]@%s", message.topic, message.partition, message.offset)
            try:
                await handler(message)
            except BaseException as error:
                log.warning("deliver %s[%s]@%s abandoned: %r", message.topic, message.partition, message.offset, error)
                raise
            log.warning("delivered %s[%s]@%s", message.topic, message.partition, message.offset)

        return on_message

    conductor_cls._compile_message_handler = _compile_message_handler
