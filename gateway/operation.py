"""One description of each JSON operation: an :class:`Operation` value beside its handler, in the view module.

A declaration names the method, path, route name, role(s), request and answer types (msgspec structs from
:mod:`gateway.wire`) and a summary. From the declarations alone ``gateway/routes.py`` adds the JSON routes and
``gateway/openapi.py`` writes the document; :func:`decode` checks a request body against the declared type.
How to declare and add one: docs/api.md.

Contract of :func:`decode`: the body (already JSON, an object: :mod:`gateway.middlewares`) converted to the
operation's request type with msgspec's strict rules, fields the type does not list ignored; or
:class:`~services.errors.InvalidInput` naming the field (its JSON path, e.g. ``positions[0].trade``) and the rule,
in Chinese and English. The domain parsers in ``services/`` still check the body after the type (check
characters, times against the clock, screening) and word the rules they know.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeGuard, TypeVar

import msgspec
from aiohttp import web

from gateway.typedefs import OPERATIONS_BY_ROUTE
from gateway.wire.common import AnyObject, Role
from services.errors import FieldError, InvalidInput
from services.people.principal import Role as PrincipalRole

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")

#: Errors of a POST that reads a JSON body outside the command flow.
BODY_ERRORS = (400, 408, 413, 422)


@dataclasses.dataclass(frozen=True, slots=True)
class Param:
    """A query parameter, or the schema of a path parameter (a ``{name}`` of the path, else a string).
    ``checked``: a value the gateway does not know is answered 422 naming the parameter."""

    name: str
    schema: Any
    where: Literal["query", "path"] = "query"
    checked: bool = False
    description: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """One route of the JSON API. ``roles``: the credentials the document names (the first is the operation's
    own; none: public or a page session, see ``extra_statuses``). ``command``: the accept-a-command flow of
    :mod:`gateway.commands` (``Idempotency-Key`` header, 202 once Kafka has it, 409/422 on key reuse, 503 when
    the broker is down). ``request``: a struct, or a union of tagged structs; ``None`` for no body. ``links``:
    OpenAPI links of the success answer (the ids it returns lead to the operations that take them)."""

    method: Literal["GET", "POST"]
    path: str
    name: str
    summary: str
    handler: Handler
    roles: tuple[Role, ...] = ()
    request: Any = None
    response: type[msgspec.Struct] = AnyObject
    command: bool = False
    not_found: bool = False
    tags: tuple[str, ...] = ()
    description: str = ""
    params: tuple[Param, ...] = ()
    #: Error statuses beyond those implied by the other fields (e.g. 409 for a login taken).
    extra_statuses: tuple[int, ...] = ()
    links: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    #: Principals of a page session the document does not name (the worker's phone page), also allowed.
    page_roles: tuple[PrincipalRole, ...] = ()

    @property
    def status(self) -> int:
        return 202 if self.command else 200

    @property
    def allowed(self) -> tuple[PrincipalRole, ...]:
        """Who may call it: the documented credentials' roles, then the page sessions' (a city administrator
        acts in every staff role: :func:`services.people.principal.role_allows`)."""
        return (*self.roles, *self.page_roles)


def operation_of(request: web.Request) -> Operation | None:
    """The declaration of the JSON operation ``request`` was routed to, or ``None`` (a page, an unknown path)."""
    resource = request.match_info.route.resource
    if resource is None or not request.path.startswith("/api/") or not _documented_method(request.method):
        return None
    return request.app.get(OPERATIONS_BY_ROUTE, {}).get((request.method, resource.canonical))


def _documented_method(method: str) -> TypeGuard[Literal["GET", "POST"]]:
    """GET and POST: the only methods the document has operations for."""
    return method in ("GET", "POST")


def declared_roles(request: web.Request) -> tuple[PrincipalRole, ...]:
    """The roles the request's operation allows (:attr:`Operation.allowed`): what a handler authenticates with."""
    operation = operation_of(request)
    if operation is None:
        raise LookupError(f"{request.method} {request.path} is not a declared operation")
    return operation.allowed


def links_to(field: str, *targets: str) -> dict[str, dict[str, Any]]:
    """Links to ``targets`` (operation names) with their path parameter ``field`` taken from the answer's
    ``field``."""
    return {target: {"operationId": target, "parameters": {field: f"$response.body#/{field}"}} for target in targets}


def decode(operation: Operation, body: Any) -> Any:
    """See the module's contract; ``None`` when the operation declares no request type."""
    if operation.request is None:
        return None
    try:
        return msgspec.convert(body, operation.request, strict=True)
    except msgspec.ValidationError:
        pass  # perhaps a whole number written with a fraction: only then is the body walked (the hot path is not)
    try:
        return msgspec.convert(_integral(body), operation.request, strict=True)
    except msgspec.ValidationError as error:
        raise InvalidInput(refusal(str(error))) from error


def parsed(operation: Operation, body: Any, parse: Callable[[Any], T]) -> T:
    """``parse(body)`` (a domain parser) once ``body`` is decoded by the operation's request type. A body the type
    refuses goes to the parser first, so a rule the domain knows is answered in its words."""
    try:
        decode(operation, body)
    except InvalidInput:
        parse(body)
        raise
    return parse(body)


def _integral(value: Any) -> Any:
    """Numbers with no fraction as integers (JSON Schema's ``integer`` includes ``3.0``; msgspec's does not)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")


def refusal(message: str) -> FieldError:
    """A msgspec validation message (``Expected `int` >= 1 - at `$.headcount```) as the field and the rule."""
    at = _AT.search(message)
    path = at.group("path") if at else ""
    what = message[: at.start()] if at else message
    missing = _MISSING.match(what)
    if missing:
        field = _field(f"{path}.{missing.group('field')}")
        return FieldError(field, "required", f"请填写 {field}", f"{field} is required")
    field = _field(path) or "body"
    rule, zh = _rule(what)
    return FieldError(field, rule, f"{field} {zh}", f"{field}: {what[0].lower()}{what[1:]}")


def _field(path: str) -> str:
    """``$.positions[0].trade`` → ``positions[0].trade``."""
    return path.removeprefix(".")


def _rule(what: str) -> tuple[str, str]:
    """The rule a msgspec message names, and its Chinese wording."""
    if "matching regex" in what:
        return "format", "的格式不对"
    if "Invalid enum value" in what or "Invalid value" in what:
        return "choice", "不是可选的值"
    if "length" in what:
        return "length", "的长度不在允许范围内"
    if re.search(r"[<>]=? ", what):
        return "range", "超出允许的范围"
    return "type", "的类型不对"
