"""Projection of ``market-events`` into ticket, offer and job-request views.

- ``ticket:<checkin_id>``: what a worker sees at the status URL: queue number, status, the open offer;
- ``offer:<offer_id>``: where an offer lives (market, check-in), so the gateway can route an answer;
- ``request:<request_id>``: what an employer sees: headcount, offers out, accepted workers (masked).

Statuses: ticket ``queued`` → ``offered`` → ``placed``, or ``refused``, and ``paused`` after a second
unanswered offer until ``WorkerResumed``; offer ``open`` → ``accepted`` | ``declined`` | ``expired``; request
``open`` → ``filled``.

Offers that end (issue 23): a ticket's ``notice`` says its last offer expired (``{"kind": "offer_expired",
"at", "paused"}``) until the next offer, answer or confirmation; a request's ``offer_log`` lists every offer
made on it (check-in, made and expiry times, outcome, when it ended) and, for a declined or expired one, the
check-in offered the freed place next (``next_checkin_id``: the first offer made on the request after it ended,
paired in the order the offers ended).
A request's life on the clock (issue 23): its status may also be ``cancelled`` / ``expired`` / ``start_passed`` (its
start plus the grace passed: ``grace_minutes`` says how long; ``open`` again when reopened, with the new
``start`` and ``previous_start``; a refused reopening leaves ``refusal``).
Issue 24: ``HeadcountChanged`` sets a request's ``headcount`` (``previous_headcount``) and status; a refused change
leaves ``refusal`` like a reopening; ``employer-requests:<employer_id>`` lists an employer's requests of today and
the seven days before (id, local date), newest first, for "我的用工".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from services.clock import format_hhmm, local_date
from services.market import placement_life
from services.market import records as r
from services.readmodels import keys
from services.readmodels.views import View, already_applied, mark_applied


class MarketViews:
    """The :class:`~services.readmodels.Projection` for market events."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def keys_for(self, event: r.MarketEvent) -> list[str]:
        """The view keys ``event`` may change."""
        p = self.prefix
        match event:
            case r.WorkerQueued() | r.WorkerLeft() | r.WorkerResumed():
                return [keys.ticket(p, event.checkin_id)]
            case r.JobRequestOpened():  # and the employer's list of requests ("我的用工", issue 24)
                return [keys.job_request(p, event.request_id), keys.employer_requests(p, event.employer_id)]
            case r.JobRequestFilled() | r.JobRequestClosed() | r.JobRequestReopened() | r.HeadcountChanged():
                return [keys.job_request(p, event.request_id)]
            case r.PlacementStarted():  # the placement view: where the no-show and step commands find it
                return [
                    keys.ticket(p, event.checkin_id),
                    keys.offer(p, event.offer_id),
                    keys.job_request(p, event.request_id),
                    keys.placement(p, event.placement_id),
                ]
            case r.PlacementCancelled():
                return [
                    keys.ticket(p, event.checkin_id),
                    keys.placement(p, event.placement_id),
                    keys.job_request(p, event.request_id),
                ]
            case r.OfferMade() | r.OfferAccepted() | r.OfferDeclined() | r.OfferExpired() | r.OfferWithdrawn():
                return [
                    keys.ticket(p, event.checkin_id),
                    keys.offer(p, event.offer_id),
                    keys.job_request(p, event.request_id),
                ]
            case r.PlaceHeld() | r.PlaceReleased():  # tentative offers (issue 26)
                return [keys.ticket(p, event.checkin_id), keys.job_request(p, event.request_id)]
            case r.PlacementStepRecorded() | r.PlacementStepCorrected() | r.WageDisputeOpened():
                return [
                    keys.ticket(p, event.checkin_id),
                    keys.placement(p, event.placement_id),
                    keys.job_request(p, event.request_id),
                ]
            case r.CommandRefused() if event.command_type in r.PLACEMENT_COMMANDS and event.checkin_id:
                return [keys.ticket(p, event.checkin_id), keys.job_request(p, event.request_id)]
            case r.CommandRefused():
                if event.command_type in ("reopen_job_request", "change_headcount"):
                    return [keys.job_request(p, event.subject_id)]
                return [keys.ticket(p, event.subject_id)] if event.command_type == "check_in" else []
        return []

    def apply(self, event: r.MarketEvent, current: dict[str, View | None]) -> dict[str, View | None]:
        """New values for the keys from :meth:`keys_for`; a key left out is unchanged."""
        changed: dict[str, View | None] = {}
        for key in self.keys_for(event):
            view = current.get(key)
            if already_applied(view, event.id):
                continue
            kind = key[len(self.prefix) :].split(":", 1)[0]
            updater = _UPDATERS.get((kind, type(event)))
            if updater is None:
                continue
            new = updater(view, event)
            if new is not None:
                changed[key] = mark_applied(new, event.id)
        return changed


