"""Trust on both sides through the real stack (issue 28): a placement is completed, the worker reports 没拿到工资
from the phone page, the county's staff see the case (another county's officer does not), staff uphold it and the
employer is refused posting with a 409 naming the rule; the employer records the wage paid, staff resolve the case,
the employer posts again, and the next worker's offer shows the employer's pay record with the case, counted once.

Time is the gateway's movable clock on the test day: 12:50 local at first (later than any other test moves this
station's clock: browser/test_placement_life.py to 09:41, browser/test_trust.py to 11:01, both run before), the
job from 13:00 for an hour, the report at 14:01. The lane is at a station no later test uses
(``sc-shuangshui-station``, 水城区). The
employer is one of its own: while blocked it cannot post, and the shared test employer must never be.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from deploy.local.demo import wait_for_credentials
from services.adapters.registry import register_credential
from services.settings import Settings
from tests.conftest import TEST_NOW, new_id_number, take_lane
from tests.integration.conftest import auth, check_in_body, job_body
from tests.integration.fair_support import fair_client
from tests.support.waiting import eventually

MARKET = "sc-shuangshui-station"
COUNTY = "shuicheng"
START = TEST_NOW.replace(hour=4, minute=50)  # 12:50 local


async def _json(gateway: TestClient, url: str, headers: dict[str, str] | None = None) -> dict[str, Any] | None:
    response = await gateway.get(url, headers=headers)
    return await response.json() if response.status == 200 else None


async def _phone(gateway: TestClient, kiosk_token: str, checkin_id: str) -> str:
    """Sign the test client in as the worker's phone for ``checkin_id`` (the kiosk's link): the CSRF token."""
    form = await (await gateway.get("/sign-in?next=/kiosk")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    signed = await gateway.post(
        "/sign-in",
        data={"csrf_token": csrf.group(1), "next": "/kiosk", "access_key": kiosk_token},
        allow_redirects=False,
    )
    assert signed.status == 303
    kiosk_csrf = re.search(r'data-csrf="([^"]+)"', await (await gateway.get("/kiosk")).text())
    assert kiosk_csrf
    link = await gateway.post(
        "/kiosk/phone-link", json={"checkin_id": checkin_id}, headers={"X-CSRF-Token": kiosk_csrf.group(1)}
    )
    assert link.status == 200, await link.text()
    url = (await link.json())["url"]
    path = url[url.index("/w/") :]
    page = await (await gateway.get(path, allow_redirects=False)).text()
    link_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert link_csrf
    opened = await gateway.post(path, data={"csrf_token": link_csrf.group(1)}, allow_redirects=False)
    assert opened.status == 303
    phone = re.search(r'data-csrf="([^"]+)"', await (await gateway.get("/worker")).text())
    assert phone
    return phone.group(1)


async def test_an_unpaid_wage_blocks_the_employer_until_staff_resolve_it(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    platform: Settings,
    credentials: dict[str, str],
) -> None:
    market, trade = take_lane(MARKET)
    gateway, clock = await fair_client(aiohttp_client, platform, START)
    employer = await register_credential(
        platform, role="employer", subject_id=f"e-trust-{uuid.uuid4().hex[:8]}", display_name="诚信测试用工单位"
    )
    await wait_for_credentials(platform, [employer])
    kiosk = credentials[market]
    staff = {"Authorization": f"Bearer {credentials['officer_shuicheng']}"}
    elsewhere = {"Authorization": f"Bearer {credentials['officer_panzhou']}"}

    checked_in = await gateway.post("/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(kiosk))
    assert checked_in.status == 202, await checked_in.text()
    checkin_id = (await checked_in.json())["checkin_id"]
    url = f"/api/v1/checkins/{checkin_id}"
    await eventually(lambda: _json(gateway, url), what="ticket")
    posted = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade, start="13:00", hours=1), headers=auth(employer)
    )
    assert posted.status == 202, await posted.text()

    async def offered(checkin: str) -> dict[str, Any] | None:
        view = await _json(gateway, f"/api/v1/checkins/{checkin}")
        return view["offer"] if view and view.get("status") == "offered" else None

    offer = await eventually(lambda: offered(checkin_id), what="offer")
    assert offer["pay_record_zh"] == "近 30 天按时付薪 0/0", offer  # a new employer: nothing behind it yet
    accepted = await gateway.post(
        f"/api/v1/offers/{offer['offer_id']}/answer", json={"answer": "accept"}, headers=auth(kiosk)
    )
    assert accepted.status == 202

    async def placed() -> str | None:
        view = await _json(gateway, url)
        return view.get("placement_id") if view else None

    placement_id = await eventually(placed, what="placement")
    base = f"/api/v1/placements/{placement_id}"
    clock.at = START + timedelta(minutes=10)  # 13:00
    done = await gateway.post(f"{base}/steps", json={"step": "completed", "with_arrival": True}, headers=auth(employer))
    assert done.status == 202, await done.text()

    async def completed() -> bool:
        view = await _json(gateway, url) or {}
        return any("completed" in j.get("steps", []) for j in view.get("jobs", []))

    await eventually(completed, what="completed on the ticket")

    # the worker reports 没拿到工资 from the phone page, after the end
    phone = await _phone(gateway, kiosk, checkin_id)
    early = await gateway.post(
        f"{base}/complaints",
        json={"kind": "unpaid"},
        headers={"X-CSRF-Token": phone, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert early.status == 409 and (await early.json())["error"] == "unpaid_before_end"
    clock.at = START + timedelta(minutes=71)  # 14:01
    reported = await gateway.post(
        f"{base}/complaints",
        json={"kind": "unpaid"},
        headers={"X-CSRF-Token": phone, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert reported.status == 202, await reported.text()
    case_id = (await reported.json())["case_id"]

    async def in_queue(headers: dict[str, str]) -> dict[str, Any] | None:
        answer = await _json(gateway, "/api/v1/cases", headers) or {"queues": []}
        rows = [c for q in answer["queues"] for c in q["cases"] if c["case_id"] == case_id]
        return rows[0] if rows else None

    row = await eventually(lambda: in_queue(staff), what="the case in the county's queue")
    assert row["state"] == "open" and row["kind_zh"] == "没拿到工资" and row["worker_masked"].count("*") >= 8
    assert row["first_response_due"] is not None and not row["overdue"]
    assert await in_queue(elsewhere) is None  # another county's officer: not in their queue
    other = await gateway.get(f"/api/v1/cases/{case_id}", headers=elsewhere)
    assert other.status == 404
    case = await _json(gateway, f"/api/v1/cases/{case_id}", staff)
    assert case is not None and [s["step"] for s in case["placement"]["steps"]] == ["arrived", "completed"]
    assert "worker" not in case["placement"]

    # staff uphold it: the employer is blocked from posting, with the rule
    upheld = await gateway.post(
        f"/api/v1/cases/{case_id}/actions",
        json={"action": "uphold", "note": "电话核实"},
        headers={**staff, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert upheld.status == 202, await upheld.text()

    async def state_is(state: str) -> bool:
        row = await in_queue(staff)
        return row is not None and row["state"] == state

    await eventually(lambda: state_is("upheld"), what="upheld in the queue")
    refused = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade, start="14:30", hours=1), headers=auth(employer)
    )
    assert refused.status == 409, await refused.text()
    refusal = await refused.json()
    assert refusal["error"] == "employer_unpaid_wage_dispute"
    assert "欠薪" in refusal["message_zh"] and "rule" in refusal["message_en"]

    # the employer records the payment; staff resolve; the employer posts again
    paid = await gateway.post(f"{base}/steps", json={"step": "wage_paid"}, headers=auth(employer))
    assert paid.status == 202, await paid.text()
    resolved = await gateway.post(
        f"/api/v1/cases/{case_id}/actions",
        json={"action": "resolve", "note": "已补发"},
        headers={**staff, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resolved.status == 202, await resolved.text()

    await eventually(lambda: state_is("resolved"), what="resolved in the queue")
    clock.at = START + timedelta(minutes=73)  # 14:03
    # the first worker goes home (their job stands): the next worker is the one offered the next job
    left = await gateway.post(f"/api/v1/checkins/{checkin_id}/check-out", json={}, headers=auth(kiosk))
    assert left.status == 202, await left.text()
    next_worker = await gateway.post(
        "/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(kiosk)
    )
    next_id = (await next_worker.json())["checkin_id"]
    await eventually(lambda: _json(gateway, f"/api/v1/checkins/{next_id}"), what="the next ticket")
    again = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade, start="14:30", hours=1), headers=auth(employer)
    )
    assert again.status == 202, await again.text()
    next_offer = await eventually(lambda: offered(next_id), what="the next worker's offer")
    assert next_offer["pay_record_zh"] == "近 30 天按时付薪 1/1，欠薪投诉成立 1 起", next_offer
    assert next_offer["pay_record_en"].startswith("paid on time 1/1")

    employer_id = case["placement"]["employer_id"]
    record = await _json(gateway, f"/api/v1/employers/{employer_id}/record", staff)
    assert record is not None
    figures = record["windows"]["30"]["figures"]
    assert figures["disputes_upheld"]["count"] == 1 and figures["disputes_upheld"]["cases"] == [case_id]
    assert figures["completed"]["placements"] == [placement_id]

    # the staff's page of the queue (signed in as the county's officer)
    form = await (await gateway.get("/sign-in?next=/cases")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    await gateway.post(
        "/sign-in",
        data={"csrf_token": csrf.group(1), "next": "/cases", "access_key": credentials["officer_shuicheng"]},
        allow_redirects=False,
    )
    page = await gateway.get("/cases")
    html = await page.text()
    assert page.status == 200 and case_id in html and "没拿到工资" in html and "已处理完毕" in html
