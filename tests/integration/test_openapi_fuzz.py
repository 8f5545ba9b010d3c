"""schemathesis against the OpenAPI document: the real gateway on a loopback port, real Kafka and Redis.

The fuzzed gateway uses topics of its own (``<prefix>fuzz.``, created here, consumed by nobody) and
credentials written to its own Redis prefix (no other test knows them), so generated postings and check-ins
never reach the markets that other tests use, and nothing it revokes is shared.

Every check runs, ``positive_data_acceptance`` and ``negative_data_rejection`` included: schema-valid requests
must not be refused with a 4xx other than 401/403/404/409/429, schema-violating ones must be refused. Each
operation runs in both generation modes as its own role(s) and, with fewer examples, as every other role and
not signed in. What a JSON Schema cannot state and the document states in words is supplied here, each rule
once: the ``gb11643`` and ``gb32100`` formats (check characters; an adult's birth date) and, for valid
examples only, the rules between fields or against the clock (:data:`RULES_IN_WORDS`).
Not run: the stateful phase (the document has no links yet).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import hypothesis
import pytest
import redis
import requests
import schemathesis
from aiohttp import web
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from gateway import openapi
from gateway.auth import token_sha256
from gateway.main import create_app, server_options
from services import clock, credit_code, geography, identity, records, screening
from services.readmodels.registry_views import RegistryViews
from services.readmodels.views import dump
from services.reports import periods
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import TEST_NOW
from tests.support import stack

#: Examples per operation, mode and caller: the operation's own roles, then every other caller.
OWN_EXAMPLES = 25
OTHER_EXAMPLES = 3
TOKENS = {
    "kiosk": "fuzz-kiosk-token-zs-market",
    "employer": "fuzz-employer-token",
    "organiser": "fuzz-organiser",
    "officer": "fuzz-officer",
    "admin": "fuzz-admin",
}
#: The run's budget: it is part of the suite, which must stay under 30 minutes.
BUDGET_SECONDS = 300


@dataclasses.dataclass
class Target:
    base_url: str
    settings: Settings


@pytest.fixture(scope="module")
def target(kafka: stack.KafkaBroker, platform: Settings) -> Iterator[Target]:
    settings = dataclasses.replace(platform, topic_prefix=f"{platform.topic_prefix}fuzz.")
    kafka.create_topics(topic_specs(settings))
    _register(settings)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(settings, clock=lambda: TEST_NOW), **server_options(settings))

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        yield Target(f"http://127.0.0.1:{port}", settings)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def _register(settings: Settings) -> None:
    """The credentials the projector would make from the registry topic, under the fuzz prefix."""
    views = RegistryViews(settings.topic_prefix)
    client = redis.Redis.from_url(settings.redis_url)
    try:
        for role, token in TOKENS.items():
            event = records.DeviceRegistered(
                id=records.derived_id("fuzz-credential", role),
                at=datetime.now(UTC),
                token_sha256=token_sha256(token),
                role=role,
                subject_id=f"fuzz-{role}",
                display_name=f"模糊测试 {role}",
                market_id="zs-market" if role == "kiosk" else None,
                county="zhongshan" if role == "officer" else None,
            )
            for key, view in views.apply(event, {}).items():
                client.set(key, dump(view) or b"")
    finally:
        client.close()


_FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """``format: gb11643``: a valid number of an adult (18 or older), sometimes written as the document allows
    (full-width, lower-case x, spaces around)."""
    region = draw(st.sampled_from([c.region_code for c in geography.COUNTIES if c.region_code]))
    born = draw(st.dates(date(1950, 1, 1), date(2000, 12, 31)))
    first17 = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    number = first17 + identity.check_character(first17)
    style = draw(st.sampled_from(["plain", "lower", "full", "spaced"]))
    if style == "lower":
        return number.lower()
    if style == "full":
        return number.translate(_FULL_WIDTH)
    return f" {number} " if style == "spaced" else number


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    """``format: gb32100``: a unified social credit code with its check character."""
    first17 = "".join(draw(st.lists(st.sampled_from(credit_code.ALPHABET), min_size=17, max_size=17)))
    return first17 + credit_code.check_character(first17)


schemathesis.openapi.format("gb11643", resident_ids())
schemathesis.openapi.format("gb32100", credit_codes())

_NOW = TEST_NOW
_TODAY = clock.local_date(_NOW)
_LOCAL_NOW = _NOW.astimezone(clock.ZONE)


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _now_minutes() -> int:
    return _LOCAL_NOW.hour * 60 + _LOCAL_NOW.minute


def _checkin(body: dict[str, Any], _: Settings) -> None:
    """Check-in: ``available_until`` after ``available_from`` and not yet past."""
    start, end = _minutes(body["available_from"]), _minutes(body["available_until"])
    if end <= max(start, _now_minutes()):
        body["available_from"], body["available_until"] = _hhmm(_now_minutes()), "23:59"


def _job_request(body: dict[str, Any], settings: Settings) -> None:
    """Job request: a ``start`` (unless ``start_now``) not before the current minute, ending by midnight, a
    wage at least the legal minimum for its hours in the market's county."""
    body["hours"] = hours = int(body["hours"])  # 3.0 is an integer too
    if body.get("start_now") is not True:
        start = max(_minutes(body.get("start", "00:00")), _now_minutes())
        body["start"] = _hhmm(min(start, 24 * 60 - hours * 60))
    county = geography.MARKETS_BY_ID[body["market_id"]].county
    minimum = screening.Policy.from_settings(settings).county_minimum(county).day_minimum(hours)
    body["day_wage"] = max(body["day_wage"], math.ceil(minimum))