def _base(event: r.MarketEvent) -> View:
    return {"market_id": event.market_id, "county": event.county, "updated_at": event.at.isoformat()}


def _ticket_queued(view: View | None, e: r.WorkerQueued) -> View:
    return {
        **(view or {}),
        **_base(e),
        "checkin_id": e.checkin_id,
        "worker_masked": e.worker_masked,
        # the worker's keyed pseudonym, kept out of every served view (``_``): the worker's phone page signs a
        # fair pass with it (web/worker.py), so a worker with a phone needs no ID number at a fair's door
        "_worker": e.worker,
        "ticket_no": e.ticket_no,
        "trades": list(e.trades),
        "min_day_wage": e.min_day_wage,
        "available": f"{format_hhmm(e.available_from)}-{format_hhmm(e.available_until)}",
        "available_minutes": [e.available_from, e.available_until],
        "certificates": list(e.certificates),
        "groups": list(e.groups),
        "tier": e.tier,
        "checked_in_at": e.at.isoformat(),
        "status": "queued",
        "offer": None,
    }


def _refusal(e: r.CommandRefused) -> View:
    return {
        "rule": e.rule,
        "message_zh": e.message_zh,
        "message_en": e.message_en,
        "command_id": e.command_id,
        "command_type": e.command_type,
        "placement_id": e.subject_id,
        "at": e.at.isoformat(),
    }


def _ticket_refused(view: View | None, e: r.CommandRefused) -> View | None:
    if e.command_type in r.PLACEMENT_COMMANDS:  # a placement's command: on that job, for the page that sent it
        if view is None:
            return None
        jobs = [{**j, "refusal": _refusal(e)} if j["placement_id"] == e.subject_id else j for j in view.get("jobs", [])]
        return {**view, "jobs": jobs, "updated_at": e.at.isoformat()}
    return {
        **(view or {}),
        **_base(e),
        "checkin_id": e.subject_id,
        "status": "refused",
        "refusal": {"rule": e.rule, "message_zh": e.message_zh, "message_en": e.message_en},
    }


def _offer_details(e: r.OfferMade) -> View:
    return {
        "offer_id": e.offer_id,
        "request_id": e.request_id,
        "employer_name": e.employer_name,
        "trade": e.trade,
        "day_wage": e.day_wage,
        "start": format_hhmm(e.start),
        "hours": e.hours,
        "place": e.place,
        "expires_at": e.expires_at.isoformat(),
        "why": _why(e),
    }


def _why(e: r.OfferMade) -> View:
    """Why this worker got this offer: the rule, their tier and rank, how long they had waited."""
    return {
        "rule": e.rule,
        "tier": e.tier,
        "tier_name": e.tier_name,
        "rank": e.rank,
        "candidates": e.candidates,
        "reordered": e.reordered,
        "waited_seconds": e.waited_seconds,
        "seed": e.seed,
    }


def _ticket_offered(view: View | None, e: r.OfferMade) -> View:
    return {
        **(view or {}),
        **_base(e),
        "status": "offered",
        "offer": _offer_details(e),
        "notice": None,
        "tentative": None,  # a tentative offer made firm, or replaced by this firm one
    }


