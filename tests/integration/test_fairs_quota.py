"""A week for all five counties and a month for the city, driven through the API against the real stack.

The gateway's clock and the quota ticks (what the leader's timer sends) are moved by the test through
2030-W10 (Monday 4 to Sunday 10 March 2030, Asia/Shanghai) and on to the end of March:

- 钟山区: a fair on Wednesday, attended → met;
- 六枝特区: a fair at 23:59 on Sunday, attended at 23:59:30 → met (it belongs to W10, not W11);
- 水城区: nothing scheduled → at risk, early warning on Wednesday 12:00, missed;
- 盘州市: a Friday fair cancelled on Tuesday → at risk, warned, missed;
- 六盘水高新区: a Thursday fair moved to 00:00 the next Monday (then not held) → W10 and W11 missed;
- the city: two comprehensive city fairs held in March (one on the 31st, the month's last day) → met, while a
  city campus fair and a county comprehensive fair, both held, do not count; February → missed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from services.fairs import records as fair_records
from services.settings import Settings
from tests.conftest import new_id_number
from tests.integration.fair_support import (
    MovableClock,
    applied,
    fair_client,
    fair_events,
    fair_view,
    local,
    post,
    send_ticks,
)
from tests.support.waiting import eventually

W, NEXT = "2030-W10", "2030-W11"


def _fair(county: str, day: date, start: str, *, level: str = "county", kind: str = "comprehensive") -> dict[str, Any]:
    late = start == "23:59"
    return {
        "level": level,
        "kind": kind,
        "county": county,
        "title": f"{county} 招聘会",
        "venue": "人力资源市场",
        "date": day.isoformat(),
        "start": start,
        "end": "01:00" if late else "17:00",
        "end_date": (day + timedelta(days=1 if late else 0)).isoformat(),
        "capacity": 100,
    }


class Drive:
    def __init__(self, gateway: TestClient, clock: MovableClock, platform: Settings, organiser: str) -> None:
        self.gateway, self.clock, self.platform, self.organiser = gateway, clock, platform, organiser

    async def at(self, when: datetime) -> None:
        """Move the gateway's clock to ``when`` and tick every scope there, as the timer would."""
        self.clock.at = when
        await send_ticks(self.platform, when)

    async def schedule(self, body: dict[str, Any]) -> str:
        answer = await post(self.gateway, "/api/v1/fairs", self.organiser, body)
        await applied(self.gateway, answer)
        fair_id: str = answer["fair_id"]
        await fair_view(self.gateway, fair_id)
        await self.do(fair_id, "publish", {})
        return fair_id

    async def do(self, fair_id: str, action: str, body: dict[str, Any]) -> None:
        await applied(self.gateway, await post(self.gateway, f"/api/v1/fairs/{fair_id}/{action}", self.organiser, body))

    async def attend(self, fair_id: str) -> None:
        await self.do(fair_id, "attendance", {"id_number": new_id_number()})


