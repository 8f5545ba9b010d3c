"""schemathesis against the OpenAPI document: the real gateway on a loopback port, real Kafka and Redis.

The fuzzed gateway uses topics of its own (``<prefix>fuzz.``, created here, consumed by nobody) and
credentials written to its own Redis prefix (no other test knows them), so generated postings and check-ins
never reach the markets that other tests use, and nothing it revokes is shared.

Every check runs, ``positive_data_acceptance`` and ``negative_data_rejection`` included: schema-valid requests
must not be refused with a 4xx other than 401/403/404/409/429, schema-violating ones must be refused. Every phase
of schemathesis 4 runs: ``examples``, ``coverage`` and ``fuzzing`` (both generation modes) per operation, as its
own role(s) and, with fuzzing only and fewer examples, as every other role and not signed in; then ``stateful``:
the state machine of the document's links (an id an answer returns, used by the operations that take it), as
each role and not signed in. What a JSON Schema cannot state and the document states in words is supplied here,
each rule once: the ``gb11643``, ``gb32100`` and ``lingong-fair-pass`` formats (check characters; an adult's
birth date; a pass the gateway signed) and, for valid examples only, the rules between fields or against the
clock (:data:`RULES_IN_WORDS`).
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import itertools
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
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
from schemathesis.generation.modes import GenerationMode

from gateway import api
from gateway.auth import token_sha256
from gateway.main import create_app, server_options
from services import clock, geography
from services.errors import InvalidInput
from services.fairs import passes as fair_pass
from services.people import credit_code, identity, records
from services.readmodels.registry_views import RegistryViews
from services.readmodels.views import dump
from services.records import derived_id
from services.reports import periods
from services.screening import postings as screening
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import TEST_NOW
from tests.support import stack

#: Fuzzing examples per operation and caller: the operation's own roles, then every other caller.
OWN_EXAMPLES = 40
OTHER_EXAMPLES = 5
#: The stateful phase per machine and caller: scenarios and their most steps.
SCENARIOS = 12
STEPS = 8
#: The operations of the second state machine: check-ins, job requests, devices and what their answers lead to.
MARKET_MACHINE = r"^/api/v1/(checkins|job-requests|devices|credentials/|accounts/)"
TOKENS = {
    "kiosk": "fuzz-kiosk-token-zs-market",
    "employer": "fuzz-employer-token",
    "organiser": "fuzz-organiser",
    "officer": "fuzz-officer",
    "admin": "fuzz-admin",
}
#: The run's budget: it is part of the suite, which must stay under 30 minutes.
BUDGET_SECONDS = 240
#: The pseudonym key of the fuzzed gateway, for fair passes it accepts (set by the ``target`` fixture).
_PASS_KEY: list[bytes] = []


@dataclasses.dataclass
class Target:
    base_url: str
    settings: Settings


@pytest.fixture(scope="module")
def target(kafka: stack.KafkaBroker, platform: Settings) -> Iterator[Target]:
    # rate limits are tested by test_rate_limits; here the phases' thousands of requests must not meet them
    settings = dataclasses.replace(
        platform,
        topic_prefix=f"{platform.topic_prefix}fuzz.",
        kiosk_requests_max=1_000_000,
        account_requests_max=1_000_000,
        address_requests_max=1_000_000,
    )
    _PASS_KEY[:] = [settings.pseudonym_key]
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
                id=derived_id("fuzz-credential", role),
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


@st.composite
def fair_passes(draw: st.DrawFn) -> str:
    """``format: lingong-fair-pass``: a pass the fuzzed gateway signed, valid at its clock."""
    worker = f"w_{draw(st.integers(0, 10**12)):012x}"
    return fair_pass.issue(worker, "520201********0011", now=TEST_NOW, pseudonym_key=_PASS_KEY[0])


schemathesis.openapi.format("gb11643", resident_ids())
schemathesis.openapi.format("gb32100", credit_codes())
schemathesis.openapi.format("lingong-fair-pass", fair_passes())

_NOW = TEST_NOW
_TODAY = clock.local_date(_NOW)
_LOCAL_NOW = _NOW.astimezone(clock.ZONE)


def _minutes(hhmm: str) -> int:
    """Minutes of a time as the document allows it written (full width, spaces)."""
    return clock.parse_hhmm(hhmm, "time")


def _day(written: str) -> date | None:
    """A date as the document allows it written; ``None`` for a day that does not exist (``2026-02-30``)."""
    try:
        return clock.parse_written_date(written)
    except ValueError:
        return None


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
    day = _day(body["date"]) or _TODAY
    if not _TODAY <= day <= _TODAY + timedelta(days=400):
        day = _TODAY + timedelta(days=day.toordinal() % 400)
    body["date"] = day.isoformat()
    end_day = (_day(body["end_date"]) or day) if body.get("end_date") else day
    if not day <= end_day <= day + timedelta(days=2):
        end_day = day
    if body.get("end_date"):
        body["end_date"] = end_day.isoformat()
    if end_day == day and _minutes(body["end"]) <= _minutes(body["start"]):
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


def _valid(parse: Callable[[str], object], text: str) -> bool:
    try:
        parse(text)
    except (InvalidInput, ValueError):
        return False
    return True


def _adult_id() -> str:
    first17 = f"{next(c.region_code for c in geography.COUNTIES if c.region_code)}19800101123"
    return first17 + identity.check_character(first17)


def _credit_code() -> str:
    return "91520200MA6DK8TQ6" + credit_code.check_character("91520200MA6DK8TQ6")


#: The formats of the document (``gb11643``, ``gb32100``, ``lingong-fair-pass``): what the server checks of a
#: field, and a value that passes. The fuzzing phase draws values of these formats (registered above); the
#: examples and coverage phases write values from the patterns alone, so a valid case gets this value instead.
FORMATS: dict[str, tuple[Callable[[str], object], Callable[[], str]]] = {
    "id_number": (lambda t: identity.parse_id_number(t, today=_TODAY, minimum_age=18), _adult_id),
    "credit_code": (credit_code.parse_credit_code, _credit_code),
    "pass": (
        lambda t: fair_pass.verify(t, now=TEST_NOW, pseudonym_key=_PASS_KEY[0]),
        lambda: fair_pass.issue("w_fuzz", "520201********0011", now=TEST_NOW, pseudonym_key=_PASS_KEY[0]),
    ),
}


def _follow_formats(body: Any) -> None:
    if isinstance(body, dict):
        for field, (parse, example) in FORMATS.items():
            if isinstance(body.get(field), str) and not _valid(parse, body[field]):
                body[field] = example()


def _follow_rules_in_words(
    case: schemathesis.Case, rule: tuple[str, Callable[[dict[str, Any], Settings], None]] | None, settings: Settings
) -> schemathesis.Case:
    """A valid example made to follow what the document says in words: a new Idempotency-Key per submission
    (the same key with another body is 422 ``idempotency_key_reused``, which the test of idempotency covers),
    and the operation's rule of :data:`RULES_IN_WORDS`."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    _follow_formats(case.body)
    if rule is not None:
        where, apply = rule
        part = case.body if where == "body" else case.query
        if isinstance(part, dict):
            apply(part, settings)
    return case