def _ticket_held(view: View | None, e: r.PlaceHeld) -> View:
    """Issue 26: the place the plan holds for the worker ("预计 08:30 搬运 200 元/天，07:55 前确认")."""
    return {
        **(view or {}),
        **_base(e),
        "tentative": {
            "request_id": e.request_id,
            "employer_name": e.employer_name,
            "trade": e.trade,
            "day_wage": e.day_wage,
            "start": format_hhmm(e.start),
            "hours": e.hours,
            "place": e.place,
            "firm_at": e.firm_at.isoformat(),
            "since": e.at.isoformat(),
        },
        "tentative_released": None,
    }


def _ticket_hold_released(view: View | None, e: r.PlaceReleased) -> View | None:
    """The tentative offer ended without becoming firm, and why (a ``PlaceHeld`` for another place may follow)."""
    held = (view or {}).get("tentative")
    if held is None or held.get("request_id") != e.request_id:
        return None  # already replaced (facts of one command come in order; a replay changes nothing)
    released = {"request_id": e.request_id, "reason": e.reason, "at": e.at.isoformat()}
    return {**(view or {}), **_base(e), "tentative": None, "tentative_released": released}


def _request_held(view: View | None, e: r.PlaceHeld) -> View:
    """The employer's count of places planned (held for workers, not yet offered): ``planned``."""
    v = view or {"offers_out": [], "accepted": []}
    held = sorted({*v.get("held_for", []), e.checkin_id})
    return {**v, "held_for": held, "planned": len(held)}


def _request_hold_ended(view: View | None, e: r.PlaceReleased) -> View | None:
    v = view or {"offers_out": [], "accepted": []}
    if e.checkin_id not in v.get("held_for", []):
        return None
    held = [c for c in v["held_for"] if c != e.checkin_id]
    return {**v, "held_for": held, "planned": len(held)}


def _back_in_queue(v: View) -> str:
    """The status of a ticket whose offer ended (or whose pause was lifted)."""
    return "left" if v.get("status") == "left" else ("placed" if v.get("jobs") else "queued")


def _ticket_answered(
    status: str,
) -> Callable[[View | None, r.OfferDeclined | r.OfferExpired | r.OfferWithdrawn], View]:
    def update(view: View | None, e: r.OfferDeclined | r.OfferExpired | r.OfferWithdrawn) -> View:
        past = {"offer_id": e.offer_id, "request_id": e.request_id, "outcome": status, "at": e.at.isoformat()}
        history = [*(view or {}).get("past_offers", []), past]
        v = view or {}
        back = _back_in_queue(v)
        notice = None
        if isinstance(e, r.OfferExpired):
            notice = {"kind": "offer_expired", "at": e.at.isoformat(), "paused": e.paused, "missed": e.missed}
            if e.paused and back != "left":
                back = "paused"
        return {**v, **_base(e), "status": back, "offer": None, "past_offers": history, "notice": notice}

    return update


def _ticket_resumed(view: View | None, e: r.WorkerResumed) -> View | None:
    if view is None:
        return None
    status = view.get("status")
    return {**view, **_base(e), "status": _back_in_queue(view) if status == "paused" else status, "notice": None}


def _ticket_left(view: View | None, e: r.WorkerLeft) -> View:
    return {**(view or {}), **_base(e), "status": "left", "left_reason": e.reason, "offer": None}


def _ticket_placed(view: View | None, e: r.OfferAccepted) -> View:
    offer = (view or {}).get("offer") or {}
    return {**(view or {}), **_base(e), "status": "placed", "offer": {**offer, "accepted": True}, "notice": None}


def _ticket_placement(view: View | None, e: r.PlacementStarted) -> View:
    v = view or {}
    job = {
        "placement_id": e.placement_id,
        "request_id": e.request_id,
        "trade": e.trade,
        "day_wage": e.day_wage,
        "start": format_hhmm(e.start),
        "hours": e.hours,
        "end_at": _end_at(e),
        "status": "started",
    }
    jobs = [j for j in v.get("jobs", []) if j["placement_id"] != e.placement_id] + [job]
    return {**v, "placement_id": e.placement_id, "jobs": jobs}


