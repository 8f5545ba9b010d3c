"""Trust on both sides (issue 28): complaints and wage disputes as cases, the staff's queue, and the records.

- ``POST /api/v1/placements/{placement_id}/complaints`` ``{"kind": ...}`` (the worker's phone or kiosk session for
  the check-in): 没拿到工资 ``unpaid``, 工资少了 ``underpaid``, 工作内容不符 ``not_as_described``,
  我到了但被记为未到岗 ``marked_absent``; a case in the county's queue. ``unpaid`` also reports the wage unpaid to
  the market (the dashboard's list and the no-show rule of docs/placement-life.md), as ``/unpaid`` does;
- ``GET /api/v1/cases?county=`` (officer: own county; admin: any, default all): the queue, awaiting first;
- ``GET /api/v1/cases/{case_id}``: the case with its evidence (officer of its county, its employer, its worker);
- ``POST /api/v1/cases/{case_id}/answer`` ``{"answer": ...}`` (the employer of the placement);
- ``POST /api/v1/cases/{case_id}/actions`` ``{"action": "respond"|"uphold"|"reject"|"resolve", "note": ...}``
  (officer of the case's county);
- ``GET /api/v1/trust-commands/{command_id}``: ``applied``, or ``refused`` with the rule;
- ``GET /api/v1/employers/{employer_id}/record`` (the employer themself, staff): the employer's figures.

Writes follow :mod:`gateway.commands`: published to ``trust-commands`` keyed by the county, answered ``202``. What
depends on the case's state is the county writer's (:mod:`services.trust.decide`); what the clock or the
placement's read model alone decides is answered here, 409 with the rule.

The helpers :func:`employer_record`, :func:`posting_refusal` and :func:`check_in_pause` are what the job-request,
check-in and offer views call (one read each).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis
from aiohttp import web

from gateway import audit, commands
from gateway.auth import authenticate, require_county
from gateway.operation import Operation, Param, declared_roles
from gateway.problems import ApiError, dumps
from gateway.typedefs import CLOCK, PUBLISHER, REDIS, SETTINGS
from gateway.views import placement_steps
from gateway.wire.common import CountyCode
from gateway.wire.trust import CaseActionBody, CaseAnswerBody, CaseCommandAccepted, ComplaintBody
from services import clock, forms, geography, records, topics
from services.errors import FieldError, InvalidInput
from services.forms import parse_county
from services.market import placement_life
from services.market.records import ReportWageUnpaid
from services.people import access
from services.people.principal import Principal
from services.readmodels import keys
from services.readmodels import trust_views as tv
from services.readmodels.views import View, load, public
from services.trust import figures, rules
from services.trust import records as tr

NOTE_MAX = 500


# ---------------------------------------------------------------- what other views ask


async def _records(redis: aioredis.Redis, prefix: str, person_key: str) -> list[figures.PlacementRecord]:
    """The reliability records of the placements a person's list holds."""
    pids = tv.placements_of(load(await redis.get(person_key)))
    raw = await redis.mget([tv.placement_key(prefix, p) for p in pids]) if pids else []
    return [p for p in (tv.record_of(load(v)) for v in raw) if p is not None]


async def employer_record(redis: aioredis.Redis, prefix: str, employer_id: str, today: date) -> dict[str, Any]:
    """The employer's figures over 30 and 90 days for ``today``, and the pay line a worker sees on an offer."""
    found = await _records(redis, prefix, tv.employer_key(prefix, employer_id))
    windows = figures.both_windows(found, today, employer=True)
    zh, en = figures.pay_record_line(windows["30"])
    shown = {days: msgspec.to_builtins(w) for days, w in windows.items()}
    return {"employer_id": employer_id, "windows": shown, "pay_record_zh": zh, "pay_record_en": en}


async def worker_completed(redis: aioredis.Redis, prefix: str, worker: str, today: date) -> dict[str, int]:
    """A worker's jobs completed over 30 and 90 days (what an employer sees: the count, never who)."""
    found = await _records(redis, prefix, tv.worker_key(prefix, worker))
    windows = figures.both_windows(found, today, employer=False)
    return {days: w.figures["completed"].count for days, w in windows.items()}


