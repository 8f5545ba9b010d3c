"""Demo data for ``lingong up --demo``: a kiosk per market, one employer, a few check-ins and a job.

Everything goes through the real paths: credentials through the ``registry`` topic, check-ins and jobs
through the gateway's HTTP API. Demo ID numbers are synthetic (valid check characters, nobody's number).
Tokens are fixed so that the README's curl examples work; they are for a local machine only.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import aiohttp
import redis.asyncio as aioredis

from services import clock, geography
from services.adapters.registry import register_credential
from services.people import identity
from services.readmodels import keys
from services.settings import Settings

DEMO_EMPLOYER_TOKEN = "demo-employer-token-liangdu-jianzhu"
DEMO_ORGANISER_TOKEN = "demo-organiser-token-lps"
DEMO_ADMIN_TOKEN = "demo-admin-token-lps"
DEMO_EMPLOYER = ("e-demo-liangdu", "凉都建筑劳务公司")


def kiosk_token(market_id: str) -> str:
    return f"demo-kiosk-token-{market_id}"


def demo_id_number(n: int) -> str:
    """A synthetic resident ID number of someone born in 1985 in 钟山区, with a valid check character."""
    first17 = f"5202011985{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + identity.check_character(first17)


async def _register(settings: Settings) -> None:
    for market in geography.MARKETS:
        await register_credential(
            settings,
            role="kiosk",
            subject_id=f"kiosk-{market.market_id}-1",
            display_name=f"{market.name_zh} 1号机",
            market_id=market.market_id,
            token=kiosk_token(market.market_id),
        )
    await register_credential(
        settings,
        role="employer",
        subject_id=DEMO_EMPLOYER[0],
        display_name=DEMO_EMPLOYER[1],
        token=DEMO_EMPLOYER_TOKEN,
    )
    await register_credential(
        settings,
        role="organiser",
        subject_id="demo-organiser",
        display_name="市人社局招聘会组",
        token=DEMO_ORGANISER_TOKEN,
    )
    await register_credential(
        settings, role="admin", subject_id="demo-admin", display_name="市就业局（演示）", token=DEMO_ADMIN_TOKEN
    )


async def wait_for_credentials(settings: Settings, tokens: list[str], timeout: float = 60) -> None:
    """Wait until the projector has made ``tokens`` known to the gateway."""
    from gateway.auth import token_sha256

    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        names = [keys.credential(settings.topic_prefix, token_sha256(t)) for t in tokens]
        while await redis.exists(*names) < len(names):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("credentials were not projected to Redis in time")
            await asyncio.sleep(0.2)
    finally:
        await redis.aclose()


async def _post(session: aiohttp.ClientSession, url: str, token: str, body: dict[str, object]) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    async with session.post(url, json=body, headers=headers) as response:
        answer: dict[str, object] = await response.json()
        if response.status != 202:
            raise RuntimeError(f"demo POST {url} failed: {response.status} {answer}")
        return answer


async def _load(settings: Settings) -> list[str]:
    await _register(settings)
    await wait_for_credentials(
        settings,
        [kiosk_token(m.market_id) for m in geography.MARKETS]
        + [DEMO_EMPLOYER_TOKEN, DEMO_ORGANISER_TOKEN, DEMO_ADMIN_TOKEN],
    )
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    local_now = datetime.now(UTC).astimezone(clock.ZONE)
    start_minutes = max(local_now.hour * 60 + local_now.minute, 0)
    until = "23:59"
    lines = []
    async with aiohttp.ClientSession() as session:
        tickets = []
        for n, trade_list in enumerate((["mason", "porter"], ["mason"], ["cleaner"], ["electrician"])):
            answer = await _post(
                session,
                f"{base}/api/v1/checkins",
                kiosk_token("zs-market"),
                {
                    "id_number": demo_id_number(n + 1),
                    "trades": trade_list,
                    "min_day_wage": 150,
                    "available_from": "00:00",
                    "available_until": until,
                },
            )
            tickets.append(answer)
        # A same-day job that the gateway accepts at any hour: it starts in half an hour (at 23:00 at the latest,
        # which is still within the hour allowed for late posting) and ends by midnight.
        start_at = min(start_minutes + 30, 23 * 60)
        start = clock.format_hhmm(start_at)
        hours = max(1, min(8, (24 * 60 - start_at) // 60))
        await _post(
            session,
            f"{base}/api/v1/job-requests",
            DEMO_EMPLOYER_TOKEN,
            {
                "market_id": "zs-market",
                "trade": "mason",
                "headcount": 1,
                "day_wage": 260,
                "start": start,
                "hours": hours,
                "place": "钟山区荷城街道工地",
            },
        )
    lines.append("演示数据已载入 / demo data loaded:")
    lines.append(f"  钟山区零工市场自助机凭证 kiosk token (zs-market): {kiosk_token('zs-market')}")
    lines.append(f"  用工单位凭证 employer token: {DEMO_EMPLOYER_TOKEN}")
    lines.append(f"  招聘会组织者凭证 organiser token: {DEMO_ORGANISER_TOKEN}")
    lines.append(f"  市级管理员凭证 city administrator token: {DEMO_ADMIN_TOKEN}")
    lines.append("  页面（登录时输入上面的凭证作为访问密钥） pages (sign in with a token above as the access key):")
    for path, what in (
        ("/kiosk", "自助机 kiosk (kiosk token)"),
        ("/employer", "用工单位发布用工 employer (employer token)"),
        ("/organiser", "招聘会现场 organiser (organiser token)"),
        ("/dashboard", "实时看板 live dashboard (administrator token)"),
        ("/supply", "岗位供给清单 public job supply list"),
    ):
        lines.append(f"    {base}{path}  {what}")
    for answer in tickets:
        lines.append(f"  排队凭条 ticket page: {base}{answer['page_url']}")
    lines.append(f"  (as of {datetime.now(UTC).isoformat(timespec='seconds')})")
    return lines


def load(settings: Settings) -> list[str]:
    """Load the demo data into a running stack; returns the lines to print."""
    return asyncio.run(_load(settings))
