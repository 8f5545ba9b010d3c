"""Settings: read from the environment once per process, in ``__main__``, and passed down.

Nothing else reads ``os.environ``. Every key is ``LINGONG_*``; a bad value raises :class:`SettingsError`
naming the key and the value, so a misconfigured process stops at start, not on the first request.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping

from services.policy import AllocationPolicy, parse_policies

_DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the key."""


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """All the knobs of one process. Defaults suit the local stack started by ``lingong up``."""

    #: The Kafka brokers, ``host:port`` separated by commas.
    kafka_bootstrap: str = "127.0.0.1:9092"
    #: Redis (read models, sessions, idempotency keys): ``redis://`` or, with TLS, ``rediss://``; a password and
    #: a database number may be part of the URL.
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: HMAC key for worker pseudonyms. Production must set it; the default is refused unless ``dev_mode``.
    #: Keep it secret and stable (at least 16 bytes): changing it makes every worker a new person.
    pseudonym_key: bytes = _DEV_PSEUDONYM_KEY.encode()
    #: Accepts the development pseudonym key; never true in production.
    dev_mode: bool = True
    #: Prefix for every topic and consumer group, so that several stacks can share a broker.
    topic_prefix: str = ""
    #: Partitions of each keyed topic the platform creates: the most stream workers that can share the work.
    partitions: int = 6
    #: Replication factor of the topics the platform creates.
    replication_factor: int = 1
    #: The gateway's listen address.
    gateway_host: str = "127.0.0.1"
    #: The gateway's port (``SO_REUSEPORT``: several gateway processes may share it).
    gateway_port: int = 8080
    #: How long a worker has to answer an offer.
    offer_ttl_seconds: int = 600
    #: How long after recording a placement step its party may correct it (issue 23, docs/placement-life.md).
    step_correction_minutes: int = 30
    #: A job request takes offers until its start plus this many minutes (services/market/request_life.py), then it
    #: closes (``start_passed``) and leaves the supply list; an offer never outlives that moment.
    late_start_grace_minutes: int = 30
    #: How long a stored Idempotency-Key answer is replayed.
    idempotency_ttl_seconds: int = 86_400
    #: How long the gateway waits for the broker's acknowledgement before answering 503.
    produce_timeout_seconds: float = 5.0
    #: The Faust application id (its consumer group and changelog topic prefix).
    streams_app_id: str = "lingong-streams"
    #: The projector's consumer group.
    projector_group: str = "lingong-projector"
    #: How often the stream workers commit their offsets.
    stream_commit_interval_seconds: float = 1.0
    #: How long the broker waits for a silent stream worker before giving its partitions to another.
    stream_session_timeout_seconds: float = 30.0
    #: The hourly minimum wage (yuan) of a county comes from the county table of services/minimum_wage.py
    #: (Guizhou's notice in force from 2023-02-01: 19.6 / 18.3 / 17.2 yuan for classes 1 / 2 / 3; see
    #: docs/minimum-wage.md). ``minimum_hourly_wage_by_county`` overrides it per county
    #: (``"zhongshan=19.6,panzhou=18.3"``); ``minimum_hourly_wage_yuan`` applies to a county outside the table
    #: (class 3, the lowest, so that no lawful wage is refused there).
    minimum_hourly_wage_yuan: float = 17.2
    #: Overrides the county table of services/minimum_wage.py per county, e.g. ``"zhongshan=19.6,panzhou=18.3"``.
    minimum_hourly_wage_by_county: str = ""
    #: A day wage above this multiple of the trade's usual wage is flagged for staff review.
    wage_review_multiple: float = 2.0
    #: The window of the posting-burst check (``posting_burst_max``).
    posting_burst_window_seconds: int = 600
    #: More than this many job requests from one employer within the window: flagged for review.
    posting_burst_max: int = 10
    #: The largest request body the gateway reads.
    max_body_bytes: int = 64 * 1024
    #: Time allowed to send a request body.
    body_read_timeout_seconds: float = 10.0
    #: Idle keep-alive time (and the time allowed for a request head).
    keepalive_timeout_seconds: float = 15.0
    #: Allocation policy per market, e.g. ``"zs-market=lottery:2026-seed;pz-market=fcfs"``; others: scarcity.
    market_policies_spec: str = ""
    #: How often each stream worker's timer ticks the markets of its partitions that have something due (offer
    #: expiry, a late start, the end of the day: streams/ticker.py); idle markets get no tick; 0 = never.
    tick_interval_seconds: float = 1.0
    # ---- accounts, sign-in and rate limits (issue 7). Limits: at most ``*_max`` requests per window.
    #: How long a token issued at sign-in is valid.
    session_token_ttl_seconds: int = 12 * 3600
    #: Sign-in attempts per client address in a window.
    signin_per_address_max: int = 20
    #: The window of ``signin_per_address_max``.
    signin_per_address_window_seconds: int = 300
    #: Sign-in attempts per account (login) in a window.
    signin_per_account_max: int = 5
    #: The window of ``signin_per_account_max``.
    signin_per_account_window_seconds: int = 300
    #: Employer self-registrations per client address in a window.
    registration_per_address_max: int = 10
    #: The window of ``registration_per_address_max``.
    registration_per_address_window_seconds: int = 3600
    #: Refused (malformed or invalid) registration attempts per client address in a window: counted apart, so a
    #: burst of bad requests from one address (a kiosk hall behind one NAT) never uses up the registrations above.
    malformed_per_address_max: int = 300
    #: The window of ``malformed_per_address_max``.
    malformed_per_address_window_seconds: int = 600
    #: Authenticated API requests per kiosk device in a window.
    kiosk_requests_max: int = 120
    #: The window of ``kiosk_requests_max``.
    kiosk_requests_window_seconds: int = 60
    #: "查看我的登记" lookups by ID number per kiosk device in a window (an ID lookup must not become an oracle).
    kiosk_lookups_max: int = 12
    #: The window of ``kiosk_lookups_max``.
    kiosk_lookups_window_seconds: int = 60
    #: Width in millimetres of the kiosks' receipt paper: 58 or 80 (the printed ticket's page size).
    kiosk_receipt_paper_mm: int = 58
    #: Authenticated API requests per account in a window.
    account_requests_max: int = 300
    #: The window of ``account_requests_max``.
    account_requests_window_seconds: int = 60
    #: Authenticated API requests per client address in a window.
    address_requests_max: int = 3000
    #: The window of ``address_requests_max``.
    address_requests_window_seconds: int = 60
    #: The idle lifetime of a page session (server-side in Redis), refreshed on every use.
    session_ttl_seconds: int = 8 * 3600
    # -- reporting, supply list and dashboard (issue 5)
    #: Annual target of the plan: re-employment of the unemployed.
    target_reemployment_unemployed: int = 5_000
    #: Annual target of the plan: employment of people in difficulty.
    target_people_in_difficulty: int = 3_500
    #: Annual target of the plan: returnees employed.
    target_returnees: int = 36_000
    #: The "1+3" lists look back this many local days.
    looking_days: int = 7
    #: A market with at least this many workers waiting and no open position raises a dashboard alert.
    dashboard_waiting_alert: int = 20
    #: At most one dashboard push per client in this interval (updates in between are coalesced).
    dashboard_push_interval_seconds: float = 0.25
    #: A placement completed and not recorded paid is an "unpaid placement" alert this many hours after its
    #: completion, or at the local midnight after it if sooner (day labour is paid the same day).
    unpaid_alert_hours: float = 4.0
    # --- trust on both sides (issue 28, docs/trust.md)
    #: Staff owe a first response to a worker's complaint within this many working days (State Council calendar).
    case_response_working_days: int = 1
    #: A worker with more than this many no-shows (not overturned) in the last 30 days is paused for the rest of
    #: the day: a check-in is refused with the reason (rule ``worker_paused_no_shows``).
    no_shows_before_pause: int = 2
    # --- performance (issue 9): stream batching
    #: The market and roster agents take up to this many records at a time (one ack round trip per batch)...
    #: Under a backlog a batch waits for its outputs' acknowledgements (~30 ms) before the next begins, so this
    #: bounds a backlog's pace: the matcher ran 9,400-12,100 events/s with 500 and 15,600-18,700 with 2,000
    #: (A/B, two rounds of 8,000 check-ins). At light traffic a batch is whatever waits, far fewer.
    stream_batch_max: int = 2000
    #: ...waiting at most this long for a batch to fill (the latency it may add per agent at low traffic).
    stream_batch_within_seconds: float = 0.02
    #: The market agent's own wait for a batch to fill (Faust's ``take_events`` gathers a batch only during this
    #: wait, also under a backlog). While every batch rewrote each touched market's whole state, 0.05 paid off
    #: (0.02 gave ~32 commands per batch in the matcher benchmark); since a batch writes only its commands to the
    #: market's journal (streams/writer.py), 0.02 costs no more CPU per fact (pipeline A/B at 500/s: 1.41-1.54 ms
    #: against 1.56) and adds 30 ms less latency per check-in.
    market_batch_within_seconds: float = 0.02
    #: The market writer's journal (streams/writer.py): a market's state runs to megabytes, so a batch writes a
    #: segment of its own commands (a few hundred bytes each) and the whole state only every this many commands
    #: (a 2 MB state: 2 KB per command). A restart or rebalance restores a market by applying up to this many
    #: commands again (60-300 µs each in tests/benchmarks/market_cost.py: at most about 0.3 s per market).
    market_journal_max: int = 1024
    # --- performance (issue 9): the size of one table value
    #: The largest state record a stream table may hold (a market's whole state is one record: about 400 bytes
    #: per worker queued today plus 40 per recent command): the changelog topics' ``max.message.bytes`` and the
    #: stream worker's producer ``max_request_size`` both follow it. Kafka's default (1 MB) stopped a market at
    #: about 2,000 workers; 16 MiB holds some 35,000.
    stream_state_max_bytes: int = 16 * 1024 * 1024
    # --- performance (issue 9): Kafka client batching
    #: The stream worker's producer waits this long for more records to a partition before it sends them. Faust's
    #: default (0) sends a request per record and partition. Three stream-ceiling runs with 0 gave the same matcher
    #: rate (median 1,829 against 1,800 events/s: tests/benchmarks/results/perf-20261126T1141-linger0.json).
    stream_producer_linger_seconds: float = 0.005
    #: The stream worker's and the projector's fetches: the broker answers when this many bytes are ready...
    consumer_fetch_min_bytes: int = 16384
    #: ...or after this many milliseconds (the latency it may add per hop when traffic is light). With the
    #: clients' default of 1 byte, every few records arriving started a new fetch of every partition: the broker
    #: spent 3.7 ms of CPU per fact in the pipeline benchmark, 1.2-2.1 ms with 16 KiB / 25 ms. A shorter wait costs
    #: CPU when idle (a fetch of every partition per wait: 10 ms took half a core at idle, 500 ms a sixth).
    consumer_fetch_max_wait_ms: int = 20
    #: The gateway's, stream worker's and projector's young-generation GC threshold (CPython's default: 700) and
    #: a frozen start-up heap (services/adapters/gc_tuning.py); 0 keeps CPython's collector settings.
    gc_young_threshold: int = 50_000
    #: The agents take as a batch whatever is waiting, as soon as nothing more is (streams/batching.py), instead
    #: of Faust's batches of ``*_batch_within_seconds`` (which then only bound a batch's wait). On since the
    #: market journal is written in segments (a small batch costs little): pipeline A/B at 500/s bounded in 4 of
    #: 4 steps at 2.9-3.3 ms CPU per fact (timer batches: 1 of 2, 2.9-3.2 ms); kiosk to offer at 250/s p50 200,
    #: p99 509 ms against 700 / 1,078 ms with timer batches, which held each hop ~300 ms. (Before the segments,
    #: at 400/s, its smaller batches cost 2.4-3.0 ms of stream-worker CPU per fact against 1.4-1.9.)
    stream_take_ready: bool = True
    #: The market and roster writers put their table entries in the table's store and send the changelog records
    #: to the producer themselves (streams/writer.py ``SingleWriter._put``), past Faust's per-record machinery
    #: (producer buffer, pending and future messages, sensors, a delivery callback); False: ``table[key] = value``.
    stream_direct_changelog: bool = True
    #: Records an agent's stream may hold fetched but not yet taken (Faust's ``stream_buffer_maxsize``, default
    #: 4096). At four fifths of it Faust stops fetching the partition until the agent has taken the stream down to
    #: two fifths; while every partition it asks for is stopped, its fetch loop sleeps a whole second
    #: (``Consumer._wait_next_records``), and while only some are, it waits up to a second on the others. The
    #: worker's fetch loop delivers a fetch's records without a task each (streams/consumer_fast_path.py), so a
    #: backlog filled 4,096 at once: the stream ceiling's bare agent ran 7,000 records/s with 4,096 and 51,000
    #: with 16,384 (8,000 records waiting), the matcher 5,400-5,600 against 8,600-12,200 events/s.
    stream_buffer_maxsize: int = 16384
    # --- performance (issue 9): the gateway's producer
    #: How long the gateway's publisher gathers records before handing a partition's batch to the producer
    #: (gateway/publisher.py; acks=all, idempotent):
    #: the latency it adds to a 202 at low traffic. 5 ms saved no measurable CPU against 2 ms at 200 check-ins/s
    #: (tests/benchmarks/results/gateway-cpu-*-ab-linger5-vs-linger2.json), nor did 10 ms in the broker's CPU per
    #: request at 400/s (…-ab-linger10-vs-linger2.json: 1.48 against 1.42 ms); under load batches fill anyway.
    gateway_linger_ms: int = 2
    # --- metrics (issue 29): each process serves ``/metrics`` (Prometheus' text format) on a port of its own
    #: The address every process serves its ``/metrics`` on: loopback, so that only a scraper on the same host
    #: (or an operator's tunnel) reads it; in a container, the container's address (``0.0.0.0``), unpublished.
    metrics_host: str = "127.0.0.1"
    #: The gateway's ``/metrics`` port (0: none). Several gateway processes on one host share ``gateway_port``
    #: but each needs its own metrics port: a process whose port is taken logs an error and serves no metrics.
    gateway_metrics_port: int = 9181
    #: The stream worker's ``/metrics`` port (0: none); one per worker process on a host, as for the gateway.
    streams_metrics_port: int = 9182
    #: The projector's ``/metrics`` port (0: none).
    projector_metrics_port: int = 9183

    def market_policies(self) -> Mapping[str, AllocationPolicy]:
        """The parsed ``market_policies_spec``."""
        return parse_policies(self.market_policies_spec)

    def annual_targets(self) -> dict[str, int]:
        """The annual targets by name (see :data:`services.reports.figures.TARGET_GROUPS`)."""
        return {
            "reemployment_unemployed": self.target_reemployment_unemployed,
            "people_in_difficulty": self.target_people_in_difficulty,
            "returnees": self.target_returnees,
        }

    def topic(self, name: str) -> str:
        """The physical topic name for a logical one (see :mod:`services.topics`)."""
        return f"{self.topic_prefix}{name}"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``LINGONG_*`` keys; other keys are ignored.

        Raises :class:`SettingsError` for a bad value, and for a ``LINGONG_*`` key that names no setting (a
        misspelled variable would otherwise leave its default silently in force), naming the closest known one.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        known = {f"LINGONG_{name.upper()}" for name in fields}
        unknown = sorted(key for key in environ if key.startswith("LINGONG_") and key not in known)
        if unknown:
            raise SettingsError("; ".join(_unknown_key(key, known) for key in unknown))
        values: dict[str, object] = {}
        for name, field in fields.items():
            key = f"LINGONG_{name.upper()}"
            if key not in environ:
                continue
            raw = environ[key]
            values[name] = _cast(key, raw, field.type)
        settings = cls(**values)  # type: ignore[arg-type]
        try:
            settings.market_policies()
        except ValueError as error:
            raise SettingsError(f"LINGONG_MARKET_POLICIES_SPEC: {error}") from error
        if not settings.dev_mode and settings.pseudonym_key == _DEV_PSEUDONYM_KEY.encode():
            raise SettingsError("LINGONG_PSEUDONYM_KEY must be set when LINGONG_DEV_MODE is false")
        if len(settings.pseudonym_key) < 16:
            raise SettingsError("LINGONG_PSEUDONYM_KEY must be at least 16 bytes")
        return settings

    def to_environ(self) -> dict[str, str]:
        """The inverse of :meth:`from_environ`, used to start child processes with the same settings."""
        out: dict[str, str] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bytes):
                value = value.decode()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            out[f"LINGONG_{field.name.upper()}"] = str(value)
        return out


def _unknown_key(key: str, known: set[str]) -> str:
    """The message for an unknown variable: its name and, if one is close, the setting it probably meant."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else " (see docs/operations.md for every setting)"
    return f"{key} is not a setting{hint}"


def _cast(key: str, raw: str, type_name: object) -> object:
    kind = str(type_name)
    try:
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError("expected true or false")
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bytes":
            return raw.encode()
        return raw
    except ValueError as error:
        raise SettingsError(f"{key}={raw!r}: {error}") from error