async def posting_refusal(redis: aioredis.Redis, prefix: str, employer_id: str) -> None:
    """409 naming the rule when the employer has an upheld wage case not yet resolved (rules.may_post)."""
    refusal = rules.may_post(tv.cases_of(load(await redis.get(tv.employer_cases_key(prefix, employer_id)))))
    if refusal is not None:
        raise ApiError(409, refusal.rule, refusal.message_zh, refusal.message_en)


async def check_in_pause(redis: aioredis.Redis, prefix: str, worker: str, today: date, limit: int) -> None:
    """409 naming the rule when a no-show today brought the worker above ``limit`` no-shows in 30 days
    (rules.pause)."""
    if limit < 0:
        return
    days = tv.no_show_days(load(await redis.get(tv.worker_key(prefix, worker))))
    refusal = rules.pause(days, today, limit)
    if refusal is not None:
        raise ApiError(409, refusal.rule, refusal.message_zh, refusal.message_en)


# ---------------------------------------------------------------- the worker reports


def _kind_of(body: Any) -> tr.CaseKind:
    kind = body.get("kind") if isinstance(body, dict) else None
    if kind not in tr.CASE_KINDS:
        raise InvalidInput(
            FieldError(
                "kind",
                "kind_choice",
                "投诉类型应为：" + "、".join(f"{k}（{tr.KIND_ZH[k]}）" for k in tr.CASE_KINDS),
                "kind must be one of: " + ", ".join(tr.CASE_KINDS),
            )
        )
    return kind  # type: ignore[no-any-return]


def complaint_refusal(kind: str, placement: View, now: datetime) -> placement_life.Refusal | None:
    """What the clock and the placement's read model alone refuse: wage complaints before the scheduled end or
    while the worker's 已收到工资 stands, "not as described" before the start, "marked absent" unless the
    placement was cancelled as a no-show; any other kind on a cancelled placement."""
    status = placement.get("status")
    steps, when = placement_steps.life_of(placement, now)
    if kind == "marked_absent":
        if status != "no_show":
            return placement_life.Refusal(
                "complaint_not_marked_absent",
                "这份工作没有被记为未到岗",
                "this placement was not marked as a no-show",
            )
        return None
    if status != "started":
        return placement_life.Refusal("placement_unknown", "该用工已取消或不存在", "this placement is not active")
    if kind in tr.WAGE_KINDS:
        if "wage_received" in steps:
            return placement_life.Refusal(
                "unpaid_after_received",
                "您已确认收到工资；如果是误点，请先撤销“已收到工资”",
                "you confirmed the wage received; withdraw that first if it was a mistake",
            )
        return placement_life.known_refusal("unpaid", "", when, now)
    if now < when.start:
        return placement_life.Refusal(
            "complaint_before_start", "工作开始后才能报告工作内容不符", "report this once the job has started"
        )
    return None


async def _placement_of_worker(request: web.Request, principal: Principal) -> tuple[str, View]:
    """The placement of the URL when it is the worker's (their phone's check-in), or at the kiosk's market (a
    worker without a phone reports at the kiosk, as they check out there); else 404."""
    settings = request.app[SETTINGS]
    placement_id = request.match_info["placement_id"]
    placement = load(await request.app[REDIS].get(keys.placement(settings.topic_prefix, placement_id)))
    mine = placement is not None and (
        placement.get("market_id") == principal.market_id
        if principal.role == "kiosk"
        else placement.get("checkin_id") == principal.subject_id
    )
    if placement is None or not mine:
        raise ApiError(404, "placement_unknown", "没有找到该用工记录", "no such placement", field="placement_id")
    return placement_id, placement