async def test_a_week_for_five_counties_and_a_month_for_the_city(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    start = local(2030, 2, 25, 9)  # Monday of 2030-W09
    gateway, clock = await fair_client(aiohttp_client, platform, start)
    drive = Drive(gateway, clock, platform, credentials["organiser"])
    await drive.at(start)

    zhongshan = await drive.schedule(_fair("zhongshan", date(2030, 3, 6), "09:00"))
    liuzhi = await drive.schedule(_fair("liuzhi", date(2030, 3, 10), "23:59"))
    panzhou = await drive.schedule(_fair("panzhou", date(2030, 3, 8), "09:00"))
    gaoxin = await drive.schedule(_fair("gaoxin", date(2030, 3, 7), "09:00"))
    city_mid = await drive.schedule(_fair("zhongshan", date(2030, 3, 13), "09:00", level="city"))
    city_last = await drive.schedule(_fair("shuicheng", date(2030, 3, 31), "09:00", level="city"))
    campus = await drive.schedule(_fair("zhongshan", date(2030, 3, 13), "14:00", level="city", kind="campus"))
    county_big = await drive.schedule(_fair("panzhou", date(2030, 3, 13), "09:00"))

    await drive.at(local(2030, 3, 4, 0, 0, 30))  # W10 begins; February is over
    await drive.at(local(2030, 3, 5, 10))
    await drive.do(panzhou, "cancel", {"reason": "场地临时征用"})
    await drive.do(gaoxin, "reschedule", {"date": "2030-03-11", "start": "00:00", "end": "03:00"})
    await drive.at(local(2030, 3, 6, 9, 30))
    await drive.attend(zhongshan)
    await drive.at(local(2030, 3, 6, 12))  # the early-warning moment (default: Wednesday 12:00)
    await drive.at(local(2030, 3, 10, 23, 59, 30))
    await drive.attend(liuzhi)
    await drive.at(local(2030, 3, 11, 0, 0, 30))  # W10 is over
    await drive.at(local(2030, 3, 13, 10))
    for fair_id in (city_mid, campus, county_big):
        await drive.attend(fair_id)
    await drive.at(local(2030, 3, 31, 10))
    await drive.attend(city_last)

    expected = {
        ("county_week", "zhongshan", W): "met",
        ("county_week", "liuzhi", W): "met",
        ("county_week", "shuicheng", W): "missed",
        ("county_week", "panzhou", W): "missed",
        ("county_week", "gaoxin", W): "missed",
        ("county_week", "gaoxin", NEXT): "missed",
        ("county_week", "panzhou", NEXT): "met",
        ("county_week", "zhongshan", NEXT): "missed",
        ("city_month", "city", "2030-02"): "missed",
        ("city_month", "city", "2030-03"): "met",
    }

    async def board() -> dict[tuple[str, str, str], dict[str, Any]] | None:
        response = await gateway.get("/api/v1/quotas", headers={"Authorization": f"Bearer {credentials['officer']}"})
        assert response.status == 200
        entries = {(e["rule"], e["scope"], e["period"]): e for e in (await response.json())["entries"]}
        seen = {key: entries.get(key, {}).get("status") for key in expected}
        return entries if seen == expected else None

    entries = await eventually(board, timeout=30, what="the quota board for 2030-W10 and March 2030")
    zs = entries[("county_week", "zhongshan", W)]
    assert (zs["held"], zs["target"], zs["progress"]["attendees"]["actual"]) == (1, 1, 1)
    assert entries[("city_month", "city", "2030-03")]["held"] == 2
    assert [
        entries[("county_week", c, W)]["warned"] for c in ("shuicheng", "panzhou", "gaoxin", "zhongshan", "liuzhi")
    ] == [
        True,
        True,
        True,
        False,
        False,
    ]

    facts = await fair_events(platform)
    changes: dict[tuple[str, str], list[str]] = {}
    for e in facts:
        if isinstance(e, fair_records.QuotaStatusChanged) and e.period in (W, NEXT, "2030-02", "2030-03"):
            changes.setdefault((e.county, e.period), []).append(e.status)
    assert changes == {
        ("zhongshan", W): ["on_track", "met"],
        ("liuzhi", W): ["on_track", "met"],
        ("shuicheng", W): ["at_risk", "missed"],
        ("panzhou", W): ["on_track", "at_risk", "missed"],
        ("gaoxin", W): ["on_track", "at_risk", "missed"],
        ("zhongshan", NEXT): ["at_risk", "missed"],
        ("liuzhi", NEXT): ["at_risk", "missed"],
        ("shuicheng", NEXT): ["at_risk", "missed"],
        ("panzhou", NEXT): ["on_track", "met"],
        ("gaoxin", NEXT): ["on_track", "at_risk", "missed"],
        ("city", "2030-02"): ["at_risk", "missed"],
        ("city", "2030-03"): ["at_risk", "on_track", "met"],
    }
    warnings = sorted(e.county for e in facts if isinstance(e, fair_records.QuotaEarlyWarning) and e.period == W)
    assert warnings == ["gaoxin", "panzhou", "shuicheng"]