def _fair_dates(body: dict[str, Any], _: Settings) -> None:
    """Fair dates: from today to 400 days ahead, ending after they start, at most 3 days."""
    day = date.fromisoformat(body["date"])
    if not _TODAY <= day <= _TODAY + timedelta(days=400):
        day = _TODAY + timedelta(days=day.toordinal() % 400)
    body["date"] = day.isoformat()
    end_day = date.fromisoformat(body["end_date"]) if body.get("end_date") else day
    if not day <= end_day <= day + timedelta(days=2):
        end_day = day
    if body.get("end_date"):
        body["end_date"] = end_day.isoformat()
    if end_day == day and body["end"] <= body["start"]:
        body["start"], body["end"] = "09:00", "17:00"
    if day == _TODAY and _minutes(body["start"]) <= _now_minutes():
        body["date"] = (day + timedelta(days=1)).isoformat()
        if body.get("end_date"):
            body["end_date"] = (end_day + timedelta(days=1)).isoformat()


def _positions(body: dict[str, Any], _: Settings) -> None:
    """Booth positions: ``wage_max`` not below ``wage_min``."""
    for position in body.get("positions", []):
        if isinstance(position, dict) and position["wage_max"] < position["wage_min"]:
            position["wage_min"], position["wage_max"] = position["wage_max"], position["wage_min"]


def _registered_on(body: dict[str, Any], _: Settings) -> None:
    """Job-seeker registration: ``registered_on`` not after today, at most 10 years before."""
    if body.get("registered_on") is not None:
        day = date.fromisoformat(body["registered_on"])
        if not _TODAY - timedelta(days=3650) <= day <= _TODAY:
            body["registered_on"] = (_TODAY - timedelta(days=day.toordinal() % 3650)).isoformat()


def _report_query(query: dict[str, Any], _: Settings) -> None:
    """Reports: ``at`` written as ``period`` says."""
    if "at" in query:
        query["period"] = next(k for k, p in periods.PATTERNS.items() if _fullmatch(p, query["at"]))