async def _facts(request: web.Request, placement_id: str, placement: View) -> tr.PlacementFacts:
    """The placement as the case keeps it: its steps with their times (evidence), who and where."""
    prefix = request.app[SETTINGS].topic_prefix
    ticket_raw, request_raw = await request.app[REDIS].mget(
        [keys.ticket(prefix, placement["checkin_id"]), keys.job_request(prefix, placement["request_id"])]
    )
    ticket, job = load(ticket_raw) or {}, load(request_raw) or {}
    times = placement.get("step_times", {})
    return tr.PlacementFacts(
        placement_id=placement_id,
        market_id=placement["market_id"],
        request_id=placement["request_id"],
        checkin_id=placement["checkin_id"],
        worker=str(ticket.get("_worker", "")),
        worker_masked=str(ticket.get("worker_masked", "")),
        employer_id=placement["employer_id"],
        employer_name=str(job.get("employer_name", "")),
        trade=placement.get("trade", ""),
        day_wage=int(placement.get("day_wage", 0)),
        day=placement.get("day", ""),
        start=int(placement.get("start_minutes", 0)),
        hours=int(placement.get("hours", 0)),
        steps=tuple(tr.StepEvidence(step=s, at=times.get(s, "")) for s in placement.get("steps", [])),
        cancelled=str(placement.get("status")) if placement.get("status") in ("no_show", "request_cancelled") else "",
    )


async def post_complaint(request: web.Request) -> web.Response:
    """The worker's report after a job: a case in the county's queue (202 with the case id)."""
    principal = await authenticate(request, *declared_roles(request))
    settings = request.app[SETTINGS]
    now = request.app[CLOCK]()
    placement_id, placement = await _placement_of_worker(request, principal)

    async def build(command_id: str, body: Any) -> commands.Accepted:
        kind = _kind_of(body)
        placement_steps.refuse(complaint_refusal(kind, placement, now))
        facts = await _facts(request, placement_id, placement)
        county = placement["county"]
        if kind == "unpaid":  # the market's wage dispute too (dashboard list, no no-show while disputed)
            unpaid = ReportWageUnpaid(
                id=records.derived_id(command_id, "market"),
                at=now,
                market_id=placement["market_id"],
                county=county,
                placement_id=placement_id,
                checkin_id=placement["checkin_id"],
            )
            await request.app[PUBLISHER].publish(
                settings.topic(topics.MARKET_COMMANDS), placement["market_id"].encode(), records.encode(unpaid)
            )
        record = tr.OpenCase(id=command_id, at=now, county=county, kind=kind, placement=facts)
        case_id = tr.case_id(placement_id, kind)
        answer = {
            "case_id": case_id,
            "placement_id": placement_id,
            "kind": kind,
            "status": "accepted",
            "command_id": command_id,
            "status_url": f"/api/v1/trust-commands/{command_id}",
            "case_url": f"/api/v1/cases/{case_id}",
        }
        return commands.Accepted(settings.topic(topics.TRUST_COMMANDS), county.encode(), record, answer)

    return await commands.accept(request, principal, build)


# ---------------------------------------------------------------- cases


PLACEMENT_COMPLAINTS = Operation(
    "POST",
    "/api/v1/placements/{placement_id}/complaints",
    "placement_complaints",
    "The worker reports a problem after a job: a case in the county's staff queue",
    handler=post_complaint,
    roles=("kiosk",),
    page_roles=("worker",),
    request=ComplaintBody,
    response=CaseCommandAccepted,
    command=True,
    not_found=True,
    tags=("trust",),
    extra_statuses=(401, 403, 409, 429),
    description="Sent by the worker's phone page (page session + X-CSRF-Token), or a kiosk of the placement's "
    "market for a worker without a phone. 409 naming the rule: a wage complaint before the scheduled end or once "
    "the worker confirmed the wage received, 'not as described' before the start, 'marked absent' unless the "
    "placement was marked a no-show. ``unpaid`` also reports the wage unpaid to the market, as ``/unpaid`` does.",
)


async def _case_or_404(request: web.Request) -> View:
    prefix = request.app[SETTINGS].topic_prefix
    case = load(await request.app[REDIS].get(tv.case_key(prefix, request.match_info["case_id"])))
    if case is None:
        raise ApiError(
            404,
            "case_unknown",
            "没有找到该投诉（刚提交的投诉可能需要一两秒才显示）",
            "no such case (one just reported may take a second to appear)",
            field="case_id",
        )
    return case


def _may_see(principal: Principal, case: View) -> bool:
    placement = case.get("placement", {})
    if principal.role == "employer":
        return bool(placement.get("employer_id") == principal.subject_id)
    if principal.role == "worker":
        return bool(placement.get("checkin_id") == principal.subject_id)
    return access.may_read(principal.viewer, case.get("county"))


