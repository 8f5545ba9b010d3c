"""The OpenAPI document covers every JSON route and is what the gateway serves."""

from __future__ import annotations

import schemathesis
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway import openapi
from gateway.main import create_app
from services.settings import Settings


def _api_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every JSON route: under ``/api/``, plus ``/healthz``."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method != "HEAD" and (path.startswith("/api/") or path == "/healthz"):
            found.add((route.method, path))
    return found


def test_every_api_route_is_documented() -> None:
    app = create_app(Settings())
    routes = {
        (route.method, route.resource.canonical): route.name
        for route in app.router.routes()
        if route.resource is not None
    }
    missing = sorted(_api_routes(app) - set(openapi.OPERATIONS_BY_ROUTE))
    rows = "\n".join(
        f'    Operation("{method}", "{path}", "{routes[(method, path)]}", "<what it does>", '
        f'role="<kiosk|employer|organiser|officer, or leave out if public>", '
        + (
            "body=<RequestStruct>, answer=<AnswerStruct>, command=True"
            if method == "POST"
            else "answer=<AnswerStruct>"
        )
        + (", not_found=True" if "{" in path else "")
        + "),"
        for method, path in missing
    )
    assert not missing, (
        f"{len(missing)} JSON route(s) of gateway/routes.py are not in the OpenAPI document. Add to "
        f"gateway/openapi.py OPERATIONS (with msgspec structs for the bodies):\n{rows}"
    )


def test_no_documented_operation_is_stale() -> None:
    stale = set(openapi.OPERATIONS_BY_ROUTE) - _api_routes(create_app(Settings()))
    assert not stale, f"documented in gateway/openapi.py but not routed: {sorted(stale)}"


async def test_gateway_serves_a_valid_openapi_3_1_document(gateway: TestClient) -> None:
    response = await gateway.get("/api/openapi.json")
    assert response.status == 200
    served = await response.json()
    assert served == openapi.document() and served["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(served)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == set(openapi.OPERATIONS_BY_ROUTE)
    job = served["paths"]["/api/v1/job-requests"]["post"]
    assert job["security"] == [{"employerToken": []}]
    assert {p["name"] for p in job["parameters"]} == {"Idempotency-Key"}
    assert "422" in job["responses"] and "202" in job["responses"]