@dataclasses.dataclass
class Failure:
    operation: str
    phase: str
    caller: str
    text: str


_SETTINGS = hypothesis.settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


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
    stateful_steps = 0
    for operation in operations:
        if operation.path == "/api/v1/sessions/revoke":
            # the stateful phase runs before signing out ends the callers' tokens
            stateful_steps = _stateful(schema, target, session, failures)
        documented = api.BY_ROUTE[(operation.method.upper(), operation.path)]
        own = set(documented.roles)
        callers: list[str | None] = [*TOKENS, None]
        callers.sort(key=lambda c: c in own or (not own and c is None))  # the operation's own callers last
        for caller in callers:
            mine = caller in own or (not own and caller is None)
            label = f"{operation.method.upper()} {operation.path}"
            ran[label] = ran.get(label, 0) + _fuzz(operation, target, session, caller, mine, failures)
    seconds = time.monotonic() - started
    print(
        f"schemathesis: {len(ran)} operations, {sum(ran.values())} examples (examples, coverage, fuzzing) and "
        f"{stateful_steps} stateful steps in {seconds:.0f} s: {ran}"
    )
    assert set(ran) == {f"{op.method} {op.path}" for op in api.OPERATIONS}
    assert all(count > 0 for count in ran.values()), ran
    assert stateful_steps > 0
    assert not failures, "\n\n".join(f"{f.operation} {f.phase} as {f.caller}:\n{f.text}" for f in failures[:20])
    assert seconds < BUDGET_SECONDS


def _text(failure: BaseException) -> str:
    """What failed, with what a flaky failure (one that did not happen again) was the first time."""
    text = str(failure)
    if isinstance(failure, hypothesis.errors.FlakyFailure):
        text += "\nfirst seen as:\n" + "\n".join(str(e) for e in failure.exceptions)
    return text[:4000]


