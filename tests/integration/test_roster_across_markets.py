"""One active check-in per worker across markets, with two stream worker processes sharing the partitions.

The module runs its own pair of Faust workers (and projector) on the session's broker and Redis, under its own
topic prefix and application id, so the rebalance it causes touches no other test. Killing one worker with
SIGKILL mid-rush is the fault battery's job (issue 8): see the note there on the stall it currently finds.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from deploy.local.demo import wait_for_credentials
from gateway.main import create_app
from services import topics
from services.adapters.registry import register_credential
from services.market import records
from services.market.eligibility import overlaps
from services.people.identity import pseudonymise
from services.settings import Settings
from services.topics import topic_specs
from tests.conftest import TEST_NOW, new_id_number
from tests.integration.conftest import auth, check_in_body, job_body
from tests.support import stack
from tests.support.kafka_reader import read_topic
from tests.support.waiting import eventually

MARKETS = ("zs-market", "sc-market")
WORKERS = 16


@pytest.fixture(scope="module")
def two_workers(
    settings: Settings, kafka: stack.KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, list[stack.PlatformProcess]]]:
    own = dataclasses.replace(
        settings,
        topic_prefix=f"{settings.topic_prefix}roster.",
        streams_app_id=f"{settings.streams_app_id}-roster",
    )
    kafka.create_topics(topic_specs(own))
    workdir = tmp_path_factory.mktemp("two-workers")
    projector = stack.projector(own, workdir)
    first = stack.stream_worker(own, workdir / "a")
    second = stack.stream_worker(own, workdir / "b")
    processes = [first, second]
    try:
        yield own, processes
    finally:
        for process in processes:
            process.stop()
        projector.stop()


@pytest.fixture(scope="module")
def tokens(two_workers: tuple[Settings, Any]) -> dict[str, str]:
    own = two_workers[0]

    async def issue() -> dict[str, str]:
        out = {
            m: await register_credential(own, role="kiosk", subject_id=f"k-{m}", display_name=m, market_id=m)
            for m in MARKETS
        }
        out["employer"] = await register_credential(own, role="employer", subject_id="e-r", display_name="甲方")
        await wait_for_credentials(own, list(out.values()))
        return out

    return asyncio.run(issue())


@pytest.fixture
async def client(aiohttp_client: Callable[..., Awaitable[TestClient]], two_workers: tuple[Settings, Any]) -> TestClient:
    return await aiohttp_client(create_app(two_workers[0], clock=lambda: TEST_NOW))


async def _facts(own: Settings, topic: str, decode: Callable[[bytes], Any]) -> list[Any]:
    """The facts on ``topic``, each once: after a crash an agent may re-emit a fact, always with the same id."""
    unique: dict[str, Any] = {}
    for message in await read_topic(own.kafka_bootstrap, own.topic(topic)):
        fact = decode(message.value)
        unique.setdefault(fact.id, fact)
    return list(unique.values())


async def test_concurrent_check_ins_at_two_markets_with_two_stream_workers(
    client: TestClient, two_workers: tuple[Settings, list[stack.PlatformProcess]], tokens: dict[str, str]
) -> None:
    own = two_workers[0]
    people = [new_id_number() for _ in range(WORKERS)]

    async def both_kiosks_at_once(id_number: str) -> list[int]:
        posts = [
            client.post("/api/v1/checkins", json=check_in_body(id_number, "mason"), headers=auth(tokens[m]))
            for m in MARKETS
        ]
        return [r.status for r in await asyncio.gather(*posts)]

    statuses = await asyncio.gather(*(both_kiosks_at_once(p) for p in people))
    assert all(s == [202, 202] for s in statuses)

    progress: list[int] = [0]

    async def decided() -> list[Any] | None:
        facts = await _facts(own, topics.WORKER_EVENTS, records.decode_worker_event)
        answered = [f for f in facts if isinstance(f, records.CheckInAdmitted | records.CheckInRefused)]
        progress[0] = len({f.command_id for f in answered})
        return facts if progress[0] >= 2 * WORKERS else None

    try:
        worker_facts = await eventually(decided, timeout=90, what="every check-in admitted or refused")
    except TimeoutError as error:
        sent = await read_topic(own.kafka_bootstrap, own.topic(topics.WORKER_COMMANDS))
        facts = await _facts(own, topics.WORKER_EVENTS, records.decode_worker_event)
        done = {f.command_id for f in facts}
        missing = [(m.partition, m.offset) for m in sent if records.decode_worker_command(m.value).id not in done]
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=own.kafka_bootstrap)
        await admin.start()
        committed = await admin.list_consumer_group_offsets(own.streams_app_id)
        await admin.close()
        committed_wc = {tp.partition: o.offset for tp, o in committed.items() if tp.topic.endswith("worker-commands")}
        raise AssertionError(
            f"committed {committed_wc}; "
            f"only {progress[0]} of {2 * WORKERS} check-ins decided; {len(sent)} commands on the topic; "
            f"undecided (partition, offset): {missing}"
        ) from error
    admitted = Counter(f.worker for f in worker_facts if isinstance(f, records.CheckInAdmitted))
    refused = Counter(f.worker for f in worker_facts if isinstance(f, records.CheckInRefused))
    assert len(admitted) == WORKERS and set(admitted.values()) == {1}, admitted
    assert set(refused.values()) == {1} and set(refused) == set(admitted)

    async def queued() -> list[records.WorkerQueued] | None:
        facts = await _facts(own, topics.MARKET_EVENTS, records.decode_event)
        found = [f for f in facts if isinstance(f, records.WorkerQueued)]
        return found if len({f.checkin_id for f in found}) >= WORKERS else None

    queued_facts = await eventually(queued, timeout=60, what="admitted check-ins queued")
    per_worker = defaultdict(set)
    for fact in queued_facts:
        per_worker[fact.worker].add(fact.market_id)
    assert all(len(markets) == 1 for markets in per_worker.values()), "a worker is queued at two markets"

    # Jobs at both markets that overlap in time: every worker accepts whatever they are offered.
    employer = tokens["employer"]
    for market, start, hours in (("zs-market", "09:00", 8), ("sc-market", "10:00", 2)):
        body = job_body(market, "mason", headcount=WORKERS, start=start, hours=hours)
        response = await client.post("/api/v1/job-requests", json=body, headers=auth(employer))
        assert response.status == 202
    answered: set[str] = set()

    async def accept_all() -> bool:
        facts = await _facts(own, topics.MARKET_EVENTS, records.decode_event)
        offers = [f for f in facts if isinstance(f, records.OfferMade)]
        for offer in offers:
            if offer.offer_id in answered:
                continue
            answered.add(offer.offer_id)
            response = await client.post(
                f"/api/v1/offers/{offer.offer_id}/answer",
                json={"answer": "accept"},
                headers=auth(tokens[offer.market_id]),
            )
            assert response.status in (202, 404), await response.text()  # 404: view not projected yet
            if response.status == 404:
                answered.discard(offer.offer_id)
        placements = {f.placement_id for f in facts if isinstance(f, records.PlacementStarted)}
        return len(placements) >= WORKERS

    await eventually(accept_all, timeout=90, what="every worker placed")

    # Those placed at 钟山 check out and go to 水城: its 10:00 job overlaps theirs, so no offer may come.
    facts = await _facts(own, topics.MARKET_EVENTS, records.decode_event)
    placed = [f for f in facts if isinstance(f, records.PlacementStarted)]
    at_zs = [p for p in placed if p.market_id == "zs-market"][:3]
    movers = {p.worker for p in at_zs}
    for p in at_zs:
        out = await client.post(
            f"/api/v1/checkins/{p.checkin_id}/check-out", json={}, headers=auth(tokens["zs-market"])
        )
        assert out.status == 202

    async def free_again() -> bool:
        facts = await _facts(own, topics.WORKER_EVENTS, records.decode_worker_event)
        return {f.worker for f in facts if isinstance(f, records.WorkerFree)} >= movers

    await eventually(free_again, timeout=60, what="movers released by the roster")
    people_by_pseudonym = {pseudonymise(person, own.pseudonym_key): person for person in people}
    for worker in movers:
        body = check_in_body(people_by_pseudonym[worker], "mason")
        response = await client.post("/api/v1/checkins", json=body, headers=auth(tokens["sc-market"]))
        assert response.status == 202
    # A fresh 水城 job that overlaps the movers' 钟山 job (09:00-17:00).
    body = job_body("sc-market", "mason", headcount=len(movers), start="10:00", hours=2)
    assert (await client.post("/api/v1/job-requests", json=body, headers=auth(employer))).status == 202

    async def movers_queued_at_sc() -> bool:
        facts = await _facts(own, topics.MARKET_EVENTS, records.decode_event)
        return {f.worker for f in facts if isinstance(f, records.WorkerQueued) and f.market_id == "sc-market"} >= movers

    await eventually(movers_queued_at_sc, timeout=60, what="movers queued at 水城")
    # A marker job after it at the same market: the market decides its commands in order, so once the marker is
    # open, the overlapping job was decided too, with any offer it (wrongly) made.
    marker = job_body("sc-market", "porter", headcount=1, start="11:00", hours=1, place="水城区标记工地")
    marker_answer = await client.post("/api/v1/job-requests", json=marker, headers=auth(employer))
    assert marker_answer.status == 202
    marker_id = (await marker_answer.json())["request_id"]

    async def marker_open() -> bool:
        facts = await _facts(own, topics.MARKET_EVENTS, records.decode_event)
        return any(isinstance(f, records.JobRequestOpened) and f.request_id == marker_id for f in facts)

    await eventually(marker_open, timeout=60, what="the marker job open at 水城")
    await accept_all()
    facts = await _facts(own, topics.MARKET_EVENTS, records.decode_event)
    jobs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for fact in facts:
        if isinstance(fact, records.PlacementStarted):
            jobs[fact.worker].append((fact.start, fact.start + fact.hours * 60))
    for worker, slots in jobs.items():
        for i, a in enumerate(slots):
            assert not any(overlaps(a, b) for b in slots[i + 1 :]), f"{worker} holds overlapping jobs: {slots}"
    late_offers = [
        f for f in facts if isinstance(f, records.OfferMade) and f.worker in movers and f.market_id == "sc-market"
    ]
    assert late_offers == [], "a worker was offered a job overlapping one accepted at another market"
