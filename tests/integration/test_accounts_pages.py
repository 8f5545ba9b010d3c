"""A password sign-in through the page form rotates the page session (gateway/sessions.py) and ties it to a
revocable sign-in token; a wrong password shows the form again."""

from __future__ import annotations

import hashlib
import json
import re

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient
from yarl import URL

from gateway import sessions
from services.readmodels import keys
from services.settings import Settings
from tests.integration.account_support import PASSWORD, register_company


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
    anonymous = _cookie(gateway)

    wrong = await gateway.post(
        "/sign-in",
        data={"csrf_token": _csrf(html), "login": login, "password": "wrong-password"},
        allow_redirects=False,
    )
    assert wrong.status == 401 and "登录名或密码不正确" in await wrong.text()
    assert _cookie(gateway) == anonymous

    right = await gateway.post(
        "/sign-in",
        data={"csrf_token": _csrf(html), "login": login, "password": PASSWORD, "next": "/"},
        allow_redirects=False,
    )
    assert right.status == 303 and right.headers["Location"] == "/"
    signed_in = _cookie(gateway)
    assert signed_in != anonymous
    client = aioredis.Redis.from_url(platform.redis_url)
    try:
        prefix = platform.topic_prefix
        assert await client.get(keys.page_session(prefix, hashlib.sha256(anonymous.encode()).hexdigest())) is None
        raw = await client.get(keys.page_session(prefix, hashlib.sha256(signed_in.encode()).hexdigest()))
        assert raw is not None
        principal = json.loads(raw)["principal"]
        assert principal["role"] == "employer" and principal["account_id"] == registered["account_id"]
        assert principal["token_sha256"] and PASSWORD not in raw.decode()
    finally:
        await client.aclose()