def shown_case(case: View, principal: Principal) -> View:
    """The case as its reader sees it: never the worker's pseudonym; the employer and the worker see no
    masked ID either (staff do)."""
    shown = public(case) or {}
    placement = {k: v for k, v in shown.get("placement", {}).items() if k != "worker"}
    if principal.role in ("employer", "worker"):
        placement.pop("worker_masked", None)
    county = geography.COUNTIES_BY_CODE.get(str(shown.get("county")))
    market = geography.MARKETS_BY_ID.get(str(placement.get("market_id")))
    return {
        **shown,
        "placement": placement,
        "kind_zh": tr.KIND_ZH[shown["kind"]],
        "kind_en": tr.KIND_EN[shown["kind"]],
        "county_zh": county.name_zh if county else "",
        "market_zh": market.name_zh if market else "",
    }


async def get_case(request: web.Request) -> web.Response:
    principal = await authenticate(request, *declared_roles(request))
    case = await _case_or_404(request)
    if not _may_see(principal, case):
        raise ApiError(404, "case_unknown", "没有找到该投诉", "no such case", field="case_id")
    placement = case.get("placement", {})
    if principal.role not in ("employer", "worker"):  # staff see the masked ID: audited, before the answer
        await audit.record_reveal(
            request,
            principal,
            action="case",
            subject=str(placement.get("worker", "")),
            fields=("worker_masked",),
            county=case.get("county"),
            market_id=placement.get("market_id"),
        )
    return web.json_response(shown_case(case, principal), dumps=dumps)


CASE_ID = Param("case_id", str, where="path", description="a case id")


CASE = Operation(
    "GET",
    "/api/v1/cases/{case_id}",
    "case",
    "A case with its evidence (the placement's steps), the employer's answer, the finding and its history",
    handler=get_case,
    roles=("officer", "employer"),
    page_roles=("worker",),
    not_found=True,
    tags=("trust",),
    params=(CASE_ID,),
    description="Also the worker's phone page (page session) for a case about their own placement.",
)


async def get_cases(request: web.Request) -> web.Response:
    """The county's queue (officer: own county only; admin: any county, default every county)."""
    principal = await authenticate(request, *declared_roles(request))
    unknown = sorted(set(request.query) - {"county"})
    if unknown:
        raise InvalidInput(
            FieldError(
                unknown[0],
                "parameter_unknown",
                "不认识的查询参数（只有 county）",
                "unknown query parameter (only county)",
            )
        )
    raw = request.query.get("county")
    if raw is not None:
        counties = [parse_county(raw)]
        require_county(principal, counties[0])
    elif principal.county is not None:
        counties = [principal.county]
    else:
        counties = access.visible(principal.viewer, [c.code for c in geography.COUNTIES])
    prefix = request.app[SETTINGS].topic_prefix
    now = request.app[CLOCK]()
    values = await request.app[REDIS].mget([tv.queue_key(prefix, c) for c in counties])
    queues = []
    for county, value in zip(counties, values, strict=True):
        rows = tv.queue_rows(load(value), now.isoformat())
        for row in rows:
            row["kind_zh"] = tr.KIND_ZH[row["kind"]]
            market = geography.MARKETS_BY_ID.get(row.get("market_id", ""))
            row["market_zh"] = market.name_zh if market else ""
        awaiting = [r for r in rows if r["state"] != "resolved"]
        queues.append(
            {
                "county": county,
                "county_zh": geography.COUNTIES_BY_CODE[county].name_zh,
                "open": sum(1 for r in awaiting if r["state"] == "open"),
                "upheld": sum(1 for r in awaiting if r["state"] == "upheld"),
                "overdue": sum(1 for r in awaiting if r["overdue"]),
                "cases": rows,
            }
        )
    return web.json_response({"now": now.isoformat(), "queues": queues}, dumps=dumps)


CASES = Operation(
    "GET",
    "/api/v1/cases",
    "cases",
    "The county staff's queue of complaints and wage disputes: awaiting action first, with the service clock",
    handler=get_cases,
    roles=("officer",),
    tags=("trust",),
    params=(Param("county", CountyCode, checked=True, description="only this county (an officer: their own)"),),
    description="Answer: ``{now, queues: [{county, county_zh, open, upheld, overdue, cases: [...]}]}``; rows "
    "name the masked ID number only.",
)