def _positive(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


def _fuzz(
    operation: schemathesis.APIOperation,
    target: Target,
    session: requests.Session,
    caller: str | None,
    mine: bool,
    failures: list[Failure],
) -> int:
    """Run one operation's phases as ``caller`` (a role, or ``None``: not signed in): as its own caller
    (``mine``) the examples, coverage and fuzzing phases, else fuzzing with fewer examples; the number of
    requests. A failure is recorded (hypothesis stops that run at its first) rather than raised, so one run
    lists every operation that fails."""
    headers = {"Authorization": f"Bearer {TOKENS[caller]}"} if caller else {}
    rule = RULES_IN_WORDS.get((operation.method.upper(), operation.path))
    count = 0

    @hypothesis.settings(_SETTINGS, max_examples=OWN_EXAMPLES if mine else OTHER_EXAMPLES)
    def call(case: schemathesis.Case) -> None:
        nonlocal count
        count += 1
        if _positive(case):
            _follow_rules_in_words(case, rule, target.settings)
        case.call_and_validate(base_url=target.base_url, session=session, headers=headers, timeout=10)

    modes = [HypothesisTestMode.FUZZING]
    if mine:
        modes = [HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE, *modes]
    test = create_test(
        operation=operation, test_func=call, config=HypothesisTestConfig(project=operation.schema.config, modes=modes)
    )
    try:
        test()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing of this operation can violate the document (no parameters, no body)
    except (Exception, BaseExceptionGroup) as failure:
        label = f"{operation.method.upper()} {operation.path}"
        failures.append(Failure(label, "+".join(modes), caller or "anonymous", _text(failure)))
    return count


def _stateful(
    schema: schemathesis.BaseSchema, target: Target, session: requests.Session, failures: list[Failure]
) -> int:
    """The stateful phase: scenarios along the document's links, as each role and not signed in (signing out
    left out: it would end the caller's token for the scenarios after it); the number of steps run.

    Every check's failure is recorded as it happens. A scenario hypothesis cannot replay alike is not one:
    the platform keeps state (a login registered once is taken the second time, registrations per address are
    limited), so the same steps may answer otherwise the second time; schemathesis's own runner does the same
    (a replay that does not reproduce is not reported, ``engine/run/stateful``)."""
    steps = 0
    returned: set[str] = set()  # ids the answers returned
    followed: collections.Counter[str] = collections.Counter()  # steps on an id an answer returned: links followed
    answered: collections.Counter[str] = collections.Counter()
    # the document's links only (``[phases.stateful.inference] algorithms = []``): inferring a link from every
    # POST to the GET of what it names would read a command's result right after its 202, which the document
    # says appears later (at the answer's ``status_url``)
    schema.config.phases.stateful.inference.algorithms = []
    machines = [
        schema.exclude(path="/api/v1/sessions/revoke").as_state_machine(),
        # schemathesis starts scenarios only at operations it expects to succeed on random data, and takes a
        # `market_id` for a reference to a resource nothing creates: check-ins, job requests and devices start
        # the scenarios of a machine of their own (where they are the only starts)
        schema.include(path_regex=MARKET_MACHINE).as_state_machine(),
    ]
    for machine, caller in itertools.product(machines, [*TOKENS, None]):
        headers = {"Authorization": f"Bearer {TOKENS[caller]}"} if caller else {}
        found: list[Failure] = []

        class Scenario(machine):  # type: ignore[misc, valid-type]
            auth = headers
            seen = found
            who = caller or "anonymous"

            def before_call(self, case: schemathesis.Case) -> None:
                nonlocal steps
                steps += 1
                if returned & set((case.path_parameters or {}).values()):
                    followed[f"{case.operation.method.upper()} {case.operation.path}"] += 1
                if _positive(case):
                    rule = RULES_IN_WORDS.get((case.operation.method.upper(), case.operation.path))
                    _follow_rules_in_words(case, rule, target.settings)

            def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
                return {"base_url": target.base_url, "session": session, "headers": self.auth, "timeout": 10}

            def after_call(self, response: Any, case: schemathesis.Case) -> None:
                super().after_call(response, case)
                answered[f"{case.operation.method.upper()} {case.operation.path} {response.status_code}"] += 1
                if response.status_code < 300 and isinstance(answer := _json(response), dict):
                    returned.update(v for k, v in answer.items() if k.endswith("_id") and isinstance(v, str))

            def validate_response(self, response: Any, case: schemathesis.Case, *args: Any, **kwargs: Any) -> None:
                try:
                    super().validate_response(response, case, *args, **kwargs)
                except Exception as failure:
                    label = f"{case.operation.method.upper()} {case.operation.path}"
                    self.seen.append(Failure(label, "stateful", self.who, _text(failure)))
                    raise

        try:
            Scenario.run(settings=hypothesis.settings(_SETTINGS, max_examples=SCENARIOS, stateful_step_count=STEPS))
        except hypothesis.errors.Flaky:
            pass  # a replay that went otherwise; the failures it met (if any) are in ``found``
        except (Exception, BaseExceptionGroup) as failure:
            if not found:
                found.append(Failure("links", "stateful", caller or "anonymous", _text(failure)))
        failures.extend({f.text: f for f in found}.values())
    print(f"stateful: {steps} steps, links followed: {dict(followed)}; answers: {sorted(answered.items())}")
    assert followed, "the stateful phase followed no link"
    return steps


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