def _ticket_placement_cancelled(view: View | None, e: r.PlacementCancelled) -> View:
    v = view or {}
    jobs = [{**j, "status": e.reason} if j["placement_id"] == e.placement_id else j for j in v.get("jobs", [])]
    active = [j for j in jobs if j["status"] == "started"]
    status = v.get("status", "queued")
    if status == "placed" and not active:
        status = "left" if e.reason == "no_show" else "queued"
    return {**v, **_base(e), "jobs": jobs, "status": status}


def _placement_started(view: View | None, e: r.PlacementStarted) -> View:
    return {
        **_base(e),
        "placement_id": e.placement_id,
        "request_id": e.request_id,
        "checkin_id": e.checkin_id,
        "employer_id": e.employer_id,
        "trade": e.trade,
        "day_wage": e.day_wage,
        "start": format_hhmm(e.start),
        "start_minutes": e.start,
        "hours": e.hours,
        "day": local_date(e.at).isoformat(),
        "end_at": _end_at(e),
        "status": "started",
    }


def _end_at(e: r.PlacementStarted) -> str:
    """The job's scheduled end (an instant, UTC) on the placement's day: "没拿到工资" is offered from then."""
    return placement_life.schedule(local_date(e.at), e.start, e.hours).end.isoformat()


def _placement_cancelled(view: View | None, e: r.PlacementCancelled) -> View | None:
    return None if view is None else {**view, "status": e.reason, "updated_at": e.at.isoformat()}


def _offer_made(view: View | None, e: r.OfferMade) -> View:
    return {
        **_base(e),
        "offer_id": e.offer_id,
        "request_id": e.request_id,
        "checkin_id": e.checkin_id,
        "status": "open",
        "expires_at": e.expires_at.isoformat(),
        "why": _why(e),
    }


def _offer_status(status: str) -> Callable[[View | None, r.MarketEvent], View | None]:
    def update(view: View | None, e: r.MarketEvent) -> View | None:
        return None if view is None else {**view, "status": status, "updated_at": e.at.isoformat()}

    return update


def _request_opened(view: View | None, e: r.JobRequestOpened) -> View:
    return {
        **(view or {"offers_out": [], "accepted": []}),
        **_base(e),
        "request_id": e.request_id,
        "employer_id": e.employer_id,
        "employer_name": e.employer_name,
        "trade": e.trade,
        "headcount": e.headcount,
        "day_wage": e.day_wage,
        "start": format_hhmm(e.start),
        "hours": e.hours,
        "place": e.place,
        "status": (view or {}).get("status", "open"),
    }


def _log_offer(log: list[View], e: r.OfferMade) -> list[View]:
    """``log`` with the new offer appended, named as the successor of the earliest ended offer that has none."""
    if any(entry["offer_id"] == e.offer_id for entry in log):
        return log
    log = [dict(entry) for entry in log]
    waiting = [x for x in log if x["outcome"] in ("declined", "expired") and "next_checkin_id" not in x]
    if waiting:
        first = min(waiting, key=lambda x: (x["ended_at"], x["offer_id"]))
        first["next_checkin_id"] = e.checkin_id
        first["next_offer_id"] = e.offer_id
    entry: View = {
        "offer_id": e.offer_id,
        "checkin_id": e.checkin_id,
        "made_at": e.at.isoformat(),
        "expires_at": e.expires_at.isoformat(),
        "outcome": "open",
    }
    return [*log, entry]


def _log_outcome(log: list[View], offer_id: str, outcome: str, at: str) -> list[View]:
    return [{**x, "outcome": outcome, "ended_at": at} if x["offer_id"] == offer_id else x for x in log]


def _request_offer_out(view: View | None, e: r.OfferMade) -> View:
    v = view or {"offers_out": [], "accepted": []}
    offered_to = {**v.get("offered_to_by_offer", {}), e.offer_id: e.checkin_id}
    if e.checkin_id in v.get("held_for", []):  # a tentative offer made firm: no longer only planned
        held = [c for c in v["held_for"] if c != e.checkin_id]
        v = {**v, "held_for": held, "planned": len(held)}
    return {
        **v,
        "offers_out": sorted({*v["offers_out"], e.offer_id}),
        "offered_to_by_offer": offered_to,
        "offered_to": sorted({offered_to[o] for o in {*v["offers_out"], e.offer_id} if o in offered_to}),
        "offer_log": _log_offer(v.get("offer_log", []), e),
    }


