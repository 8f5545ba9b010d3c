"""The read models of trust (issue 28): reliability records and cases, in Redis, built by the projector.

From ``market-events`` (:class:`ReliabilityViews`, joined to the market's projections):

- ``trust:placement:<placement_id>``: the placement's reliability record (:class:`services.trust.figures.
  PlacementRecord`, as JSON), folded with :func:`services.trust.figures.apply`;
- ``trust:worker:<worker>`` and ``trust:employer:<employer_id>``: the placements of a person, ``{placement_id:
  day}``, the last :data:`~services.trust.figures.KEPT_DAYS` days. The figures are computed when read, for the
  reader's day (``gateway/views/trust.py``), so the windows move with the clock without rewriting anything.

From ``trust-events`` (:class:`CaseViews`):

- ``trust:case:<case_id>``: a case: kind, state, the placement's facts (the evidence), the service clock, the
  employer's answer, the finding and resolution, and its history;
- ``trust:queue:<county>``: the county staff's queue, a summary per case (kind, state, due, overdue, employer,
  market, masked ID);
- ``trust:employer-cases:<employer_id>`` and ``trust:worker-cases:<worker>``: a person's cases, ``{case_id:
  {kind, state, placement_id}}``: the posting rule reads the employer's (:func:`services.trust.rules.may_post`);
- ``trust-command:<command_id>``: ``applied``, or ``refused`` with the rule, for a ``202``'s status URL;
- a finding (``case_found``) also goes into the placement's reliability record and the persons' lists;
- the worker's ticket (``ticket:<checkin_id>``) gets ``cases_updated_at`` when a case is opened, found or
  resolved, so that its live page (SSE) shows the new state.

Every write is idempotent: the placement record keeps the fact ids applied, the other views record them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import msgspec

from services.market import records as r
from services.readmodels import keys
from services.readmodels.views import View, already_applied, mark_applied
from services.trust import figures
from services.trust import records as tr

HISTORY_KEPT = 50


def placement_key(prefix: str, placement_id: str) -> str:
    return f"{prefix}trust:placement:{placement_id}"


def worker_key(prefix: str, worker: str) -> str:
    return f"{prefix}trust:worker:{worker}"


def employer_key(prefix: str, employer_id: str) -> str:
    return f"{prefix}trust:employer:{employer_id}"


def case_key(prefix: str, case_id: str) -> str:
    return f"{prefix}trust:case:{case_id}"


def queue_key(prefix: str, county: str) -> str:
    return f"{prefix}trust:queue:{county}"


def employer_cases_key(prefix: str, employer_id: str) -> str:
    return f"{prefix}trust:employer-cases:{employer_id}"


def worker_cases_key(prefix: str, worker: str) -> str:
    return f"{prefix}trust:worker-cases:{worker}"


def command_key(prefix: str, command_id: str) -> str:
    return f"{prefix}trust-command:{command_id}"


# ---------------------------------------------------------------- reliability records


def record_of(view: View | None) -> figures.PlacementRecord | None:
    return None if view is None else msgspec.convert(view, figures.PlacementRecord)


def view_of(record: figures.PlacementRecord) -> View:
    built = msgspec.to_builtins(record)
    assert isinstance(built, dict)
    return built


def _listed(view: View | None, placement_id: str, day: str) -> View | None:
    """A person's placement list with ``placement_id`` on ``day``; entries older than the longest window before
    that day leave it. ``None`` when nothing changes."""
    placements: dict[str, str] = dict((view or {}).get("placements", {}))
    if placements.get(placement_id) == day:
        return None
    placements[placement_id] = day
    if day:
        oldest = (date.fromisoformat(day) - timedelta(days=figures.KEPT_DAYS)).isoformat()
        placements = {p: d for p, d in placements.items() if not d or d >= oldest}
    return {**(view or {}), "placements": placements}


def _no_show_noted(view: View | None, record: figures.PlacementRecord) -> View | None:
    """The worker's list with the placement among its ``no_shows`` (``{placement_id: day}``) exactly when it is a
    no-show standing (not overturned): the check-in's pause rule reads only this. ``None`` when unchanged."""
    no_shows: dict[str, str] = dict((view or {}).get("no_shows", {}))
    standing = figures.is_no_show(record) and bool(record.day)
    if standing == (record.placement_id in no_shows):
        return None
    if standing:
        no_shows[record.placement_id] = record.day
    else:
        no_shows.pop(record.placement_id, None)
    return {**(view or {"placements": {}}), "no_shows": no_shows}


