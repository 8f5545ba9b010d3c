"""How the pages' scripts authenticate to the JSON API: the page session cookie AND its CSRF token in the
X-CSRF-Token header (gateway/auth.py); the kiosk's session is bound to its market; a worker's phone session
(from the kiosk's phone link) answers only its own check-in's offers; the SSE stream of a ticket."""

from __future__ import annotations

import re
import uuid

from aiohttp.test_utils import TestClient

from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.waiting import eventually


async def _signed_in(gateway: TestClient, access_key: str, path: str) -> str:
    """Sign in through the page and return the CSRF token of the page at ``path``."""
    form = await (await gateway.get(f"/sign-in?next={path}")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    response = await gateway.post(
        "/sign-in", data={"csrf_token": csrf.group(1), "next": path, "access_key": access_key}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await gateway.get(path)).text()
    token = re.search(r'data-csrf="([^"]+)"', page)
    assert token, page
    return token.group(1)


def _headers(csrf: str | None) -> dict[str, str]:
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return headers


async def test_a_kiosk_page_checks_in_with_its_session_and_csrf_header_only(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    csrf = await _signed_in(gateway, credentials[market], "/kiosk")
    body = check_in_body(id_number, trade)

    no_header = await gateway.post("/api/v1/checkins", json=body, headers=_headers(None))
    assert no_header.status == 401  # the cookie alone is not a credential
    wrong = await gateway.post("/api/v1/checkins", json=body, headers=_headers("forged"))
    assert wrong.status == 403 and (await wrong.json())["error"] == "csrf_failed"

    key = _headers(csrf)
    first = await gateway.post("/api/v1/checkins", json=body, headers=key)
    assert first.status == 202, await first.text()
    answer = await first.json()
    again = await gateway.post("/api/v1/checkins", json=body, headers=key)
    assert again.status == 202 and again.headers.get("Idempotent-Replayed") == "true"
    assert (await again.json())["checkin_id"] == answer["checkin_id"]
    assert answer["market_id"] == market

    # the live ticket stream of the kiosk's own market starts with the current view
    async def first_event() -> str | None:
        async with gateway.get(f"/live/tickets/{answer['checkin_id']}") as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            text = ""
            while "event: view" not in text:
                text += (await stream.content.readline()).decode()
            text += (await stream.content.readline()).decode()
            return text if '"ticket_no"' in text else None

    event = await eventually(first_event, what="queued ticket on the stream")
    assert id_number not in event


async def test_an_employer_session_cannot_check_in_and_a_phone_answers_only_its_own_offer(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str], id_number: str
) -> None:
    market, trade = lane
    csrf = await _signed_in(gateway, credentials["employer"], "/employer")
    refused = await gateway.post("/api/v1/checkins", json=check_in_body(id_number, trade), headers=_headers(csrf))
    assert refused.status == 403 and (await refused.json())["error"] == "wrong_role"

    checked_in = await gateway.post(
        "/api/v1/checkins", json=check_in_body(id_number, trade), headers=auth(credentials[market])
    )
    checkin_id = (await checked_in.json())["checkin_id"]

    async def queued() -> bool:
        response = await gateway.get(f"/api/v1/checkins/{checkin_id}")
        return response.status == 200 and (await response.json())["status"] == "queued"

    await eventually(queued, what="queued")
    kiosk_csrf = await _signed_in(gateway, credentials[market], "/kiosk")
    link = await gateway.post(
        "/kiosk/phone-link", json={"checkin_id": checkin_id}, headers={"X-CSRF-Token": kiosk_csrf}
    )
    assert link.status == 200, await link.text()
    url = (await link.json())["url"]
    path = url[url.index("/w/") :]
    page = await (await gateway.get(path, allow_redirects=False)).text()  # the link's page, its form
    link_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert link_csrf
    opened = await gateway.post(path, data={"csrf_token": link_csrf.group(1)}, allow_redirects=False)
    assert opened.status == 303 and opened.headers["Location"] == "/worker"
    again = await gateway.get(path, allow_redirects=False)  # the same device: signed in again (WeChat opens twice)
    assert again.status == 303 and again.headers["Location"] == "/worker"

    page = await (await gateway.get("/worker")).text()
    phone_csrf = re.search(r'data-csrf="([^"]+)"', page)
    assert phone_csrf and checkin_id in page and id_number not in page

    job = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade), headers=auth(credentials["employer"])
    )
    assert job.status == 202

    async def offered() -> str | None:
        view = await (await gateway.get(f"/api/v1/checkins/{checkin_id}")).json()
        return view["offer"]["offer_id"] if view.get("status") == "offered" else None

    offer_id = await eventually(offered, what="offer")
    # the phone answers its own check-in's offer (another check-in's: tests/unit/test_offer_rights.py)
    answered = await gateway.post(
        f"/api/v1/offers/{offer_id}/answer", json={"answer": "accept"}, headers=_headers(phone_csrf.group(1))
    )
    assert answered.status == 202, await answered.text()