_CLOSED = {r.OfferDeclined: "declined", r.OfferExpired: "expired", r.OfferWithdrawn: "withdrawn"}


def _request_offer_closed(view: View | None, e: r.OfferDeclined | r.OfferExpired | r.OfferWithdrawn) -> View:
    v = view or {"offers_out": [], "accepted": []}
    out = [o for o in v["offers_out"] if o != e.offer_id]
    by_offer = v.get("offered_to_by_offer", {})
    log = _log_outcome(v.get("offer_log", []), e.offer_id, _CLOSED[type(e)], e.at.isoformat())
    return {
        **v,
        "offers_out": out,
        "offered_to": sorted({by_offer[o] for o in out if o in by_offer}),
        "offer_log": log,
    }


def _request_accepted(view: View | None, e: r.OfferAccepted) -> View:
    v = view or {"offers_out": [], "accepted": []}
    out = [o for o in v["offers_out"] if o != e.offer_id]
    by_offer = v.get("offered_to_by_offer", {})
    return {
        **v,
        "offers_out": out,
        "offered_to": sorted({by_offer[o] for o in out if o in by_offer}),
        "accepted": sorted({*v["accepted"], e.checkin_id}),
        "offer_log": _log_outcome(v.get("offer_log", []), e.offer_id, "accepted", e.at.isoformat()),
    }


def _request_placement_started(view: View | None, e: r.PlacementStarted) -> View:
    v = view or {"offers_out": [], "accepted": []}
    return {**v, "placements": sorted({*v.get("placements", []), e.placement_id})}


def _request_placement_cancelled(view: View | None, e: r.PlacementCancelled) -> View:
    v = view or {"offers_out": [], "accepted": []}
    return {
        **v,
        "accepted": [c for c in v["accepted"] if c != e.checkin_id],
        "placements": [p for p in v.get("placements", []) if p != e.placement_id],
        "status": "open" if v.get("status") == "filled" else v.get("status", "open"),
    }


def _request_closed(view: View | None, e: r.JobRequestClosed) -> View:
    v = view or {"offers_out": [], "accepted": []}
    closed = {**v, "status": e.reason, "offers_out": [], "updated_at": e.at.isoformat()}
    if e.reason == "start_passed":
        closed["grace_minutes"] = e.grace_minutes
    return closed


def _request_reopened(view: View | None, e: r.JobRequestReopened) -> View:
    v = {k: val for k, val in (view or {"offers_out": [], "accepted": []}).items() if k != "refusal"}
    return {
        **v,
        "status": "filled" if len(e.placements) >= e.headcount else "open",
        "start": format_hhmm(e.start),
        "previous_start": format_hhmm(e.previous_start),
        "reopened_at": e.at.isoformat(),
        "updated_at": e.at.isoformat(),
    }


def _request_headcount(view: View | None, e: r.HeadcountChanged) -> View | None:
    if view is None:
        return None
    return {
        **view,
        "headcount": e.headcount,
        "previous_headcount": e.previous,
        "status": e.status if view.get("status") in ("open", "filled") else view.get("status"),
        "updated_at": e.at.isoformat(),
    }


#: How many days of requests an employer's list keeps (today and the seven before).
EMPLOYER_LIST_DAYS = 8
#: At most this many requests in the list (a busy employer's oldest fall off first).
EMPLOYER_LIST_MAX = 200


