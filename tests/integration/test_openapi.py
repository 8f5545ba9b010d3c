"""The OpenAPI document covers every JSON route and is what the gateway serves; routes and document come from the
same declarations (gateway/operation.py)."""

from __future__ import annotations

import schemathesis
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway import api
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
    missing = sorted(_api_routes(create_app(Settings())) - set(api.BY_ROUTE))
    assert not missing, (
        f"{len(missing)} JSON route(s) are added by hand instead of declared: declare each as an Operation beside "
        f"its handler and list it in the view module's OPERATIONS (docs/api.md): {missing}"
    )


def test_no_documented_operation_is_stale() -> None:
    stale = set(api.BY_ROUTE) - _api_routes(create_app(Settings()))
    assert not stale, f"declared but not routed: {sorted(stale)}"


def test_each_operation_is_declared_once() -> None:
    names = [op.name for op in api.OPERATIONS]
    routes = [(op.method, op.path) for op in api.OPERATIONS]
    assert len(set(names)) == len(names) and len(set(routes)) == len(routes)


def test_routes_are_named_and_handled_as_declared() -> None:
    app = create_app(Settings())
    for op in api.OPERATIONS:
        route = app.router[op.name]
        assert route.canonical == op.path
        assert any(r.method == op.method and r.handler is op.handler for r in route), op.name


async def test_gateway_serves_a_valid_openapi_3_1_document(gateway: TestClient) -> None:
    response = await gateway.get("/api/openapi.json")
    assert response.status == 200
    served = await response.json()
    assert served == api.document() and served["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(served)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == set(api.BY_ROUTE)
    job = served["paths"]["/api/v1/job-requests"]["post"]
    assert job["security"] == [{"employerToken": []}]
    assert {p["name"] for p in job["parameters"]} == {"Idempotency-Key"}
    assert "422" in job["responses"] and "202" in job["responses"]
