"""Topic names, keys and partition counts: defined once, used by the gateway, the agents and the stack.

Topics joined in one agent are co-partitioned: ``market-commands`` and ``market-events`` share the
partition count and the key (the market id), so one stream worker owns a market end to end.
"""

from __future__ import annotations

import dataclasses

from services.settings import Settings

#: Commands for one market, keyed by market id: check-ins, job requests, offer answers.
MARKET_COMMANDS = "market-commands"
#: Facts decided by a market's single writer, keyed by market id.
MARKET_EVENTS = "market-events"
#: Commands about one worker, keyed by worker pseudonym: check-ins to admit, releases from markets.
WORKER_COMMANDS = "worker-commands"
#: The roster's facts, keyed by worker pseudonym: check-ins admitted or refused, workers free again.
WORKER_EVENTS = "worker-events"
#: Device and account registrations, keyed by the token's hash; compacted.
REGISTRY = "registry"
#: What could not be decoded or applied, keyed by the original key, with the reason.
DEAD_LETTERS = "dead-letters"
#: Fair commands for one quota scope, keyed by scope (a county code, or "city"): fairs, attendance, hires, ticks.
FAIR_COMMANDS = "fair-commands"
#: Facts decided by a scope's single writer, keyed by scope: fair facts, placements, quota status changes.
FAIR_EVENTS = "fair-events"
#: Job-seeker commands for one county, keyed by county code: registrations, their handling, services, ticks.
JOBSEEKER_COMMANDS = "jobseeker-commands"
#: Facts decided by a county's job-seeker writer, keyed by county code: registrations, obligations, grade crossings.
JOBSEEKER_EVENTS = "jobseeker-events"
#: Complaints and wage disputes (issue 28) for one county's staff queue, keyed by county code: reports, the
#: employer's answer, staff actions, ticks of the service clock.
TRUST_COMMANDS = "trust-commands"
#: Facts decided by a county's case writer, keyed by county code: cases opened, answered, found, resolved, overdue.
TRUST_EVENTS = "trust-events"
#: Staff actions that revealed personal data (who saw whose masked data, when), keyed by the actor; kept forever.
AUDIT = "audit"


#: The stream worker's tables (``streams/``), each backed by a compacted changelog topic.
STREAM_TABLES = ("market-states", "worker-rosters", "fair-books", "jobseeker-books", "case-books")


@dataclasses.dataclass(frozen=True, slots=True)
class TopicSpec:
    """How to create a topic: explicit partitions and replication, and its broker-side config."""

    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = dataclasses.field(default_factory=dict)


#: Room for the record batch's own headers around the largest state record.
RECORD_BATCH_OVERHEAD = 64 * 1024


def changelog_max_message_bytes(settings: Settings) -> int:
    """The changelog topics' ``max.message.bytes``: the largest state record plus its batch's overhead."""
    return settings.stream_state_max_bytes + RECORD_BATCH_OVERHEAD


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic the platform needs, with physical (prefixed) names.

    Faust creates its own changelog topics; these are the ones we own.
    """
    rf = settings.replication_factor
    n = settings.partitions
    keep_forever = {"retention.ms": "-1"}
    # The stream worker's table changelogs, created here with their partitions so that Faust finds them in
    # its first metadata (otherwise it may see 0 partitions and refuse to write the table until restarted).
    # A table value may be larger than Kafka's default record limit (see ``Settings.stream_state_max_bytes``).
    changelog_config = {"cleanup.policy": "compact", "max.message.bytes": str(changelog_max_message_bytes(settings))}
    changelogs = [
        TopicSpec(f"{settings.streams_app_id}-{table}-changelog", n, rf, dict(changelog_config))
        for table in STREAM_TABLES
    ]
    return [
        *changelogs,
        TopicSpec(settings.topic(MARKET_COMMANDS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(MARKET_EVENTS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(WORKER_COMMANDS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(WORKER_EVENTS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(REGISTRY), 1, rf, {"cleanup.policy": "compact"}),
        TopicSpec(settings.topic(DEAD_LETTERS), 1, rf, dict(keep_forever)),
        TopicSpec(settings.topic(FAIR_COMMANDS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(FAIR_EVENTS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(AUDIT), 1, rf, dict(keep_forever)),
        TopicSpec(settings.topic(JOBSEEKER_COMMANDS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(JOBSEEKER_EVENTS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(TRUST_COMMANDS), n, rf, dict(keep_forever)),
        TopicSpec(settings.topic(TRUST_EVENTS), n, rf, dict(keep_forever)),
    ]
