"""The pages' minimum-wage hints say what screening applies: the county table, the setting's override."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gateway.typedefs import SETTINGS
from services import geography
from services.settings import Settings
from web import wage_hints


def _request(settings: Settings) -> web.Request:
    app = web.Application()
    app[SETTINGS] = settings
    return make_mocked_request("GET", "/employer", app=app)


def test_the_hint_follows_the_county_table_and_the_language() -> None:
    request = _request(Settings())
    assert wage_hints.day_hint(request, "zhongshan", "zh_CN") == "钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元"
    ten_hours = wage_hints.day_hint(request, "panzhou", "zh_CN", hours=10)
    assert ten_hours == "盘州市最低工资 18.3 元/小时 × 10 小时 = 183 元"
    assert wage_hints.day_hint(request, "liuzhi", "en") == (
        "Liuzhi Special District minimum wage 17.2 yuan/hour × 8 hours = 137.6 yuan"
    )


def test_the_setting_overrides_the_hint_as_it_overrides_screening() -> None:
    request = _request(Settings(minimum_hourly_wage_by_county="liuzhi=20"))
    assert wage_hints.day_hint(request, "liuzhi", "zh_CN") == "六枝特区最低工资 20 元/小时 × 8 小时 = 160 元"


def test_every_market_has_its_county_rate_for_the_form_script() -> None:
    found = wage_hints.market_minimums(_request(Settings()), "zh_CN")
    assert found["wording"] == "{county}最低工资 {hourly} 元/小时 × {hours} 小时 = {day} 元"
    assert set(found["markets"]) == set(geography.MARKETS_BY_ID)
    assert found["markets"]["zs-market"] == {"county": "钟山区", "hourly": "19.6", "hundredths": 1960}
    assert found["markets"]["pz-hongguo-station"] == {"county": "盘州市", "hourly": "18.3", "hundredths": 1830}
    english = wage_hints.market_minimums(_request(Settings()), "en")
    assert english["markets"]["gx-market"]["county"] == "Liupanshui High-tech Zone "
    assert english["wording"].startswith("{county}minimum wage")
