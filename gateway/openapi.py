"""The OpenAPI 3.1 document of the JSON API, written from the operations' declarations (:mod:`gateway.operation`)
and served at ``GET /api/openapi.json`` (:mod:`gateway.api`).

Request and answer types are msgspec structs (:mod:`gateway.wire`), whose JSON schemas
``msgspec.json.schema_components`` writes into ``components``. The structs describe the wire and decode the
requests; the parsers in ``services/`` then check what a schema cannot: ID check characters, times not yet past,
screening. The rules in one place: docs/api.md.

``tests/integration/test_openapi.py`` checks that every ``/api/`` route is in the document and the document is
valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from gateway import idempotency
from gateway.operation import Operation, Param
from gateway.wire import COMPONENT_EXTRAS
from gateway.wire.common import Problem

# ---------------------------------------------------------------- the document

_ERRORS: dict[int, str] = {
    400: "malformed request: Idempotency-Key missing or malformed, body not JSON (or nested deeper than 32); a "
    "request head the HTTP parser cannot read (a control byte in a header) is answered by aiohttp before the "
    "gateway sees it, as plain text, and the connection closed",
    401: "missing or unknown credential",
    403: "the credential's role may not do this",
    404: "no such resource (or not yours)",
    408: "the request body did not arrive in time",
    409: "a request with this Idempotency-Key is still in flight (`idempotency_key_in_use`), or a rule of the "
    "resource's life (named as `error`), or (accounts) the login is taken",
    413: "the request body is too large",
    415: "the request body is not sent as application/json",
    422: "invalid input: every broken rule, naming the field and the rule; also an Idempotency-Key already used "
    "with another body (`idempotency_key_reused`), and a body that is not a JSON object (`body_object`)",
    429: "over a rate limit (named as the field); retry after Retry-After seconds",
    503: "Kafka or Redis is unavailable; retry after Retry-After seconds",
}


def _error_statuses(op: Operation) -> list[int]:
    statuses = {503, *op.extra_statuses}
    if op.roles:
        statuses |= {401, 403, 429}
    if op.not_found:
        statuses.add(404)
    if op.command:
        statuses |= {400, 408, 409, 413, 422}
    if op.request is not None:
        statuses |= {400, 408, 413, 415, 422}
    if any(p.checked for p in op.params):
        statuses.add(422)
    return sorted(statuses)


def _parameter(param: Param, required: bool) -> dict[str, Any]:
    found = {"name": param.name, "in": param.where, "required": required}
    if param.description:
        found["description"] = param.description
    return {**found, "schema": msgspec.json.schema(param.schema)}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    in_path = {p.name: p for p in op.params if p.where == "path"}
    for segment in op.path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            params.append(_parameter(in_path.get(name, Param(name, str, where="path")), True))
    params.extend(_parameter(p, False) for p in op.params if p.where == "query")
    if op.command:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "a new random value per submission, the same on retry; the same key and body "
                "replays the first answer (header Idempotent-Replayed: true)",
                "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN.pattern},
            }
        )
    return params


def document(operations: Sequence[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations``."""
    structs: list[type[msgspec.Struct]] = [Problem]
    for op in operations:
        structs.append(op.response)
        if op.request is not None:
            structs.append(op.request)
    unique = list(dict.fromkeys(structs))
    schemas, components = msgspec.json.schema_components(unique, ref_template="#/components/schemas/{name}")
    ref = dict(zip(unique, schemas, strict=True))
    for name, extra in COMPONENT_EXTRAS.items():
        components[name].update(extra)
    problem = {"application/json": {"schema": ref[Problem]}}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        responses: dict[str, Any] = {
            str(op.status): {
                "description": "accepted: Kafka has the command" if op.command else "OK",
                "content": {"application/json": {"schema": ref[op.response]}},
            }
        }
        if op.links:
            responses[str(op.status)]["links"] = dict(op.links)
        for status in _error_statuses(op):
            responses[str(status)] = {"description": _ERRORS[status], "content": problem}
        entry: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "tags": list(op.tags),
            "parameters": _parameters(op),
            "responses": responses,
        }
        if op.description:
            entry["description"] = op.description
        if op.roles:
            entry["security"] = [{f"{role}Token": []} for role in op.roles]
        if op.request is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref[op.request]}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "零工 lingong — 六盘水零工市场与招聘会平台 API",
            "version": "1",
            "description": "Errors name the field and the rule, in Chinese then English. A request body is a JSON "
            "object sent as `application/json` (else 415, 400 or 422); fields an operation does not list are "
            "ignored. A command (answer 202) needs an Idempotency-Key: a retry with the same key and the same body "
            "(compared as JSON values, so key order and spacing do not matter) replays the first answer with "
            "`Idempotent-Replayed: true`; the same key with another body is 422 `idempotency_key_reused`; while "
            "the first is still being processed, 409 `idempotency_key_in_use`. A 202 means Kafka has the command. "
            "Times are local (Asia/Shanghai); rules a schema cannot state (ID check characters, times not yet "
            "past, one field after another) are in the descriptions. A command's 202 answer links to the commands "
            "on what it names; what it makes is readable once its agent applied it (its `status_url`). All the "
            "rules in one place: docs/api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                f"{role}Token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": f"a {role} token (only its SHA-256 is stored)",
                }
                for role in ("kiosk", "employer", "organiser", "officer", "admin")
            },
        },
    }
