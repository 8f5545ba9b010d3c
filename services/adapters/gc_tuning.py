"""The garbage collector of the platform's processes: fewer, larger young collections, and the start-up heap
left out of the full ones.

CPython collects its youngest generation every 700 net allocations. The stream worker allocates a few hundred
objects per command (records, facts, futures), so it ran ~450 collections a minute at 600 check-ins/s, and every
tenth young collection examined the middle generation, every hundredth or so the whole heap: Faust's and aiokafka's
modules and the markets' states. Measured with ``gc.callbacks`` in the pipeline benchmark at 600/s (one round each):
4.1-4.9 % of the stream worker's CPU went to the collector with the defaults, 1.0-2.3 % with a young threshold of
50,000 (four young collections a minute, none older). Garbage in cycles is still collected; only the cadence
changes.

:func:`apply` runs once at process start, after the imports: :func:`gc.freeze` moves what exists then (modules,
classes, the settings) to the permanent generation, which no collection examines again.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

#: The middle and oldest generations' thresholds that go with a raised young one (collections of the generation
#: below between two of this one).
MIDDLE_THRESHOLD = 20
OLDEST_THRESHOLD = 100


def apply(young_threshold: int) -> None:
    """Collect the youngest generation every ``young_threshold`` net allocations and freeze the heap as it is;
    ``0`` leaves the collector as CPython sets it."""
    if young_threshold <= 0:
        return
    gc.set_threshold(young_threshold, MIDDLE_THRESHOLD, OLDEST_THRESHOLD)
    gc.freeze()
    if _log_slow_collection not in gc.callbacks:
        gc.callbacks.append(_log_slow_collection)
    log.debug("gc: young threshold %d, %d objects frozen", young_threshold, gc.get_freeze_count())


#: A collection at least this long is logged (a pause every stream of the process waits for).
SLOW_COLLECTION_SECONDS = 0.05
_started: list[float] = []


def _log_slow_collection(phase: str, info: dict[str, int]) -> None:
    """``gc.callbacks`` hook: log a collection that took :data:`SLOW_COLLECTION_SECONDS` or longer, with its
    generation and how many objects it freed and found uncollectable."""
    if phase == "start":
        _started[:] = [time.perf_counter()]
        return
    if not _started:
        return
    took = time.perf_counter() - _started[0]
    if took >= SLOW_COLLECTION_SECONDS:
        log.info(
            "gc: generation %d collection took %.0f ms (%d collected, %d uncollectable)",
            info.get("generation", -1),
            took * 1000,
            info.get("collected", 0),
            info.get("uncollectable", 0),
        )
