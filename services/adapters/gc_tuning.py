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
    log.debug("gc: young threshold %d, %d objects frozen", young_threshold, gc.get_freeze_count())
