"""Projection of ``fair-events`` into the organiser's fair views and the dashboard's quota board.

- ``fair:<fair_id>``: the fair, its booths and positions, and its counts (attendees, employers attending,
  positions, intents, hires). Counts are the agent's running totals carried on each fact, taken with ``max``,
  so a fact applied twice never counts twice;
- ``fairs:<scope>``: the index of a scope's fairs (date, ISO week, month, status), for lists and progress;
- ``fair-command:<command_id>``: what became of an organiser's command: ``applied`` or ``refused`` with the
  rule, for the status URL of a ``202``;
- ``quota-board``: per rule, scope and period the quota status (met / on_track / at_risk / missed), whether
  the early warning fired, and each scope's policy.

:func:`board_fair_ids` and :func:`compose_board` turn the board and the fair views into the dashboard's
answer, with the weekly targets' progress per county; pure, called by the gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import msgspec

from services import clock
from services.fairs import decide as fairs
from services.fairs import quotas
from services.fairs import records as f
from services.readmodels.views import View, already_applied, mark_applied, public


def fair_key(prefix: str, fair_id: str) -> str:
    return f"{prefix}fair:{fair_id}"


def fair_index_key(prefix: str, scope: str) -> str:
    return f"{prefix}fairs:{scope}"


def fair_command_key(prefix: str, command_id: str) -> str:
    return f"{prefix}fair-command:{command_id}"


def quota_board_key(prefix: str) -> str:
    return f"{prefix}quota-board"


_QUOTA_FACTS = (f.QuotaStatusChanged, f.QuotaEarlyWarning)
_INDEXED = (f.FairScheduled, f.FairRescheduled, f.FairCancelled, f.FairPublished, f.FairHeld)


class FairViews:
    """The projection for ``fair-events`` (see :class:`projector.app.Projection`)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: f.FairEvent) -> list[str]:
        p = self.prefix
        found: list[str] = []
        if not isinstance(event, _QUOTA_FACTS):
            found.append(fair_command_key(p, event.command_id))
        fair_id = getattr(event, "fair_id", None)
        if fair_id and not isinstance(event, f.FairCommandRefused):
            found.append(fair_key(p, fair_id))
        if isinstance(event, _INDEXED):
            found.append(fair_index_key(p, event.county))
        if isinstance(event, (*_QUOTA_FACTS, f.QuotaPolicySet)):
            found.append(quota_board_key(p))
        return found

    def apply(self, event: f.FairEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """New values for the keys of :meth:`keys_for`, in order: the index reads the fair as updated."""
        changed: dict[str, View | None] = {}
        seen = dict(current)
        this_fair = fair_key(self.prefix, getattr(event, "fair_id", None) or "")
        for key in self.keys_for(event):
            view = seen.get(key)
            if already_applied(view, event.id):
                continue
            kind = key[len(self.prefix) :].split(":", 1)[0]
            new = _UPDATERS[kind](view, event, seen.get(this_fair))
            if new is not None:
                changed[key] = seen[key] = mark_applied(new, event.id)
        return changed


def _when(fair: View) -> View:
    starts = _instant(fair["starts_at"])
    ends = _instant(fair["ends_at"])
    day = clock.local_date(starts)
    return {
        "date": day.isoformat(),
        "start": clock.format_hhmm(_minutes(starts)),
        "end": clock.format_hhmm(_minutes(ends)),
        "end_date": clock.local_date(ends).isoformat(),
        "week": quotas.iso_week(day).code,
        "month": quotas.calendar_month(day).code,
    }


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _minutes(at: datetime) -> int:
    local = at.astimezone(clock.ZONE)
    return int(local.hour * 60 + local.minute)


def _fair(view: View | None, e: f.FairEvent, _: View | None) -> View | None:
    if isinstance(e, f.FairScheduled):
        kind = fairs.KINDS_BY_CODE.get(e.kind)
        fair: View = {
            "fair_id": e.fair_id,
            "scope": e.county,
            "level": e.level,
            "kind": e.kind,
            "kind_zh": kind.name_zh if kind else e.kind,
            "kind_en": kind.name_en if kind else e.kind,
            "title": e.title,
            "venue": e.venue,
            "venue_county": e.venue_county,
            "organiser_id": e.organiser_id,
            "starts_at": e.starts_at.isoformat(),
            "ends_at": e.ends_at.isoformat(),
            "capacity": e.capacity,
            "status": "scheduled",
            "held": False,
            "employers": {},
            "counts": {
                "attendees": 0,
                "employers_registered": 0,
                "employers_attended": 0,
                "positions": 0,
                "intents": 0,
                "hires": 0,
            },
            **(view or {}),
        }
        return {**fair, **_when(fair), "updated_at": e.at.isoformat()}
    if view is None:
        return None
    fair = {**view, "updated_at": e.at.isoformat(), "counts": dict(view["counts"])}
    counts = fair["counts"]
    match e:
        case f.FairEmployerRegistered():
            employers = dict(fair["employers"])
            attended = (employers.get(e.employer_id) or {}).get("attended", False)
            employers[e.employer_id] = {
                "employer_id": e.employer_id,
                "name": e.employer_name,
                "booth": e.booth,
                "positions": [msgspec.to_builtins(p) for p in e.positions],
                "attended": attended,
            }
            fair["employers"] = employers
            counts["employers_registered"] = e.employers
            counts["positions"] = e.positions_total
        case f.FairPublished():
            fair["status"] = "published"
        case f.FairRescheduled():
            fair.update(starts_at=e.starts_at.isoformat(), ends_at=e.ends_at.isoformat(), venue=e.venue)
            fair.update(_when(fair))
        case f.FairCancelled():
            fair.update(status="cancelled", cancel_reason=e.reason)
        case f.FairHeld():
            fair["held"] = True
        case f.AttendanceRecorded():
            counts["attendees"] = max(counts["attendees"], e.attendees)
        case f.EmployerAttended():
            employers = dict(fair["employers"])
            if e.employer_id in employers:
                employers[e.employer_id] = {**employers[e.employer_id], "attended": True}
            fair["employers"] = employers
            counts["employers_attended"] = max(counts["employers_attended"], e.employers_attended)
        case f.IntentRecorded():
            counts["intents"] = max(counts["intents"], e.intents)
        case f.FairPlacementStarted():
            counts["hires"] = max(counts["hires"], e.hires)
    return fair


_INDEX_FIELDS = ("title", "level", "kind", "venue_county", "starts_at", "ends_at", "date", "week", "month")


def _index(view: View | None, e: f.FairEvent, fair: View | None) -> View | None:
    """The scope's index entry of the fair, copied from the fair view as this event left it."""
    if fair is None:
        return None
    index: View = {**(view or {"scope": e.county, "fairs": {}})}
    entries = dict(index["fairs"])
    entries[fair["fair_id"]] = {
        "fair_id": fair["fair_id"],
        "status": fair["status"],
        "held": fair["held"],
        **{k: fair[k] for k in _INDEX_FIELDS},
    }
    index["fairs"] = entries
    return index


def _command(view: View | None, e: f.FairEvent, _: View | None) -> View:
    command: View = {**(view or {"command_id": e.command_id, "status": "applied", "facts": []})}
    command["facts"] = [*command["facts"], f.tag_of(e)]
    command["fair_id"] = getattr(e, "fair_id", None) or command.get("fair_id")
    command["updated_at"] = e.at.isoformat()
    if isinstance(e, f.FairCommandRefused):
        command.update(
            status="refused",
            refusal={"rule": e.rule, "message_zh": e.message_zh, "message_en": e.message_en},
        )
    return command


def board_entry_key(rule: str, scope: str, period: str) -> str:
    return f"{rule}:{scope}:{period}"


def _board(view: View | None, e: f.FairEvent, _: View | None) -> View:
    board: View = {**(view or {"periods": {}, "policies": {}})}
    if isinstance(e, f.QuotaPolicySet):
        board["policies"] = {**board["policies"], e.county: msgspec.to_builtins(e.policy)}
        return board
    periods = dict(board["periods"])
    assert isinstance(e, _QUOTA_FACTS)
    key = board_entry_key(e.rule, e.county, e.period)
    entry = dict(periods.get(key, {"rule": e.rule, "scope": e.county, "period": e.period, "warned": False}))
    if isinstance(e, f.QuotaStatusChanged):
        entry.update(
            period_start=e.period_start.isoformat(),
            period_end=e.period_end.isoformat(),
            status=e.status,
            previous=e.previous,
            held=e.held,
            pending=e.pending,
            target=e.target,
            updated_at=e.at.isoformat(),
        )
    else:
        entry.update(warned=True, warn_at=e.warn_at.isoformat())
    periods[key] = entry
    board["periods"] = periods
    return board


_Updater = Callable[[View | None, f.FairEvent, View | None], View | None]
_UPDATERS: dict[str, _Updater] = {
    "fair": _fair,
    "fairs": _index,
    "fair-command": _command,
    "quota-board": _board,
}


# ---------------------------------------------------------------- the dashboard's answer


def _selected(board: View | None, scope: str | None, rule: str | None, period: str | None) -> list[View]:
    entries = [] if board is None else list(board.get("periods", {}).values())
    chosen = [
        e
        for e in entries
        if (scope is None or e["scope"] == scope)
        and (rule is None or e["rule"] == rule)
        and (period is None or e["period"] == period)
        and "status" in e
    ]
    return sorted(chosen, key=lambda e: (e["period_start"], e["rule"], e["scope"]))


def _counted_fairs(entry: View, index: View | None) -> list[View]:
    if index is None or entry["rule"] != "county_week":
        return []
    return [
        x
        for x in index.get("fairs", {}).values()
        if x["week"] == entry["period"] and x["level"] == "county" and x["status"] != "cancelled"
    ]


def board_fair_ids(
    board: View | None,
    indexes: Mapping[str, View | None],
    *,
    scope: str | None = None,
    rule: str | None = None,
    period: str | None = None,
) -> list[str]:
    """The fair views :func:`compose_board` needs for the weekly progress of the selected entries."""
    ids: list[str] = []
    for entry in _selected(board, scope, rule, period):
        ids.extend(x["fair_id"] for x in _counted_fairs(entry, indexes.get(entry["scope"])))
    return sorted(set(ids))


def compose_board(
    board: View | None,
    indexes: Mapping[str, View | None],
    fair_views: Mapping[str, View | None],
    *,
    scope: str | None = None,
    rule: str | None = None,
    period: str | None = None,
) -> View:
    """The quota board: one entry per rule, scope and period, oldest first, each county week with its
    progress toward the scope's weekly targets (attendees, employers attending, positions, hires)."""
    policies = {} if board is None else board.get("policies", {})
    out: list[View] = []
    for entry in _selected(board, scope, rule, period):
        item = dict(entry)
        rule_row = quotas.RULES_BY_CODE.get(entry["rule"])
        if rule_row is not None:
            item.update(rule_zh=rule_row.name_zh, rule_en=rule_row.name_en)
        if entry["rule"] == "county_week":
            policy = msgspec.convert(policies.get(entry["scope"], {}), f.QuotaPolicy)
            item["progress"] = _progress(_counted_fairs(entry, indexes.get(entry["scope"])), fair_views, policy)
        out.append(item)
    return {"entries": out, "policies": policies}


def _progress(entries: Iterable[View], fair_views: Mapping[str, View | None], policy: f.QuotaPolicy) -> View:
    totals = {"attendees": 0, "employers": 0, "positions": 0, "hires": 0}
    for entry in entries:
        fair = fair_views.get(entry["fair_id"])
        if fair is None:
            continue
        counts = fair["counts"]
        totals["attendees"] += counts["attendees"]
        totals["employers"] += counts["employers_attended"]
        totals["positions"] += counts["positions"]
        totals["hires"] += counts["hires"]
    targets = {
        "attendees": policy.target_attendees,
        "employers": policy.target_employers,
        "positions": policy.target_positions,
        "hires": policy.target_hires,
    }
    return {
        name: {"actual": totals[name], "target": targets[name], "reached": totals[name] >= targets[name]}
        for name in totals
    }


def public_view(view: View | None) -> View | None:
    """A view as served: without bookkeeping fields."""
    return public(view)
