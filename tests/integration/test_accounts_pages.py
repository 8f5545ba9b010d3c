"""A password sign-in through the page form rotates the page session (gateway/sessions.py) and ties it to a
revocable sign-in token; a wrong password shows the form again."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient
from yarl import URL

from gateway import sessions
from gateway.main import create_app
from services.readmodels import keys
from services.settings import Settings
from tests.conftest import TEST_NOW
from tests.integration.account_support import PASSWORD, register_company
from tests.integration.conftest import auth


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _cookie(gateway: TestClient) -> str:
    return gateway.session.cookie_jar.filter_cookies(URL(str(gateway.make_url("/"))))[sessions.COOKIE].value


async def test_a_password_sign_in_rotates_the_session(gateway: TestClient, platform: Settings) -> None:
    login, registered = await register_company(gateway, "页面登录公司")
    form = await gateway.get("/sign-in")
    html = await form.text()
    assert 'name="login"' in html and 'name="password"' in html
    assert sessions.COOKIE not in gateway.session.cookie_jar.filter_cookies(URL(str(gateway.make_url("/"))))

    wrong = await gateway.post(
        "/sign-in",
        data={"csrf_token": _csrf(html), "login": login, "password": "wrong-password"},
        allow_redirects=False,
    )
    assert wrong.status == 401 and "登录名或密码不正确" in await wrong.text()
    assert sessions.COOKIE not in gateway.session.cookie_jar.filter_cookies(URL(str(gateway.make_url("/"))))

    right = await gateway.post(
        "/sign-in",
        data={"csrf_token": _csrf(html), "login": login, "password": PASSWORD, "next": "/"},
        allow_redirects=False,
    )
    assert right.status == 303 and right.headers["Location"] == "/"
    signed_in = _cookie(gateway)
    client = aioredis.Redis.from_url(platform.redis_url)
    try:
        prefix = platform.topic_prefix
        raw = await client.get(keys.page_session(prefix, hashlib.sha256(signed_in.encode()).hexdigest()))
        assert raw is not None
        principal = json.loads(raw)["principal"]
        assert principal["role"] == "employer" and principal["account_id"] == registered["account_id"]
        assert principal["token_sha256"] and PASSWORD not in raw.decode()
    finally:
        await client.aclose()


async def test_revoking_the_account_ends_its_page_session_at_once(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    async def employers_only(request: web.Request) -> web.Response:
        return web.Response(text=(await sessions.page_principal(request, "employer")).subject_id)

    app = create_app(platform, clock=lambda: TEST_NOW)
    app.router.add_get("/employers-only", employers_only)
    client = await aiohttp_client(app)
    login, registered = await register_company(client, "页面撤销公司")
    csrf = _csrf(await (await client.get("/sign-in")).text())
    await client.post("/sign-in", data={"csrf_token": csrf, "login": login, "password": PASSWORD})
    page = await client.get("/employers-only", allow_redirects=False)
    assert page.status == 200 and await page.text() == registered["account_id"]
    revoked = await client.post(
        f"/api/v1/accounts/{registered['account_id']}/revoke", json={}, headers=auth(credentials["admin"])
    )
    assert revoked.status == 200
    after = await client.get("/employers-only", allow_redirects=False)
    assert after.status == 303 and URL(after.headers["Location"]).path == "/sign-in"