def no_show_days(view: View | None) -> list[str]:
    """The local days of a worker's standing no-shows, from their list view."""
    return sorted((view or {}).get("no_shows", {}).values())


class ReliabilityViews:
    """The reliability records from the market's facts and the cases' findings (either topic)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: Any) -> list[str]:
        pid = figures.placement_of(event)
        if pid is None:
            return []
        found = [placement_key(self.prefix, pid)]
        if isinstance(event, r.PlacementStarted | tr.CaseFound):
            found += [worker_key(self.prefix, event.worker), employer_key(self.prefix, event.employer_id)]
        elif isinstance(event, r.PlacementCancelled):
            found.append(worker_key(self.prefix, event.worker))
        return found

    def apply(self, event: Any, current: dict[str, View | None]) -> dict[str, View | None]:
        pid = figures.placement_of(event)
        if pid is None:
            return {}
        key = placement_key(self.prefix, pid)
        old = record_of(current.get(key))
        new = figures.apply(old, event)
        if new is None or new == old:
            return {}
        changed: dict[str, View | None] = {key: view_of(new)}
        seen = dict(current)
        if isinstance(event, r.PlacementStarted | tr.CaseFound):
            for person in (worker_key(self.prefix, new.worker), employer_key(self.prefix, new.employer_id)):
                listed = _listed(seen.get(person), pid, new.day)
                if listed is not None:
                    changed[person] = seen[person] = listed
        if isinstance(event, r.PlacementCancelled | tr.CaseFound):
            worker = worker_key(self.prefix, new.worker)
            noted = _no_show_noted(seen.get(worker), new)
            if noted is not None:
                changed[worker] = noted
        return changed


def placements_of(view: View | None) -> list[str]:
    """The placement ids a person's list holds."""
    return sorted((view or {}).get("placements", {}))


# ---------------------------------------------------------------- cases


def _case_summary(case: View) -> View:
    placement = case.get("placement", {})
    return {
        "case_id": case["case_id"],
        "kind": case["kind"],
        "state": case["state"],
        "opened_at": case["opened_at"],
        "first_response_due": case.get("first_response_due"),
        "responded_at": case.get("responded_at"),
        "overdue": case.get("overdue", False),
        "finding": case.get("finding"),
        "answered": bool(case.get("answer")),
        "market_id": placement.get("market_id", ""),
        "employer_id": placement.get("employer_id", ""),
        "employer_name": placement.get("employer_name", ""),
        "trade": placement.get("trade", ""),
        "day": placement.get("day", ""),
        "day_wage": placement.get("day_wage", 0),
        "worker_masked": placement.get("worker_masked", ""),
        "placement_id": placement.get("placement_id", ""),
    }


def _case_updated(view: View | None, e: tr.TrustEventT) -> View | None:
    """The case view after ``e`` (``None``: unchanged or unknown)."""
    if isinstance(e, tr.CaseOpened):
        placement = msgspec.to_builtins(e.placement)
        return {
            "case_id": e.case_id,
            "county": e.county,
            "kind": e.kind,
            "state": "open",
            "opened_at": e.at.isoformat(),
            "first_response_due": e.first_response_due.isoformat() if e.first_response_due else None,
            "responded_at": None,
            "overdue": False,
            "answer": "",
            "finding": None,
            "placement": placement,
            "history": [_history(e, "opened", "")],
        }
    if view is None or isinstance(e, tr.CaseRefused):
        return None
    case = dict(view)
    match e:
        case tr.CaseAnswered():
            case["answer"] = e.answer
            case["answered_at"] = e.at.isoformat()
            entry = _history(e, "answered", e.answer)
        case tr.CaseResponded():
            case["responded_at"] = e.at.isoformat()
            case["responded_late"] = e.late
            entry = _history(e, "responded", e.note)
        case tr.CaseFound():
            case["finding"] = e.finding
            case["state"] = e.state
            case["found_at"] = e.at.isoformat()
            entry = _history(e, e.finding, e.note)
        case tr.CaseResolved():
            case["state"] = "resolved"
            case["resolved_at"] = e.at.isoformat()
            entry = _history(e, "resolved", e.note)
        case tr.CaseOverdue():
            case["overdue"] = True
            entry = _history(e, "overdue", "")
        case _:
            return None
    case["history"] = [*case.get("history", []), entry][-HISTORY_KEPT:]
    return case


