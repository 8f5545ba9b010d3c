"""Projection of ``jobseeker-events`` into the staff's views of registered job seekers.

- ``jobseeker:<registration_id>``: a person's page: masked ID number only (never the pseudonym or an ID
  number), kind, channel, dates, status, grade and its crossings, category, trades, groups, each obligation with
  its deadline and deliveries, the outcome told to the person, and the history of facts;
- ``jobseekers:<county>``: the county board's source: per live registration its masked ID, status, grade,
  handling deadline and obligations (an ended or refused registration leaves it);
- ``jobseeker-command:<command_id>``: ``applied``, or ``refused`` with the rule, for a ``202``'s status URL;
- ``jobseeker-of:<county>:<person>``: the person's latest registration in the county and its status, by keyed
  pseudonym (as the kiosk's ``checkin-of``): how the kiosk finds a person who typed their ID number;
- ``jobseeker-ledger:<county>``: per registration ever confirmed in the county, what the reports count
  (:mod:`services.reports.jobseekers`): kind, category, grade, groups, status, end, and its "1311" obligations.

Every view records the fact ids applied to it, so a fact applied twice changes nothing. :func:`compose_board`
turns the board source and a local date into the board: due today, overdue and done; pure, called by the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services import geography
from services.jobseekers import records as js
from services.readmodels.views import View, already_applied, mark_applied

HISTORY_KEPT = 200


def person_key(prefix: str, registration_id: str) -> str:
    return f"{prefix}jobseeker:{registration_id}"


def board_key(prefix: str, county: str) -> str:
    return f"{prefix}jobseekers:{county}"


def command_key(prefix: str, command_id: str) -> str:
    return f"{prefix}jobseeker-command:{command_id}"


def person_of_key(prefix: str, county: str, person: str) -> str:
    """The registration of a keyed pseudonym in a county (the kiosk's lookup)."""
    return f"{prefix}jobseeker-of:{county}:{person}"


def ledger_key(prefix: str, county: str) -> str:
    """What the reports count of a county's registrations."""
    return f"{prefix}jobseeker-ledger:{county}"


_PERSON_FACTS = (js.RegistrationApplied, js.RegistrationConfirmed, js.RegistrationRefused, js.RegistrationEnded)


_STARTS = (js.RegistrationApplied, js.RegistrationConfirmed)


class JobseekerViews:
    """The projection for ``jobseeker-events`` (see :class:`projector.app.Projection`)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: js.JobseekerEvent) -> list[str]:
        p = self.prefix
        if isinstance(event, js.JobseekerCommandRefused):
            return [command_key(p, event.command_id)]
        found = [person_key(p, event.registration_id), board_key(p, event.county), ledger_key(p, event.county)]
        if isinstance(event, _PERSON_FACTS):
            found.append(person_of_key(p, event.county, event.person))
        if not isinstance(event, js.GradeCrossed | js.ObligationOverdue | js.RegistrationHandlingOverdue):
            found.append(command_key(p, event.command_id))
        return found

    def apply(self, event: js.JobseekerEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """New values for the keys of :meth:`keys_for`, in order: the board reads the person as updated."""
        changed: dict[str, View | None] = {}
        seen = dict(current)
        person = person_key(self.prefix, event.registration_id)
        for key in self.keys_for(event):
            view = seen.get(key)
            if already_applied(view, event.id):
                continue
            kind = key[len(self.prefix) :].split(":", 1)[0]
            if kind == "jobseeker":
                new = _person(view, event)
            elif kind == "jobseekers":
                new = _board(view, event, seen.get(person))
            elif kind == "jobseeker-ledger":
                new = _ledger(view, event, seen.get(person))
            elif kind == "jobseeker-of":
                new = _person_of(view, event)
            else:
                new = _command(view, event)
            if new is not None:
                changed[key] = seen[key] = mark_applied(new, event.id)
        return changed


def _person(view: View | None, e: js.JobseekerEvent) -> View | None:
    if view is None and not isinstance(e, _STARTS):
        return None  # a registration's first fact always starts it; nothing else makes a page
    page: View = {**view} if view is not None else {"obligations": {}, "history": [], "grades": []}
    match e:
        case js.RegistrationApplied() | js.RegistrationConfirmed():
            page.update(
                registration_id=e.registration_id,
                county=e.county,
                person_masked=e.person_masked,
                kind=e.kind,
                channel=e.channel,
                registered_on=e.registered_on.isoformat(),
                trades=list(e.trades),
                category=e.category,
                willing_elsewhere=e.willing_elsewhere,
                graduate=e.graduate,
                groups=list(e.groups),
                min_day_wage=e.min_day_wage,
            )
            page.setdefault("applied_at", e.at.isoformat())
            if isinstance(e, js.RegistrationApplied):
                page.update(status="awaiting", handling_due=_day(e.handling_due))
            else:
                page.update(
                    status="confirmed",
                    confirmed_on=e.confirmed_on.isoformat(),
                    grade=e.grade,
                    handled_on_time=e.on_time,
                    told={"zh": e.message_zh, "en": e.message_en},
                )
        case js.RegistrationRefused():
            page.update(status="refused", handled_on_time=e.on_time, told={"zh": e.message_zh, "en": e.message_en})
        case js.RegistrationHandlingOverdue():
            page["handling_overdue"] = True
        case js.RegistrationEnded():
            page.update(status="ended", end_reason=e.reason, ended_on=e.ended_on.isoformat())
        case js.GradeCrossed():
            page["grade"] = e.grade
            page["grades"] = [*page["grades"], {"grade": e.grade, "previous": e.previous, "on": e.on.isoformat()}]
        case js.ObligationOpened():
            page["obligations"] = {
                **page["obligations"],
                e.obligation_id: {
                    "obligation_id": e.obligation_id,
                    "programme": e.programme,
                    "service": e.service,
                    "accepts": list(e.accepts),
                    "required": e.required,
                    "delivered": 0,
                    "opened_on": e.opened_on.isoformat(),
                    "due": _day(e.due),
                    "status": "open",
                },
            }
        case js.ObligationDeadlineSet():
            _obligation(page, e.obligation_id, due=e.due.isoformat())
        case js.ServiceDelivered():
            for oid in e.counted_for:
                o = page["obligations"].get(oid)
                if o is not None:
                    _obligation(page, oid, delivered=o["delivered"] + 1)
        case js.ObligationMet():
            _obligation(page, e.obligation_id, status="met", met_on=e.met_on.isoformat(), on_time=e.on_time)
        case js.ObligationOverdue():
            _obligation(page, e.obligation_id, status="overdue")
        case js.ObligationClosed():
            _obligation(page, e.obligation_id, status="closed")
        case _:
            pass
    page["history"] = [*page["history"], _history_entry(e)][-HISTORY_KEPT:]
    page["updated_at"] = e.at.isoformat()
    return page


def _obligation(page: View, oid: str, **changes: Any) -> None:
    o = page["obligations"].get(oid)
    if o is not None:
        page["obligations"] = {**page["obligations"], oid: {**o, **changes}}


def _history_entry(e: js.JobseekerEvent) -> View:
    entry: View = {"at": e.at.isoformat(), "fact": js.tag_of(e)}
    for name in ("service", "obligation_id", "grade", "reason", "channel", "officer_id", "due"):
        value = getattr(e, name, None)
        if value is not None:
            entry[name] = value.isoformat() if isinstance(value, date) else value
    return entry


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


_BOARD_FIELDS = ("registration_id", "person_masked", "status", "grade", "category", "kind", "handling_due")


def _board(view: View | None, e: js.JobseekerEvent, person: View | None) -> View | None:
    board: View = {**view} if view is not None else {"county": e.county, "registrations": {}}
    registrations = dict(board["registrations"])
    if person is None or person.get("status") in ("refused", "ended"):
        registrations.pop(e.registration_id, None)
    else:
        entry = {name: person.get(name) for name in _BOARD_FIELDS}
        entry["handling_overdue"] = bool(person.get("handling_overdue"))
        entry["obligations"] = [
            {k: o[k] for k in ("obligation_id", "programme", "service", "required", "delivered", "due", "status")}
            for o in person["obligations"].values()
        ]
        registrations[e.registration_id] = entry
    board["registrations"] = registrations
    return board


_STANDING: dict[type, str] = {
    js.RegistrationApplied: "awaiting",
    js.RegistrationConfirmed: "confirmed",
    js.RegistrationRefused: "refused",
    js.RegistrationEnded: "ended",
}


def _person_of(view: View | None, e: js.JobseekerEvent) -> View:
    """The person's latest registration in the county: a new one replaces it; a fact of an older one changes
    nothing."""
    found: View = {**(view or {})}
    if isinstance(e, _STARTS) or found.get("registration_id") in (None, e.registration_id):
        found.update(registration_id=e.registration_id, status=_STANDING[type(e)], updated_at=e.at.isoformat())
    return found


def _ledger(view: View | None, e: js.JobseekerEvent, person: View | None) -> View | None:
    """The county's report ledger: one compact entry per confirmed registration (kept after it ends)."""
    if person is None or person.get("status") in (None, "awaiting", "refused"):
        return None if view is None else view
    ledger: View = {**view} if view is not None else {"county": e.county, "registrations": {}}
    obligations = [o for o in person["obligations"].values() if o["programme"] == "1311"]
    entry: View = {
        "kind": person["kind"],
        "category": person["category"],
        "grade": person.get("grade"),
        "groups": list(person.get("groups") or ()),
        "status": person["status"],
        "confirmed_on": person.get("confirmed_on"),
        "end_reason": person.get("end_reason"),
        "ended_on": person.get("ended_on"),
    }
    if obligations:
        dues = [o["due"] for o in obligations]
        entry["o1311"] = {
            "due": None if None in dues else max(dues),
            "count": len(obligations),
            "met": sum(1 for o in obligations if o["status"] == "met"),
            "met_on_time": sum(1 for o in obligations if o["status"] == "met" and o.get("on_time")),
            "overdue": sum(1 for o in obligations if o["status"] == "overdue"),
            "closed": sum(1 for o in obligations if o["status"] == "closed"),
        }
    ledger["registrations"] = {**ledger["registrations"], e.registration_id: entry}
    return ledger


def overdue_alerts(boards: Mapping[str, View | None]) -> list[View]:
    """One dashboard alert per county (keyed by county code) with obligations recorded overdue on its board:
    how many obligations and people, in Chinese and English place names, with the county's code for scoping."""
    out: list[View] = []
    for county in geography.COUNTIES:
        board = boards.get(county.code) or {}
        people = 0
        count = 0
        for reg in board.get("registrations", {}).values():
            late = sum(1 for o in reg.get("obligations", ()) if o["status"] == "overdue")
            if late:
                people += 1
                count += late
        if count:
            out.append(
                {
                    "kind": "jobseeker_obligations_overdue",
                    "county": county.code,
                    "count": count,
                    "people": people,
                    "href": "/jobseekers",
                    "message_zh": f"{county.name_zh}：{people} 名登记人员有 {count} 项就业服务逾期未完成",
                    "message_en": f"{county.name_en}: {count} employment-service obligations overdue for "
                    f"{people} registered people",
                }
            )
    return out


def _command(view: View | None, e: js.JobseekerEvent) -> View:
    command: View = {**(view or {"command_id": e.command_id, "status": "applied", "facts": []})}
    command["facts"] = [*command["facts"], js.tag_of(e)]
    command["registration_id"] = e.registration_id
    command["updated_at"] = e.at.isoformat()
    if isinstance(e, js.JobseekerCommandRefused):
        command.update(
            status="refused",
            refusal={"rule": e.rule, "message_zh": e.message_zh, "message_en": e.message_en},
        )
    return command


def compose_board(board: View | None, today: date) -> View:
    """The county board on the local date ``today``: what is due today, overdue and done, and what awaits staff.

    ``due_today``: open obligations whose deadline is ``today``; ``overdue``: obligations recorded overdue (the
    writer's verdict at local midnight); ``done``: obligations met (with whether on time); ``awaiting``:
    self-service registrations still to handle, with their handling deadline. Each row names the registration
    and the masked ID only.
    """
    rows: dict[str, list[View]] = {"due_today": [], "overdue": [], "done": [], "upcoming": [], "awaiting": []}
    day = today.isoformat()
    for reg in (board or {}).get("registrations", {}).values():
        person = {k: reg[k] for k in ("registration_id", "person_masked", "grade", "category")}
        if reg["status"] == "awaiting":
            rows["awaiting"].append({**person, "handling_due": reg["handling_due"], "overdue": reg["handling_overdue"]})
            continue
        for o in reg["obligations"]:
            row = {**person, **{k: o[k] for k in ("obligation_id", "programme", "service", "required", "delivered")}}
            row["due"] = o["due"]
            if o["status"] == "overdue":
                rows["overdue"].append(row)
            elif o["status"] == "met":
                rows["done"].append(row)
            elif o["status"] == "open" and o["due"] == day:
                rows["due_today"].append(row)
            elif o["status"] == "open":
                rows["upcoming"].append(row)
    for found in rows.values():
        found.sort(key=lambda r: (r.get("due") or r.get("handling_due") or "9999", r["registration_id"]))
    return {"county": (board or {}).get("county"), "today": day, **rows}