def _employer_request_opened(view: View | None, e: r.JobRequestOpened) -> View:
    """The request id and its local date, newest first; requests older than :data:`EMPLOYER_LIST_DAYS` before the
    newest one seen fall off. Independent of the order the facts are applied in (an employer's requests come from
    several markets' partitions, which a replay interleaves differently): the newest time is a maximum, and the list
    is the newest :data:`EMPLOYER_LIST_MAX` of the requests within the days kept."""
    old = view or {}
    newest = max(e.at, datetime.fromisoformat(old["updated_at"])) if old.get("updated_at") else e.at
    oldest = local_date(newest).toordinal() - (EMPLOYER_LIST_DAYS - 1)
    entry = {"request_id": e.request_id, "date": local_date(e.at).isoformat(), "opened_at": e.at.isoformat()}
    candidates = [x for x in old.get("requests", []) if x["request_id"] != e.request_id] + [entry]
    kept = [x for x in candidates if date.fromisoformat(x["date"]).toordinal() >= oldest]
    ordered = sorted(kept, key=lambda x: (datetime.fromisoformat(x["opened_at"]), x["request_id"]), reverse=True)
    return {"employer_id": e.employer_id, "requests": ordered[:EMPLOYER_LIST_MAX], "updated_at": newest.isoformat()}


def _request_filled(view: View | None, e: r.JobRequestFilled) -> View:
    return {
        **(view or {"offers_out": [], "accepted": []}),
        "status": "filled",
        "updated_at": e.at.isoformat(),
    }


def _step_times(old: View, e: r.PlacementStepRecorded | r.PlacementStepCorrected) -> dict[str, str]:
    """When each standing step was recorded (the pages offer a correction within the window)."""
    times = {k: v for k, v in old.get("step_times", {}).items() if k in e.steps}
    if isinstance(e, r.PlacementStepRecorded):
        times[e.step] = e.at.isoformat()
    return times


def _ticket_step(view: View | None, e: r.PlacementStepRecorded | r.PlacementStepCorrected) -> View | None:
    if view is None:
        return None
    jobs = [
        {**j, "steps": list(e.steps), "step_times": _step_times(j, e)} if j["placement_id"] == e.placement_id else j
        for j in view.get("jobs", [])
    ]
    return {**view, "jobs": jobs, "updated_at": e.at.isoformat()}


def _placement_step(view: View | None, e: r.PlacementStepRecorded | r.PlacementStepCorrected) -> View | None:
    if view is None:
        return None
    return {**view, "steps": list(e.steps), "step_times": _step_times(view, e), "updated_at": e.at.isoformat()}


def _request_step(view: View | None, e: r.PlacementStepRecorded | r.PlacementStepCorrected) -> View | None:
    """The employer's live page re-reads its workers' steps when the request view changes."""
    if view is None:
        return None
    steps = {**view.get("steps_by_placement", {}), e.placement_id: list(e.steps)}
    return {**view, "steps_by_placement": steps, "updated_at": e.at.isoformat()}


def _request_refused(view: View | None, e: r.CommandRefused) -> View | None:
    """The employer's page shows a refusal of the command it sent (matched by ``command_id``); a refused
    reopening also stays as ``refusal`` until the request is reopened."""
    if view is None:
        return None
    refused = {**view, "last_refusal": _refusal(e), "updated_at": e.at.isoformat()}
    if e.command_type == "reopen_job_request":
        refused["refusal"] = {"rule": e.rule, "message_zh": e.message_zh, "message_en": e.message_en}
    return refused


def _ticket_dispute(view: View | None, e: r.WageDisputeOpened) -> View | None:
    if view is None:
        return None
    jobs = [{**j, "disputed": True} if j["placement_id"] == e.placement_id else j for j in view.get("jobs", [])]
    return {**view, "jobs": jobs, "updated_at": e.at.isoformat()}


def _placement_dispute(view: View | None, e: r.WageDisputeOpened) -> View | None:
    return None if view is None else {**view, "disputed": True, "updated_at": e.at.isoformat()}


def _request_dispute(view: View | None, e: r.WageDisputeOpened) -> View | None:
    if view is None:
        return None
    return {**view, "disputes": sorted({*view.get("disputes", []), e.placement_id}), "updated_at": e.at.isoformat()}


