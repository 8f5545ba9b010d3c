"""Admission of a bearer-token request in ONE Redis round trip: one Lua script (``EVALSHA``) counts the request
against the per-address limit, looks the token up (credential, revocation mark, its account), counts it against
the per-kiosk or per-account limit and, for a command, claims its Idempotency-Key.

The script stops where the step-by-step flow would stop, so every counter moves exactly as it did when each
step was its own round trip (:mod:`gateway.auth`): over the address limit nothing else is counted; an unknown,
revoked, or account-revoked token counts nothing more; over the kiosk/account limit nothing is claimed; the key
is claimed only for a principal of an allowed role. A token with an expiry is left to the caller (``check``):
its expiry is judged by the app's clock, not Redis's, so the script stops after the lookup.

Key names come from :mod:`services.readmodels.keys` as templates with a NUL where the principal-dependent part
goes (the script fills it), so the key formats stay in one place. The script reads keys it computes (single
Redis, as everywhere in the platform; not for Redis Cluster).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

from gateway.redis_batch import RedisBatch
from services.adapters.ratelimit import HIT_FUNCTION
from services.ratelimit import Limit, Verdict, verdict
from services.readmodels import keys

_HOLE = "\0"

_SCRIPT = (
    HIT_FUNCTION
    + """
local function fill(template, value)
  local at = string.find(template, '\\0', 1, true)
  return string.sub(template, 1, at - 1) .. value .. string.sub(template, at + 1)
end
local function present(v)
  return v ~= nil and v ~= false and v ~= cjson.null and v ~= 0 and v ~= ''
end
-- KEYS: address counter, credential, revocation mark of the token.
-- ARGV: 1 address window, 2 address max, 3 account key template, 4 revoked account template,
--       5 kiosk counter template, 6 kiosk window, 7 kiosk max, 8 account counter template, 9 account window,
--       10 account max, 11 roles that may claim (space-separated, padded), 12 idempotency key template
--       ('' for no claim), 13 claim value, 14 claim ttl.
local address = hit(KEYS[1], ARGV[1])
if address[1] > tonumber(ARGV[2]) then
  return {'address', address[1], address[2]}
end
local raw = redis.call('GET', KEYS[2])
if not raw or redis.call('EXISTS', KEYS[3]) == 1 then
  return {'unknown', address[1], address[2]}
end
local credential = cjson.decode(raw)
if present(credential.expires_at) then
  return {'check', address[1], address[2], raw}
end
local account_id = credential.account_id
if present(account_id) then
  local account = redis.call('GET', fill(ARGV[3], account_id))
  if not account or redis.call('EXISTS', fill(ARGV[4], account_id)) == 1 then
    return {'unknown', address[1], address[2]}
  end
  if present(cjson.decode(account).revoked) then
    return {'unknown', address[1], address[2]}
  end
end
local role = credential.role
local principal = role .. ':' .. credential.subject_id
local which, second, second_max = 'account', nil, ARGV[10]
if role == 'kiosk' then
  which = 'kiosk'
  second = hit(fill(ARGV[5], credential.subject_id), ARGV[6])
  second_max = ARGV[7]
else
  second = hit(fill(ARGV[8], present(account_id) and account_id or principal), ARGV[9])
end
if second[1] > tonumber(second_max) then
  return {'limited', address[1], address[2], raw, which, second[1], second[2]}
end
if ARGV[12] == '' or not string.find(ARGV[11], ' ' .. role .. ' ', 1, true) then
  return {'ok', address[1], address[2], raw, which, second[1], second[2]}
end
local name = fill(ARGV[12], principal)
if redis.call('SET', name, ARGV[13], 'NX', 'EX', ARGV[14]) then
  return {'ok', address[1], address[2], raw, which, second[1], second[2], 'claimed'}