def _text(body: Any, field: str, label_zh: str, *, required: bool) -> str:
    """A free-text field fit to show (:func:`services.forms.text`), at most :data:`NOTE_MAX` characters."""
    errors: list[FieldError] = []
    value = forms.text(
        body if isinstance(body, dict) else {},
        field,
        max_length=NOTE_MAX,
        required=required,
        label_zh=label_zh,
        errors=errors,
    )
    if errors:
        raise InvalidInput(errors)
    return value


def _case_answer(request: web.Request, command_id: str, case_id: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "status": "accepted",
        "command_id": command_id,
        "status_url": f"/api/v1/trust-commands/{command_id}",
        "case_url": f"/api/v1/cases/{case_id}",
    }


async def post_case_answer(request: web.Request) -> web.Response:
    """The employer's answer to a case about their placement."""
    principal = await authenticate(request, *declared_roles(request))
    case = await _case_or_404(request)
    if case.get("placement", {}).get("employer_id") != principal.subject_id:
        raise ApiError(404, "case_unknown", "没有找到该投诉", "no such case", field="case_id")
    now = request.app[CLOCK]()

    async def build(command_id: str, body: Any) -> commands.Accepted:
        answer = _text(body, "answer", "答复", required=True)
        record = tr.AnswerCase(
            id=command_id,
            at=now,
            county=case["county"],
            case_id=case["case_id"],
            employer_id=principal.subject_id,
            answer=answer,
        )
        topic = request.app[SETTINGS].topic(topics.TRUST_COMMANDS)
        return commands.Accepted(
            topic, case["county"].encode(), record, _case_answer(request, command_id, case["case_id"])
        )

    return await commands.accept(request, principal, build)


CASE_ANSWER = Operation(
    "POST",
    "/api/v1/cases/{case_id}/answer",
    "case_answer",
    "The employer answers a case about their placement",
    handler=post_case_answer,
    roles=("employer",),
    request=CaseAnswerBody,
    response=CaseCommandAccepted,
    command=True,
    not_found=True,
    tags=("trust",),
    params=(CASE_ID,),
)


async def post_case_action(request: web.Request) -> web.Response:
    """An officer of the case's county acts on it."""
    principal = await authenticate(request, *declared_roles(request))
    case = await _case_or_404(request)
    require_county(principal, case.get("county"))
    now = request.app[CLOCK]()

    async def build(command_id: str, body: Any) -> commands.Accepted:
        action = body.get("action") if isinstance(body, dict) else None
        if action not in ("respond", "uphold", "reject", "resolve"):
            raise InvalidInput(
                FieldError(
                    "action",
                    "action_choice",
                    "操作应为：respond（答复）、uphold（认定成立）、reject（认定不成立）、resolve（已解决）",
                    "action must be one of: respond, uphold, reject, resolve",
                )
            )
        note = _text(body, "note", "处理意见", required=False)
        record = tr.ActOnCase(
            id=command_id,
            at=now,
            county=case["county"],
            case_id=case["case_id"],
            officer_id=principal.subject_id,
            action=action,
            note=note,
        )
        topic = request.app[SETTINGS].topic(topics.TRUST_COMMANDS)
        return commands.Accepted(
            topic, case["county"].encode(), record, _case_answer(request, command_id, case["case_id"])
        )

    return await commands.accept(request, principal, build)


CASE_ACTIONS = Operation(
    "POST",
    "/api/v1/cases/{case_id}/actions",
    "case_actions",
    "An officer of the case's county acts on it",
    handler=post_case_action,
    roles=("officer",),
    request=CaseActionBody,
    response=CaseCommandAccepted,
    command=True,
    not_found=True,
    tags=("trust",),
    params=(CASE_ID,),
)


async def get_command(request: web.Request) -> web.Response:
    """``applied``, or ``refused`` with the rule, once the county's writer decided."""
    prefix = request.app[SETTINGS].topic_prefix
    view = public(load(await request.app[REDIS].get(tv.command_key(prefix, request.match_info["command_id"]))))
    if view is None:
        raise ApiError(
            404,
            "trust_command_unknown",
            "没有找到该操作的处理结果（刚提交的操作可能需要一两秒才显示）",
            "no outcome for this command yet (one just sent may take a second to appear)",
            field="command_id",
        )
    return web.json_response(view, dumps=dumps)


