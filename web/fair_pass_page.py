"""The worker's fair pass page (``/fair-pass``): a job seeker types their ID number on their own phone, before
or in the queue at a fair's door, and gets a QR code the organiser's camera reads (web/static/organiser.js).

The QR holds a signed, 15-minute fair pass (:mod:`services.fairs.passes`): the keyed pseudonym and the masked ID
number, never the raw number, which stays in the gateway's memory for this request only and is not echoed back.
The form is a plain HTML post with the session's CSRF token (no script needed on an old phone); no sign-in, as
typing the same number at the door needs none either. Throttled per address like the API.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import segno
from aiohttp import web

from gateway import sessions, throttle
from gateway.typedefs import CLOCK, SETTINGS
from services import clock
from services.errors import InvalidInput
from services.fairs import passes as fair_pass
from services.people import identity
from web import i18n


async def _render(request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    response = web.Response(content_type="text/html", status=status)
    context = {"csrf_token": await sessions.csrf_token(request, response), "lang": i18n.language(request), **context}
    response.text = aiohttp_jinja2.render_string("fair_pass.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def get_fair_pass(request: web.Request) -> web.Response:
    """``GET /fair-pass``: the form."""
    return await _render(request, {"shown": None, "error": None})


async def post_fair_pass(request: web.Request) -> web.Response:
    """``POST /fair-pass`` (form: ``id_number``, ``csrf_token``): the pass as a QR code, or the form again with
    the ID number's problem in words (422)."""
    await throttle.enforce(request, "address_requests", throttle.client_address(request))
    form = {k: str(v) for k, v in (await request.post()).items()}
    await sessions.check_csrf(request, form)
    now = request.app[CLOCK]()
    key = request.app[SETTINGS].pseudonym_key
    try:
        resident = identity.parse_id_number(form.get("id_number"), today=clock.local_date(now))
    except InvalidInput as invalid:
        return await _render(request, {"shown": None, "error": invalid.errors[0]}, status=422)
    shown = shown_pass(request, identity.pseudonymise(resident, key), identity.mask_id_number(resident.number))
    return await _render(request, {"shown": shown, "error": None})


def shown_pass(request: web.Request, worker: str, masked: str) -> dict[str, Any]:
    """A fresh pass for ``worker`` (a pseudonym) as a page shows it: the pass text, the masked ID number, the QR
    code (an SVG data URI), the instant it expires (ISO), the local time it expires (``HH:MM``) and its lifetime
    in minutes."""
    now = request.app[CLOCK]()
    text = fair_pass.issue(worker, masked, now=now, pseudonym_key=request.app[SETTINGS].pseudonym_key)
    expires = (now + fair_pass.LIFETIME).astimezone(clock.ZONE)
    return {
        "pass": text,
        "masked": masked,
        "qr": segno.make(text, error="m").svg_data_uri(scale=6, border=4),
        "expires_at": (now + fair_pass.LIFETIME).isoformat(),
        "until": f"{expires:%H:%M}",
        "minutes": int(fair_pass.LIFETIME.total_seconds() // 60),
    }