end
return {'ok', address[1], address[2], raw, which, second[1], second[2], 'taken', redis.call('GET', name)}
"""
)

Status = Literal["address", "unknown", "check", "limited", "ok"]
#: The claim's outcome: ``"claimed"``, the value already stored under the key, or ``None`` (nothing claimed).
ClaimReply = Literal["claimed"] | bytes | None


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """The three request limits the script counts."""

    address: Limit
    kiosk: Limit
    account: Limit


@dataclasses.dataclass(frozen=True, slots=True)
class Claim:
    """An Idempotency-Key to claim for the principal, with the stored claim value and its lifetime."""

    key: str
    value: str
    ttl_seconds: int


@dataclasses.dataclass(frozen=True, slots=True)
class Admitted:
    """What the script found.

    ``status``: ``address`` (over the address limit), ``unknown`` (no live credential), ``check`` (a credential
    with an expiry: the caller checks it and goes on step by step), ``limited`` (over the kiosk/account limit),
    ``ok``. ``credential``: the raw credential record (``check``, ``limited``, ``ok``). ``second``: the verdict
    of the kiosk/account limit. ``claim``: ``None`` when nothing was claimed, ``"claimed"``, or the value
    already stored under the key (``bytes``).
    """

    status: Status
    address: Verdict
    credential: bytes | None = None
    second: Verdict | None = None
    claim: ClaimReply = None


class Admission:
    """The admission script on one Redis client, for one key prefix: ``EVALSHA`` through the gateway's
    :class:`~gateway.redis_batch.RedisBatch` (with the other requests' commands of the same loop turn); when Redis
    answers ``NOSCRIPT`` (restarted, flushed), redis-py's registered script loads it and runs it once."""

    def __init__(self, redis: aioredis.Redis, prefix: str, batch: RedisBatch | None = None) -> None:
        self._script = redis.register_script(_SCRIPT)
        self._batch = batch or RedisBatch(redis)
        self._prefix = prefix

    async def admit(
        self, address: str, digest: str, limits: Limits, claim_roles: Sequence[str], claim: Claim | None
    ) -> Admitted:
        """Run the script for the client ``address`` and the token's SHA-256 ``digest``; ``claim`` is made when
        the principal's role is one of ``claim_roles``."""
        p = self._prefix
        script_keys = (
            keys.rate_limit(p, limits.address.name, address),
            keys.credential(p, digest),
            keys.revoked_token(p, digest),
        )
        arguments = (
            limits.address.window_seconds,
            limits.address.max_requests,
            keys.account(p, _HOLE),
            keys.revoked_account(p, _HOLE),
            keys.rate_limit(p, limits.kiosk.name, _HOLE),
            limits.kiosk.window_seconds,
            limits.kiosk.max_requests,
            keys.rate_limit(p, limits.account.name, _HOLE),
            limits.account.window_seconds,
            limits.account.max_requests,
            " " + " ".join(claim_roles) + " ",
            keys.idempotency(p, _HOLE, claim.key) if claim else "",
            claim.value if claim else "",
            claim.ttl_seconds if claim else 0,
        )
        try:
            reply = await self._batch.execute("EVALSHA", self._script.sha, len(script_keys), *script_keys, *arguments)
        except NoScriptError:
            reply = await self._script(keys=script_keys, args=arguments)
        return parse(reply, limits)


def parse(reply: list[Any], limits: Limits) -> Admitted:
    """The script's reply as :class:`Admitted`."""
    status = reply[0].decode() if isinstance(reply[0], bytes) else str(reply[0])
    address = verdict(limits.address, int(reply[1]), int(reply[2]))
    if status in ("address", "unknown"):
        return Admitted(status, address)  # type: ignore[arg-type]
    credential = reply[3]
    if status == "check":
        return Admitted("check", address, credential)
    second = verdict(limits.kiosk if reply[4] == b"kiosk" else limits.account, int(reply[5]), int(reply[6]))
    if status == "limited":
        return Admitted("limited", address, credential, second)
    claim: ClaimReply = None
    if len(reply) > 7:
        claim = "claimed" if reply[7] == b"claimed" else reply[8]
    return Admitted("ok", address, credential, second, claim)
