"""Request and answer types of trust on both sides (issue 28): complaints and wage disputes as cases."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from gateway.wire.common import shown


class ComplaintBody(msgspec.Struct):
    """What the worker reports after a job: 没拿到工资 ``unpaid``, 工资少了 ``underpaid``, 工作内容不符
    ``not_as_described``, 我到了但被记为未到岗 ``marked_absent``."""

    kind: Literal["unpaid", "underpaid", "not_as_described", "marked_absent"]


class CaseAnswerBody(msgspec.Struct):
    """The employer's answer, shown to staff and the worker as written."""

    answer: Annotated[str, shown(500)]


class CaseActionBody(msgspec.Struct):
    """An officer's action: a first response, a finding (uphold / reject), or closing an upheld wage case."""

    action: Literal["respond", "uphold", "reject", "resolve"]
    note: Annotated[str, shown(500, optional=True)] = ""


class CaseCommandAccepted(msgspec.Struct, kw_only=True):
    """The command is on Kafka; the county writer's verdict appears at ``status_url``."""

    case_id: str
    status: Literal["accepted"]
    command_id: str
    status_url: str
    case_url: str
    placement_id: str | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET
