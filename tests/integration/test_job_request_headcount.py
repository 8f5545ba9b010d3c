"""``POST /api/v1/job-requests/{id}/headcount`` end to end (issue 24): through Kafka, the market and the projector.
Raising a request offers the new place; lowering below the workers accepted is refused 409 naming the rule, a
headcount outside 1..200 is refused 422 on the field; lowering to the accepted withdraws the offer still out and
fills the request; a cancelled request cannot be changed."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import new_id_number
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support.waiting import eventually


async def _view(gateway: TestClient, url: str, token: str, ok: Any) -> dict[str, Any] | None:
    response = await gateway.get(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    if response.status != 200:
        return None
    body: dict[str, Any] = await response.json()
    return body if ok(body) else None


async def test_the_headcount_follows_the_employer_and_never_drops_below_the_accepted(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    market, trade = lane
    employer = credentials["employer"]
    tickets = []
    for _ in range(3):
        response = await gateway.post(
            "/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(credentials[market])
        )
        assert response.status == 202, await response.text()
        tickets.append(await response.json())
        url = tickets[-1]["status_url"]
        await eventually(lambda url=url: _view(gateway, url, "", lambda b: b.get("status") == "queued"))  # type: ignore[misc]
    posted = await gateway.post("/api/v1/job-requests", json=job_body(market, trade), headers=auth(employer))
    assert posted.status == 202
    request_id = (await posted.json())["request_id"]
    view_url = f"/api/v1/job-requests/{request_id}"
    offered = await eventually(lambda: _view(gateway, view_url, employer, lambda b: len(b.get("offers_out", [])) == 1))
    offer_id = offered["offers_out"][0]
    assert offered["offered_to"][0] in {t["checkin_id"] for t in tickets}
    answer = await gateway.post(
        f"/api/v1/offers/{offer_id}/answer",
        json={"answer": "accept"},
        headers=auth(credentials[market]),
    )
    assert answer.status == 202, await answer.text()
    await eventually(lambda: _view(gateway, view_url, employer, lambda b: len(b.get("accepted", [])) == 1))

    # raise to 3: two new places are offered
    url = f"/api/v1/job-requests/{request_id}/headcount"
    raised = await gateway.post(url, json={"headcount": 3}, headers=auth(employer))
    assert raised.status == 202, await raised.text()
    assert (await raised.json())["headcount"] == 3
    await eventually(
        lambda: _view(gateway, view_url, employer, lambda b: b["headcount"] == 3 and len(b["offers_out"]) == 2)
    )

    # below the one accepted: 409 naming the rule; out of range: 422 on the field
    below = await gateway.post(url, json={"headcount": 0}, headers=auth(employer))
    assert below.status == 422
    assert [e["field"] for e in (await below.json())["errors"]] == ["headcount"]
    # lower to the accepted: the offers out are withdrawn, the request is filled
    lowered = await gateway.post(url, json={"headcount": 1}, headers=auth(employer))
    assert lowered.status == 202, await lowered.text()
    filled = await eventually(
        lambda: _view(gateway, view_url, employer, lambda b: b["headcount"] == 1 and b["status"] == "filled")
    )
    assert filled["offers_out"] == [] and filled["previous_headcount"] == 3
    same = await gateway.post(url, json={"headcount": 1}, headers=auth(employer))
    assert same.status == 202  # the same headcount: accepted, and the market records no fact

    # cancelled: any change is refused 409 request_not_open
    cancel = await gateway.post(f"/api/v1/job-requests/{request_id}/cancel", json={}, headers=auth(employer))
    assert cancel.status == 202
    await eventually(lambda: _view(gateway, view_url, employer, lambda b: b["status"] == "cancelled"))
    ended = await gateway.post(url, json={"headcount": 2}, headers=auth(employer))
    assert ended.status == 409
    assert (await ended.json())["error"] == "request_not_open"


async def test_lowering_below_the_accepted_is_refused_409_naming_the_rule(
    gateway: TestClient, credentials: dict[str, str], lane: tuple[str, str]
) -> None:
    market, trade = lane
    employer = credentials["employer"]
    posted = await gateway.post(
        "/api/v1/job-requests", json=job_body(market, trade, headcount=2), headers=auth(employer)
    )
    request_id = (await posted.json())["request_id"]
    view_url = f"/api/v1/job-requests/{request_id}"
    for _ in range(2):
        response = await gateway.post(
            "/api/v1/checkins", json=check_in_body(new_id_number(), trade), headers=auth(credentials[market])
        )
        ticket = await response.json()
        offered = await eventually(
            lambda ticket=ticket: _view(gateway, ticket["status_url"], "", lambda b: b.get("status") == "offered")  # type: ignore[misc]
        )
        answer = await gateway.post(
            f"/api/v1/offers/{offered['offer']['offer_id']}/answer",
            json={"answer": "accept"},
            headers=auth(credentials[market]),
        )
        assert answer.status == 202, await answer.text()
    await eventually(lambda: _view(gateway, view_url, employer, lambda b: len(b.get("accepted", [])) == 2))
    below = await gateway.post(
        f"/api/v1/job-requests/{request_id}/headcount", json={"headcount": 1}, headers=auth(employer)
    )
    assert below.status == 409
    body = await below.json()
    assert body["error"] == "headcount_below_accepted"
    assert "不能少于 2 人" in body["message_zh"] and "cannot be below 2" in body["message_en"]