def _fullmatch(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


#: Rules the document states in words (descriptions) because a JSON Schema cannot: applied to valid examples.
RULES_IN_WORDS: dict[tuple[str, str], tuple[str, Callable[[dict[str, Any], Settings], None]]] = {
    ("POST", "/api/v1/checkins"): ("body", _checkin),
    ("POST", "/api/v1/job-requests"): ("body", _job_request),
    ("POST", "/api/v1/fairs"): ("body", _fair_dates),
    ("POST", "/api/v1/fairs/{fair_id}/reschedule"): ("body", _fair_dates),
    ("POST", "/api/v1/fairs/{fair_id}/employers"): ("body", _positions),
    ("GET", "/api/v1/reports"): ("query", _report_query),
    ("POST", "/api/v1/jobseekers"): ("body", _registered_on),
}


def _follow_rules_in_words(
    case: schemathesis.Case, rule: tuple[str, Callable[[dict[str, Any], Settings], None]] | None, settings: Settings
) -> schemathesis.Case:
    """A valid example made to follow what the document says in words: a new Idempotency-Key per submission
    (the same key with another body is 422 ``idempotency_key_reused``, which the test of idempotency covers),
    and the operation's rule of :data:`RULES_IN_WORDS`."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    if rule is not None:
        where, apply = rule
        part = case.body if where == "body" else case.query
        if isinstance(part, dict):
            apply(part, settings)
    return case


@dataclasses.dataclass
class Failure:
    operation: str
    mode: str
    caller: str
    text: str


def test_the_api_conforms_to_its_document(target: Target) -> None:
    started = time.monotonic()
    document = requests.get(f"{target.base_url}/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    session = requests.Session()
    ran: dict[str, int] = {}
    failures: list[Failure] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # signing out ends the caller's token: last
    operations.sort(key=lambda op: op.path == "/api/v1/sessions/revoke")
    for operation in operations:
        documented = openapi.OPERATIONS_BY_ROUTE[(operation.method.upper(), operation.path)]
        own = {documented.role, *documented.other_roles} - {None}
        callers: list[str | None] = [*TOKENS, None]
        callers.sort(key=lambda c: c in own or (not own and c is None))  # the operation's own callers last
        for caller in callers:
            mine = caller in own or (not own and caller is None)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                label = f"{operation.method.upper()} {operation.path}"
                count = _fuzz(
                    operation, target, session, mode, caller, OWN_EXAMPLES if mine else OTHER_EXAMPLES, failures
                )
                ran[label] = ran.get(label, 0) + count
    seconds = time.monotonic() - started
    print(f"schemathesis: {len(ran)} operations, {sum(ran.values())} examples in {seconds:.0f} s: {ran}")
    assert set(ran) == {f"{op.method} {op.path}" for op in openapi.OPERATIONS}
    assert all(count > 0 for count in ran.values()), ran
    assert not failures, "\n\n".join(f"{f.operation} {f.mode} as {f.caller}:\n{f.text}" for f in failures[:20])
    assert seconds < BUDGET_SECONDS


def _fuzz(
    operation: schemathesis.APIOperation,
    target: Target,
    session: requests.Session,
    mode: GenerationMode,
    caller: str | None,
    examples: int,
    failures: list[Failure],
) -> int:
    """Run one operation's examples in ``mode`` as ``caller`` (a role, or ``None``: not signed in); the number
    run. A failure is recorded (hypothesis stops that run at its first) rather than raised, so one run lists
    every operation that fails."""
    headers = {"Authorization": f"Bearer {TOKENS[caller]}"} if caller else {}
    strategy = operation.as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:
        rule = RULES_IN_WORDS.get((operation.method.upper(), operation.path))
        strategy = strategy.map(lambda case: _follow_rules_in_words(case, rule, target.settings))
    count = 0

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def call(case: schemathesis.Case) -> None:
        nonlocal count
        count += 1
        case.call_and_validate(base_url=target.base_url, session=session, headers=headers, timeout=10)

    try:
        call()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing of this operation can violate the document (no parameters, no body)
    except (Exception, BaseExceptionGroup) as failure:
        failures.append(
            Failure(
                f"{operation.method.upper()} {operation.path}", str(mode), caller or "anonymous", str(failure)[:3000]
            )
        )
    return count