_Updater = Callable[[View | None, r.MarketEvent], View | None]
_UPDATERS: dict[tuple[str, type], _Updater] = {
    ("ticket", r.WorkerQueued): _ticket_queued,  # type: ignore[dict-item]
    ("ticket", r.CommandRefused): _ticket_refused,  # type: ignore[dict-item]
    ("ticket", r.OfferMade): _ticket_offered,  # type: ignore[dict-item]
    ("ticket", r.OfferDeclined): _ticket_answered("declined"),  # type: ignore[dict-item]
    ("ticket", r.OfferExpired): _ticket_answered("expired"),  # type: ignore[dict-item]
    ("ticket", r.OfferAccepted): _ticket_placed,  # type: ignore[dict-item]
    ("ticket", r.PlacementStarted): _ticket_placement,  # type: ignore[dict-item]
    ("ticket", r.PlacementCancelled): _ticket_placement_cancelled,  # type: ignore[dict-item]
    ("ticket", r.OfferWithdrawn): _ticket_answered("withdrawn"),  # type: ignore[dict-item]
    ("ticket", r.WorkerLeft): _ticket_left,  # type: ignore[dict-item]
    ("ticket", r.WorkerResumed): _ticket_resumed,  # type: ignore[dict-item]
    ("placement", r.PlacementStarted): _placement_started,  # type: ignore[dict-item]
    ("placement", r.PlacementCancelled): _placement_cancelled,  # type: ignore[dict-item]
    ("offer", r.OfferWithdrawn): _offer_status("withdrawn"),
    ("request", r.OfferWithdrawn): _request_offer_closed,  # type: ignore[dict-item]
    ("request", r.PlacementStarted): _request_placement_started,  # type: ignore[dict-item]
    ("request", r.PlacementCancelled): _request_placement_cancelled,  # type: ignore[dict-item]
    ("request", r.JobRequestClosed): _request_closed,  # type: ignore[dict-item]
    ("request", r.JobRequestReopened): _request_reopened,  # type: ignore[dict-item]
    ("request", r.CommandRefused): _request_refused,  # type: ignore[dict-item]
    ("offer", r.OfferMade): _offer_made,  # type: ignore[dict-item]
    ("offer", r.OfferAccepted): _offer_status("accepted"),
    ("offer", r.OfferDeclined): _offer_status("declined"),
    ("offer", r.OfferExpired): _offer_status("expired"),
    ("request", r.JobRequestOpened): _request_opened,  # type: ignore[dict-item]
    ("request", r.HeadcountChanged): _request_headcount,  # type: ignore[dict-item]
    ("employer-requests", r.JobRequestOpened): _employer_request_opened,  # type: ignore[dict-item]
    ("request", r.OfferMade): _request_offer_out,  # type: ignore[dict-item]
    ("ticket", r.PlaceHeld): _ticket_held,  # type: ignore[dict-item]
    ("ticket", r.PlaceReleased): _ticket_hold_released,  # type: ignore[dict-item]
    ("request", r.PlaceHeld): _request_held,  # type: ignore[dict-item]
    ("request", r.PlaceReleased): _request_hold_ended,  # type: ignore[dict-item]
    ("request", r.OfferDeclined): _request_offer_closed,  # type: ignore[dict-item]
    ("request", r.OfferExpired): _request_offer_closed,  # type: ignore[dict-item]
    ("request", r.OfferAccepted): _request_accepted,  # type: ignore[dict-item]
    ("request", r.JobRequestFilled): _request_filled,  # type: ignore[dict-item]
    ("ticket", r.PlacementStepRecorded): _ticket_step,  # type: ignore[dict-item]
    ("placement", r.PlacementStepRecorded): _placement_step,  # type: ignore[dict-item]
    ("request", r.PlacementStepRecorded): _request_step,  # type: ignore[dict-item]
    ("ticket", r.PlacementStepCorrected): _ticket_step,  # type: ignore[dict-item]
    ("placement", r.PlacementStepCorrected): _placement_step,  # type: ignore[dict-item]
    ("request", r.PlacementStepCorrected): _request_step,  # type: ignore[dict-item]
    ("ticket", r.WageDisputeOpened): _ticket_dispute,  # type: ignore[dict-item]
    ("placement", r.WageDisputeOpened): _placement_dispute,  # type: ignore[dict-item]
    ("request", r.WageDisputeOpened): _request_dispute,  # type: ignore[dict-item]
}
