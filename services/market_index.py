"""Derived look-ups over a :class:`~services.market_state.MarketState`, kept beside it in memory, never stored.

A market's state lists its workers and the ids of its recent commands; asking "has this command been applied?"
or "is this worker already queued here?" by scanning them costs a pass over thousands of entries per command.
The index answers both in constant time. It lives in the state object's ``__dict__`` (not a field: it is not
encoded, compared or copied) and is rebuilt from the fields whenever they no longer look like what it was built
from, so a state decoded afresh, copied, or changed by code that bypasses these functions is still answered
correctly:

- the recent command ids: every change goes through :func:`remember`; a list whose length or ends differ from
  the index's record of them is indexed again;
- the workers: :mod:`services.market` adds them through :func:`add_worker` and otherwise only clears them all;
  an index whose count of workers or last check-in id differs from the state's indexes them all again.
  Answers are read from the live worker entries, so a status change needs no index update.
"""

from __future__ import annotations

from services.market_state import MarketState, WaitingWorker

_ATTRIBUTE = "derived_index"


class _Index:
    __slots__ = ("by_worker", "indexed", "last_checkin", "recent", "recent_shape")

    def __init__(self) -> None:
        self.recent: dict[str, int] = {}  # id -> how many times it is listed
        self.recent_shape: tuple[int, str, str] = (0, "", "")
        self.by_worker: dict[str, list[str]] = {}
        self.indexed = 0
        self.last_checkin = ""


def _index(state: MarketState) -> _Index:
    index = getattr(state, _ATTRIBUTE, None)
    if not isinstance(index, _Index):
        index = _Index()
        setattr(state, _ATTRIBUTE, index)
    return index


def _shape(ids: list[str]) -> tuple[int, str, str]:
    return (len(ids), ids[0], ids[-1]) if ids else (0, "", "")


def _recent(state: MarketState) -> dict[str, int]:
    index = _index(state)
    if index.recent_shape != _shape(state.recent_commands):
        index.recent = {}
        for command_id in state.recent_commands:
            index.recent[command_id] = index.recent.get(command_id, 0) + 1
        index.recent_shape = _shape(state.recent_commands)
    return index.recent


def already_applied(state: MarketState, command_id: str) -> bool:
    """Whether ``command_id`` is among the state's recent commands."""
    return command_id in _recent(state)


def remember(state: MarketState, command_id: str, kept: int) -> None:
    """Append ``command_id`` to the recent commands, keeping the last ``kept``."""
    recent = _recent(state)
    ids = state.recent_commands
    ids.append(command_id)
    recent[command_id] = recent.get(command_id, 0) + 1
    if len(ids) > kept:
        for dropped in ids[: len(ids) - kept]:
            recent[dropped] -= 1
            if not recent[dropped]:
                del recent[dropped]
        del ids[: len(ids) - kept]
    _index(state).recent_shape = _shape(ids)


def _by_worker(state: MarketState) -> dict[str, list[str]]:
    index = _index(state)
    workers = state.workers
    last = next(reversed(workers), "") if workers else ""
    if index.indexed != len(workers) or index.last_checkin != last:
        index.by_worker = {}
        for checkin_id, worker in workers.items():
            index.by_worker.setdefault(worker.worker, []).append(checkin_id)
        index.indexed, index.last_checkin = len(workers), last
    return index.by_worker


def add_worker(state: MarketState, worker: WaitingWorker) -> None:
    """Queue ``worker`` (a new check-in id) at the end of the state's workers."""
    by_worker = _by_worker(state)
    index = _index(state)
    if worker.checkin_id not in state.workers:
        by_worker.setdefault(worker.worker, []).append(worker.checkin_id)
        index.indexed += 1
        index.last_checkin = worker.checkin_id
    state.workers[worker.checkin_id] = worker


def active_check_in(state: MarketState, worker: str) -> WaitingWorker | None:
    """The first (in check-in order) of ``worker``'s check-ins here that has not left, if any."""
    for checkin_id in _by_worker(state).get(worker, ()):
        entry = state.workers.get(checkin_id)
        if entry is not None and entry.worker == worker and entry.status != "left":
            return entry
    return None
