"""The accept-a-command flow shared by every write endpoint.

1. the ``Idempotency-Key`` header is required and well-formed (else 400);
2. the key is claimed for this principal (replay / 409 / 422 as in :mod:`gateway.idempotency`) — already in the
   admission round trip when the view authenticated with :func:`authenticate_command`;
3. the body is decoded by the operation's declared request type (:func:`gateway.operation.decode`) and parsed and
   validated by the endpoint's ``build`` with the domain's parsers (4xx on failure, the claim is released; a rule
   both refuse is worded by the domain);
4. the record is published and acknowledged by Kafka (else 503, the claim is released);
5. only then the answer is stored under the key and returned with its status (202).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from aiohttp import web

from gateway import admission, auth, idempotency, operation
from gateway.bodies import decode_json
from gateway.problems import ApiError, json_answer
from gateway.typedefs import DEDUPLICATE, IDEMPOTENCY, PUBLISHER
from services import records
from services.errors import InvalidInput
from services.people.principal import Principal, Role


class Accepted(msgspec.Struct, frozen=True):
    """What ``build`` returns: the record to publish, where, and the answer for the client."""

    topic: str
    key: bytes
    record: msgspec.Struct
    answer: dict[str, Any]


Build = Callable[[str, Any], Awaitable[Accepted]]


def idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(
            400,
            "idempotency_key_required",
            "缺少 Idempotency-Key 请求头（每次提交一个新的随机值，重试时保持不变）",
            "the Idempotency-Key header is required (a new random value per submission, the same on retry)",
            field="Idempotency-Key",
        )
    if not idempotency.KEY_PATTERN.match(key):
        raise ApiError(
            400,
            "idempotency_key_format",
            "Idempotency-Key 必须是 8 到 128 位字母、数字或 _-.:",
            "Idempotency-Key must be 8 to 128 characters of letters, digits or _-.:",
            field="Idempotency-Key",
        )
    return key


async def _claim(request: web.Request) -> admission.Claim | None:
    """The claim of the request's Idempotency-Key, when the header is well-formed (else :func:`accept` answers
    400 after authentication) and deduplication is on."""
    if not request.app[DEDUPLICATE]:
        return None
    key = request.headers.get("Idempotency-Key", "").strip()
    if not idempotency.KEY_PATTERN.match(key):
        return None
    store = request.app[IDEMPOTENCY]
    fingerprint = store.fingerprint(request.method, request.path, await request.read())
    return admission.Claim(key, store.claim_value(fingerprint), store.ttl_seconds)


async def authenticate_command(request: web.Request, *roles: Role) -> tuple[Principal, admission.ClaimReply]:
    """:func:`gateway.auth.authenticate` that also claims the Idempotency-Key in the same Redis round trip; pass
    the reply to :func:`accept` at once: only ``accept`` releases a claim when the command fails, so nothing
    between the two may raise."""
    return await auth.authenticate_command(request, *roles, claim=await _claim(request))


def command_id(principal: Principal, key: str) -> str:
    """The command id is a function of who sent it and their key: a retry always carries the same id."""
    return records.derived_id("command", principal.key, key)


async def accept(
    request: web.Request, principal: Principal, build: Build, claimed: admission.ClaimReply = None
) -> web.Response:
    """Steps 1 to 5 of the module's docstring; ``claimed`` is the reply of :func:`authenticate_command` (``None``:
    the key is claimed here)."""
    key = idempotency_key(request)
    raw = await request.read()
    if not request.app[DEDUPLICATE]:  # the fault battery only (gateway.main.create_app): no replay, no 409/422
        accepted = await checked_build(request, build, command_id(principal, key), decode_json(raw))
        await request.app[PUBLISHER].publish(accepted.topic, accepted.key, records.encode(accepted.record))
        return json_answer(accepted.answer, status=202)
    store = request.app[IDEMPOTENCY]
    fingerprint = store.fingerprint(request.method, request.path, raw)
    if claimed is None:
        outcome = await store.begin(principal.key, key, fingerprint)
    else:
        outcome = idempotency.Claimed() if claimed == "claimed" else store.outcome_of(claimed, fingerprint)
    if isinstance(outcome, idempotency.Replay):
        return json_answer(outcome.body, status=outcome.status, headers={"Idempotent-Replayed": "true"})
    if isinstance(outcome, idempotency.InFlight):
        raise ApiError(
            409,
            "idempotency_key_in_use",
            "相同的提交正在处理中，请稍候",
            "a request with this Idempotency-Key is still being processed",
            field="Idempotency-Key",
        )
    if isinstance(outcome, idempotency.Mismatch):
        raise ApiError(
            422,
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一份不同的提交",
            "this Idempotency-Key was already used with a different request body",
            field="Idempotency-Key",
        )
    try:
        accepted = await checked_build(request, build, command_id(principal, key), decode_json(raw))
        await request.app[PUBLISHER].publish(accepted.topic, accepted.key, records.encode(accepted.record))
    except BaseException:
        await store.abandon(principal.key, key)
        raise
    await store.finish(principal.key, key, fingerprint, 202, accepted.answer)
    return json_answer(accepted.answer, status=202)


async def checked_build(request: web.Request, build: Build, command_id: str, body: Any) -> Accepted:
    """``build(command_id, body)`` once ``body`` is decoded by the operation's request type. A body the type
    refuses still goes to ``build`` first, so a rule the domain's parsers know is answered in their words; one
    only the type knows is answered from the type (:func:`gateway.operation.refusal`)."""
    declared = operation.operation_of(request)
    refused: InvalidInput | None = None
    if declared is not None:
        try:
            operation.decode(declared, body)
        except InvalidInput as error:
            refused = error
    accepted = await build(command_id, body)
    if refused is not None:
        raise refused
    return accepted
