"""The pages' middlewares still run for pages (the language cookie, the template context) and are skipped for
the JSON API (gateway/main.py ``_pages_only``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from gateway.main import create_app
from services.settings import Settings
from web import i18n


async def test_a_page_keeps_its_language_and_the_api_skips_it(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
) -> None:
    client = await aiohttp_client(create_app(Settings()))
    page = await client.get("/?lang=en")
    assert page.status == 200 and page.cookies[i18n.COOKIE].value == "en"
    api = await client.get("/api/v1/no-such-thing?lang=en")
    assert api.status == 404 and api.content_type == "application/json"
    assert i18n.COOKIE not in api.cookies
