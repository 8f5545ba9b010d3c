"""The kiosk's "为我推荐的岗位" (issue 27, 附件4 (十一)): a registered job seeker types their ID number, as for a
check-in, and sees the jobs the matcher recommends, each with its reason; seeing them is recorded.

Contract:

- ``POST /kiosk/recommendations`` (kiosk session + ``X-CSRF-Token``) ``{"id_number": ...}``: the number is checked
  and pseudonymised in memory (:func:`services.people.identity.pseudonymise`), never stored or sent on; the pseudonym
  finds the person's registration in the kiosk's county (``jobseeker-of:<county>:<pseudonym>``). 200
  ``{registration_id, person_masked, recommendations: [...]}`` for a **confirmed** registration; otherwise one and
  the same 404 ``no_jobseeker_registration`` (unknown number, no registration here, awaiting staff, refused,
  ended), so the lookup tells nothing more than a registration attempt would. A malformed number is a 422
  naming ``id_number``. Every lookup counts against the kiosk's ``kiosk_lookups`` limit (429 past it).
- Each recommendation shown is published as ``record_recommendation_seen`` (channel ``kiosk``) before the answer:
  the county's writer counts each distinct job once toward "3 次岗位推荐". When Kafka does not take them the
  answer is 503 and nothing is shown, so what is shown is what counts.
- ``POST /worker/recommendations``: the same on the worker's phone page (:func:`phone_recommendations`).

Kept in ``gateway/`` (not ``web/``) because it publishes and reads the page session: the pages' imports into the
gateway may only shrink (``tests/unit/test_architecture.py``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway import bodies, sessions, throttle
from gateway.problems import ApiError
from gateway.typedefs import CLOCK, REDIS, SETTINGS
from gateway.views import jobseekers
from services import clock, geography
from services.jobseekers.records import SeenChannel
from services.people import identity
from services.readmodels import jobseeker_views, keys
from services.readmodels.views import load

NO_REGISTRATION = ApiError(
    404,
    "no_jobseeker_registration",
    "没有查到您在本县已确认的失业登记或求职登记。请核对身份证号码，或到服务台办理登记",
    "no confirmed unemployment or job-seeking registration here: check the ID number, or register at the desk",
    field="id_number",
)


async def recommendations(request: web.Request) -> web.Response:
    """``POST /kiosk/recommendations``: the jobs recommended to the registered person whose ID number was typed."""
    principal = await sessions.page_principal(request, "kiosk")
    await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get("X-CSRF-Token", "")})
    await throttle.enforce(request, "kiosk_lookups", principal.subject_id)
    body = bodies.decode_json(await request.read())
    raw = body.get("id_number") if isinstance(body, dict) else None
    settings = request.app[SETTINGS]
    today = clock.local_date(request.app[CLOCK]())
    resident = identity.parse_id_number(raw, today=today, minimum_age=0)
    person = identity.pseudonymise(resident, settings.pseudonym_key)
    del resident, raw, body  # the number lives no longer than this lookup
    market = geography.MARKETS_BY_ID.get(principal.market_id or "")
    if market is None:
        raise NO_REGISTRATION
    shown = await _shown(request, market.county, person, "kiosk")
    if shown is None:
        raise NO_REGISTRATION
    return web.json_response(shown, headers={"Cache-Control": "no-store"})


async def phone_recommendations(request: web.Request) -> web.Response:
    """``POST /worker/recommendations`` (the worker's phone session + ``X-CSRF-Token``): the same for the person of
    the phone's check-in — by the pseudonym its ticket view keeps (``_worker``), in the county of its market —
    recorded as seen on the phone. When that person has no confirmed registration there the answer is 200 with
    no recommendations (the phone is the person's own: nothing to hide, and no failed request on every page
    load); the page then shows nothing of it."""
    principal = await sessions.page_principal(request, "worker")
    await sessions.check_csrf(request, {sessions.CSRF_FIELD: request.headers.get("X-CSRF-Token", "")})
    prefix = request.app[SETTINGS].topic_prefix
    ticket = load(await request.app[REDIS].get(keys.ticket(prefix, principal.subject_id))) or {}
    person, county = ticket.get("_worker"), ticket.get("county")
    shown = await _shown(request, str(county), str(person), "phone") if person and county else None
    return web.json_response(shown or {"recommendations": []}, headers={"Cache-Control": "no-store"})


async def _shown(request: web.Request, county: str, person: str, channel: SeenChannel) -> dict[str, Any] | None:
    """The recommendations of ``person``'s confirmed registration in ``county``, recorded as seen on ``channel``;
    ``None`` when there is no such registration."""
    redis = request.app[REDIS]
    prefix = request.app[SETTINGS].topic_prefix
    found = load(await redis.get(jobseeker_views.person_of_key(prefix, county, person)))
    if found is None or found.get("status") != "confirmed":
        return None
    page = load(await redis.get(jobseeker_views.person_key(prefix, str(found["registration_id"]))))
    if page is None or page.get("status") != "confirmed":
        return None
    chosen = await jobseekers.recommendations_for(request, page)
    await jobseekers.record_seen(request, page, [r.job_ref for r in chosen], channel)
    return {
        "registration_id": page["registration_id"],
        "person_masked": page["person_masked"],
        "recommendations": [r.as_view() for r in chosen],
    }