TRUST_COMMAND = Operation(
    "GET",
    "/api/v1/trust-commands/{command_id}",
    "trust_command",
    "What became of a case command: applied, or refused with the rule",
    handler=get_command,
    not_found=True,
    tags=("trust",),
    description="404 ``trust_command_unknown`` until the agent has decided (a second or two).",
)


async def get_employer_record(request: web.Request) -> web.Response:
    """The employer's figures (the employer themself; staff)."""
    principal = await authenticate(request, *declared_roles(request))
    employer_id = request.match_info["employer_id"]
    if principal.role == "employer" and principal.subject_id != employer_id:
        raise ApiError(404, "employer_unknown", "没有找到该用人单位", "no such employer", field="employer_id")
    today = clock.local_date(request.app[CLOCK]())
    record = await employer_record(request.app[REDIS], request.app[SETTINGS].topic_prefix, employer_id, today)
    return web.json_response(record, dumps=dumps)


# ---------------------------------------------------------------- shown where it decides something


EMPLOYER_RECORD = Operation(
    "GET",
    "/api/v1/employers/{employer_id}/record",
    "employer_record",
    "An employer's reliability figures over 30 and 90 days, with the placements and cases behind them",
    handler=get_employer_record,
    roles=("employer", "officer"),
    not_found=True,
    tags=("trust",),
)


async def with_trust(redis: aioredis.Redis, prefix: str, ticket: View, today: date) -> View:
    """The worker's ticket with the employer's pay record on an open offer ("近 30 天按时付薪 12/12") and the
    states of the worker's cases (``cases``). ``ticket`` is the ticket view as loaded (its ``_worker`` is read,
    never shown)."""
    shown = dict(ticket)
    offer = shown.get("offer")
    if isinstance(offer, dict) and offer.get("request_id"):  # an accepted offer keeps it: who they work for
        job = load(await redis.get(keys.job_request(prefix, offer["request_id"])))
        if job is not None and job.get("employer_id"):
            record = await employer_record(redis, prefix, job["employer_id"], today)
            shown["offer"] = {
                **offer,
                "pay_record_zh": record["pay_record_zh"],
                "pay_record_en": record["pay_record_en"],
            }
    worker = ticket.get("_worker")
    if worker:
        listed = tv.cases_of(load(await redis.get(tv.worker_cases_key(prefix, worker))))
        shown["cases"] = [
            {
                "case_id": cid,
                "placement_id": c.get("placement_id"),
                "kind": c.get("kind"),
                "kind_zh": tr.KIND_ZH.get(str(c.get("kind")), ""),
                "state": c.get("state"),
            }
            for cid, c in sorted(listed.items())
        ]
    return shown


async def completed_counts(redis: aioredis.Redis, prefix: str, tickets: list[View], today: date) -> list[int | None]:
    """Each ticket's worker's jobs completed in the last 30 days (``None`` if unknown): what an employer sees of
    a worker's record, never who they are. Two reads for all the tickets: their lists, then their records."""
    workers = [str(t.get("_worker") or "") for t in tickets]
    known = sorted({w for w in workers if w})
    if not known:
        return [None for _ in workers]
    lists = dict(zip(known, await redis.mget([tv.worker_key(prefix, w) for w in known]), strict=True))
    placements = {w: tv.placements_of(load(raw)) for w, raw in lists.items()}
    every = sorted({p for ps in placements.values() for p in ps})
    raw_records = await redis.mget([tv.placement_key(prefix, p) for p in every]) if every else []
    records = {p: tv.record_of(load(raw)) for p, raw in zip(every, raw_records, strict=True)}
    out: list[int | None] = []
    for worker in workers:
        if not worker:
            out.append(None)
            continue
        found = [rec for rec in (records[p] for p in placements[worker]) if rec is not None]
        out.append(figures.worker_figures(found, today, 30).figures["completed"].count)
    return out


#: The JSON operations this module declares, in the document's order (gathered by gateway/api.py).
OPERATIONS: tuple[Operation, ...] = (
    PLACEMENT_COMPLAINTS,
    CASES,
    CASE,
    CASE_ANSWER,
    CASE_ACTIONS,
    TRUST_COMMAND,
    EMPLOYER_RECORD,
)
