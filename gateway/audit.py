"""Audit of personal data: every staff answer that shows a person's (masked) personal data is recorded.

The record goes to the ``audit`` topic before the answer is sent (acks=all, like every command): if Kafka
cannot take it, the staff member gets a 503, not the data. It names the actor, the action, the person's
pseudonym and which fields were shown — never the data itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from aiohttp import web

from gateway.typedefs import CLOCK, PUBLISHER, SETTINGS
from services import records, topics
from services.people.principal import Principal


async def record_reveal(
    request: web.Request,
    principal: Principal,
    *,
    action: str,
    subject: str,
    fields: Sequence[str],
    county: str | None = None,
    market_id: str | None = None,
) -> None:
    """Publish a :class:`~services.records.PersonalDataRevealed` and wait for the broker's acknowledgement."""
    record = records.PersonalDataRevealed(
        id=str(uuid.uuid4()),
        at=request.app[CLOCK](),
        actor_role=principal.role,
        actor_id=principal.account_id or principal.subject_id,
        action=action,
        subject=subject,
        fields=tuple(fields),
        county=county,
        market_id=market_id,
    )
    settings = request.app[SETTINGS]
    await request.app[PUBLISHER].publish(settings.topic(topics.AUDIT), record.actor_id.encode(), records.encode(record))
