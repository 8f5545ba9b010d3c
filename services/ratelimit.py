"""Rate limits: a table of named limits read from the settings, and the verdict on a counted request.

Counting is a fixed window per (limit, subject), done atomically in Redis by :mod:`services.adapters.ratelimit`
(one Lua script: increment, set the window's expiry on the first hit, read the time left). Here: which limits
exist, and what a count means. Every request counts, refused ones too, so hammering does not reopen a window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from services.settings import Settings


@dataclasses.dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_requests`` per ``window_seconds`` per subject; ``subject_zh`` / ``subject_en`` say per
    what, for the message of a refusal."""

    name: str
    max_requests: int
    window_seconds: int
    subject_zh: str
    subject_en: str


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one counted request: allowed, or refused with the seconds until the window ends."""

    limit: Limit
    count: int
    retry_after: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit.max_requests

    def message_zh(self) -> str:
        return (
            f"请求过于频繁：{self.limit.subject_zh}每 {self.limit.window_seconds} 秒最多 "
            f"{self.limit.max_requests} 次（{self.limit.name}），请 {self.retry_after} 秒后再试"
        )

    def message_en(self) -> str:
        return (
            f"too many requests: at most {self.limit.max_requests} per {self.limit.window_seconds} s "
            f"{self.limit.subject_en} ({self.limit.name}); retry in {self.retry_after} s"
        )


def verdict(limit: Limit, count: int, ttl: int) -> Verdict:
    """The verdict for the ``count``-th request of a window with ``ttl`` seconds left (a lost expiry counts
    as a whole window)."""
    return Verdict(limit, count, max(1, ttl if ttl > 0 else limit.window_seconds))


def limits(settings: Settings) -> Mapping[str, Limit]:
    """Every limit, by name, from the settings."""
    table = (
        Limit(
            "signin_per_address",
            settings.signin_per_address_max,
            settings.signin_per_address_window_seconds,
            "每个网络地址登录",
            "sign-ins per client address",
        ),
        Limit(
            "signin_per_account",
            settings.signin_per_account_max,
            settings.signin_per_account_window_seconds,
            "每个账号登录",
            "sign-ins per account",
        ),
        Limit(
            "registration_per_address",
            settings.registration_per_address_max,
            settings.registration_per_address_window_seconds,
            "每个网络地址注册",
            "registrations per client address",
        ),
        Limit(
            "malformed_per_address",
            settings.malformed_per_address_max,
            settings.malformed_per_address_window_seconds,
            "每个网络地址无效提交",
            "refused submissions per client address",
        ),
        Limit(
            "kiosk_requests",
            settings.kiosk_requests_max,
            settings.kiosk_requests_window_seconds,
            "每台自助终端",
            "per kiosk",
        ),
        Limit(
            "kiosk_lookups",
            settings.kiosk_lookups_max,
            settings.kiosk_lookups_window_seconds,
            "每台自助终端查询登记",
            "registration lookups per kiosk",
        ),
        Limit(
            "account_requests",
            settings.account_requests_max,
            settings.account_requests_window_seconds,
            "每个账号",
            "per account",
        ),
        Limit(
            "address_requests",
            settings.address_requests_max,
            settings.address_requests_window_seconds,
            "每个网络地址",
            "per client address",
        ),
    )
    return MappingProxyType({limit.name: limit for limit in table})