def _checkin_of(event: tr.TrustEventT) -> str:
    """The check-in whose ticket shows the case's state, when the fact changes it."""
    if isinstance(event, tr.CaseOpened):
        return event.placement.checkin_id
    if isinstance(event, tr.CaseFound | tr.CaseResolved):
        return event.checkin_id
    return ""


def _history(e: tr.TrustEventT, what: str, note: str) -> View:
    return {"at": e.at.isoformat(), "what": what, "note": note}


class CaseViews:
    """The projection for ``trust-events`` (see :class:`projector.app.Projection`): cases, queues, lists."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: tr.TrustEventT) -> list[str]:
        p = self.prefix
        if isinstance(event, tr.CaseRefused):
            return [command_key(p, event.command_id)]
        found = [case_key(p, event.case_id), queue_key(p, event.county)]
        if isinstance(event, tr.CaseOpened):
            found += [
                employer_cases_key(p, event.placement.employer_id),
                worker_cases_key(p, event.placement.worker),
            ]
        elif isinstance(event, tr.CaseFound):
            found += [employer_cases_key(p, event.employer_id), worker_cases_key(p, event.worker)]
        elif isinstance(event, tr.CaseResolved):
            found.append(employer_cases_key(p, event.employer_id))
        checkin = _checkin_of(event)
        if checkin:
            found.append(keys.ticket(p, checkin))
        if not isinstance(event, tr.CaseOverdue):
            found.append(command_key(p, event.command_id))
        return found

    def apply(self, event: tr.TrustEventT, current: dict[str, View | None]) -> dict[str, View | None]:
        """New values for the keys of :meth:`keys_for`; the queue and lists read the case as updated."""
        p = self.prefix
        changed: dict[str, View | None] = {}
        if isinstance(event, tr.CaseRefused):
            key = command_key(p, event.command_id)
            if not already_applied(current.get(key), event.id):
                refused: View = {
                    "status": "refused",
                    "case_id": event.case_id,
                    "rule": event.rule,
                    "message_zh": event.message_zh,
                    "message_en": event.message_en,
                }
                changed[key] = mark_applied(refused, event.id)
            return changed
        ckey = case_key(p, event.case_id)
        old = current.get(ckey)
        if already_applied(old, event.id):
            return {}
        case = _case_updated(old, event)
        if case is None:
            return {}
        changed[ckey] = mark_applied(case, event.id)
        queue = dict(current.get(queue_key(p, event.county)) or {"county": event.county, "cases": {}})
        queue["cases"] = {**queue.get("cases", {}), event.case_id: _case_summary(case)}
        changed[queue_key(p, event.county)] = queue
        mine = {"kind": case["kind"], "state": case["state"], "placement_id": case["placement"]["placement_id"]}
        for key in self.keys_for(event):
            if key.startswith(f"{p}trust:employer-cases:") or key.startswith(f"{p}trust:worker-cases:"):
                listed = dict(current.get(key) or {"cases": {}})
                listed["cases"] = {**listed.get("cases", {}), event.case_id: mine}
                changed[key] = listed
            elif key == command_key(p, event.command_id):
                changed[key] = mark_applied({"status": "applied", "case_id": event.case_id}, event.id)
            elif key == keys.ticket(p, _checkin_of(event)) and current.get(key) is not None:
                # the worker's ticket says when their cases changed: its live page (SSE) reads them again
                changed[key] = {**(current[key] or {}), "cases_updated_at": event.at.isoformat()}
        return changed


def queue_rows(queue: View | None, now_iso: str) -> list[View]:
    """The county's queue for staff: cases awaiting action first (open, then upheld), the oldest first; then
    resolved cases, the latest first. ``overdue`` is also true for an open case past its due time at ``now``."""
    rows = [dict(c) for c in (queue or {}).get("cases", {}).values()]
    for row in rows:
        due = row.get("first_response_due")
        row["overdue"] = bool(row.get("overdue")) or (
            row.get("responded_at") is None and due is not None and now_iso >= due
        )
    order = {"open": 0, "upheld": 1, "resolved": 2}
    active = sorted((c for c in rows if c["state"] != "resolved"), key=lambda c: (order[c["state"]], c["opened_at"]))
    done = sorted((c for c in rows if c["state"] == "resolved"), key=lambda c: c["opened_at"], reverse=True)
    return active + done


def cases_of(view: View | None) -> Mapping[str, Mapping[str, Any]]:
    """A person's cases by id (kind, state, placement) from their list view."""
    return dict((view or {}).get("cases", {}))
