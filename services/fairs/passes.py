"""The worker's fair pass: what the QR code a worker shows at a fair's door holds (never the raw ID number).

A pass is ``LGP1.<payload>.<signature>``: the payload (base64url JSON) carries the worker's keyed pseudonym
(:func:`services.people.identity.pseudonymise`), the masked ID number for display and the instant it expires; the
signature is HMAC-SHA256 under a key derived from the pseudonym key, so only the gateway can issue one and a
changed byte is refused. A pass is short-lived (:data:`LIFETIME`): a photograph of someone's phone stops working
soon after.

Rule codes of :func:`verify`: ``pass_invalid`` (not a pass, or a signature that does not match), ``pass_expired``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from services.errors import FieldError, InvalidInput

PREFIX = "LGP1"
#: How long a pass shown on a phone stays valid.
LIFETIME = timedelta(minutes=15)
_SIGNATURE_BYTES = 16
#: What a pass looks like (the OpenAPI document's pattern): the prefix, base64url payload and signature, spaces
#: around it allowed; whether it is one the gateway issued only :func:`verify` can say.
PASS_PATTERN = r"^\s*LGP1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\s*$"


@dataclasses.dataclass(frozen=True, slots=True)
class FairPass:
    """Who the pass stands for: the worker's pseudonym and masked ID number; when it stops being valid."""

    worker: str
    worker_masked: str
    expires_at: datetime


def _key(pseudonym_key: bytes) -> bytes:
    if not pseudonym_key:
        raise ValueError("empty pseudonym key")
    return hmac.new(pseudonym_key, b"lingong fair pass v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, pseudonym_key: bytes) -> str:
    mac = hmac.new(_key(pseudonym_key), f"{PREFIX}.{payload}".encode("ascii"), hashlib.sha256)
    return _b64(mac.digest()[:_SIGNATURE_BYTES])


def issue(worker: str, worker_masked: str, *, now: datetime, pseudonym_key: bytes) -> str:
    """A pass for ``worker`` (a pseudonym, ``w_…``) valid from ``now`` (aware) for :data:`LIFETIME`."""
    expires = int((now + LIFETIME).timestamp())
    payload = _b64(json.dumps({"w": worker, "m": worker_masked, "e": expires}, separators=(",", ":")).encode())
    return f"{PREFIX}.{payload}.{_signature(payload, pseudonym_key)}"


def _invalid() -> InvalidInput:
    return InvalidInput(
        FieldError(
            "pass",
            "pass_invalid",
            "无法识别这个二维码，请让求职者打开手机上的“入场码”，或输入身份证号码",
            "this QR code is not a worker's fair pass; ask for the pass on their phone or type the ID number",
        )
    )


def verify(text: object, *, now: datetime, pseudonym_key: bytes) -> FairPass:
    """The pass in ``text`` if its signature matches and it has not expired at ``now``; else
    :class:`InvalidInput` (``pass_invalid`` or ``pass_expired``)."""
    if not isinstance(text, str):
        raise _invalid()
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise _invalid()
    payload, signature = parts[1], parts[2]
    if not hmac.compare_digest(signature, _signature(payload, pseudonym_key)):
        raise _invalid()
    try:
        data = json.loads(_unb64(payload))
        worker, masked, expires = str(data["w"]), str(data["m"]), int(data["e"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _invalid() from None
    expires_at = datetime.fromtimestamp(expires, UTC)
    if now >= expires_at:
        raise InvalidInput(
            FieldError(
                "pass",
                "pass_expired",
                "入场码已过期，请让求职者在手机上刷新后再扫",
                "the fair pass has expired; ask the worker to refresh it on their phone",
            )
        )
    return FairPass(worker, masked, expires_at)
