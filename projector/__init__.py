"""The read-model projector, a process of its own like the gateway and the stream worker: it consumes the facts
from Kafka and writes the Redis views, exactly once (:mod:`projector.app`); :mod:`projector.rebuild` replays them
into an emptied Redis (``lingong rebuild``). Run as ``python -m projector``."""
