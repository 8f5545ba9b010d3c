"""Page sessions: server-side in Redis, HttpOnly SameSite=Lax cookie, rotated at sign-in, CSRF on every form."""

from __future__ import annotations

import hashlib
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


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _cookie(gateway: TestClient, name: str = sessions.COOKIE) -> str | None:
    cookie = gateway.session.cookie_jar.filter_cookies(URL(str(gateway.make_url("/")))).get(name)
    return cookie.value if cookie is not None else None


async def _sign_in_form(gateway: TestClient) -> str:
    response = await gateway.get("/sign-in?next=/tickets/x")
    assert response.status == 200
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    return _csrf(await response.text())


async def test_sign_in_rotates_the_session_and_stores_only_its_hash(
    gateway: TestClient, credentials: dict[str, str], platform: Settings
) -> None:
    csrf = await _sign_in_form(gateway)
    assert _cookie(gateway) is None, "an anonymous reader gets no session"
    response = await gateway.post(
        "/sign-in",
        data={"csrf_token": csrf, "next": "/tickets/x", "access_key": credentials["officer"]},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/tickets/x"
    signed_in_id = _cookie(gateway)
    assert signed_in_id is not None
    redis = aioredis.Redis.from_url(platform.redis_url)
    try:
        prefix = platform.topic_prefix
        stored = await redis.get(keys.page_session(prefix, hashlib.sha256(signed_in_id.encode()).hexdigest()))
        assert stored is not None and b'"of-test"' in stored
        assert signed_in_id.encode() not in stored
        assert await redis.ttl(keys.page_session(prefix, hashlib.sha256(signed_in_id.encode()).hexdigest())) > 0
    finally:
        await redis.aclose()


async def test_a_form_without_the_csrf_token_is_refused(gateway: TestClient, credentials: dict[str, str]) -> None:
    await _sign_in_form(gateway)
    response = await gateway.post("/sign-in", data={"access_key": credentials["officer"]}, allow_redirects=False)
    assert response.status == 403
    body = await response.json()
    assert body["errors"][0]["field"] == "csrf_token"
    wrong = await gateway.post(
        "/sign-in", data={"csrf_token": "forged", "access_key": credentials["officer"]}, allow_redirects=False
    )
    assert wrong.status == 403


async def test_a_wrong_access_key_shows_a_message_next_to_the_field(gateway: TestClient) -> None:
    csrf = await _sign_in_form(gateway)
    response = await gateway.post("/sign-in", data={"csrf_token": csrf, "access_key": "nope"}, allow_redirects=False)
    assert response.status == 401
    html = await response.text()
    assert 'id="access_key_error"' in html and "访问密钥无效" in html


async def test_next_never_leaves_the_site(gateway: TestClient, credentials: dict[str, str]) -> None:
    csrf = await _sign_in_form(gateway)
    response = await gateway.post(
        "/sign-in",
        data={"csrf_token": csrf, "next": "//evil.example/", "access_key": credentials["employer"]},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/"


async def test_sign_out_deletes_the_session(gateway: TestClient, credentials: dict[str, str]) -> None:
    csrf = await _sign_in_form(gateway)
    await gateway.post("/sign-in", data={"csrf_token": csrf, "access_key": credentials["employer"]})
    form = await gateway.get("/sign-in")
    response = await gateway.post("/sign-out", data={"csrf_token": _csrf(await form.text())}, allow_redirects=False)
    assert response.status == 303
    assert sessions.COOKIE not in {c.key for c in gateway.session.cookie_jar}


async def test_page_principal_redirects_strangers_and_refuses_other_roles(
    aiohttp_client: Callable[..., Awaitable[TestClient]], platform: Settings, credentials: dict[str, str]
) -> None:
    async def officers_only(request: web.Request) -> web.Response:
        principal = await sessions.page_principal(request, "officer")
        return web.Response(text=principal.subject_id)

    app = create_app(platform, clock=lambda: TEST_NOW)
    app.router.add_get("/officers-only", officers_only)
    client = await aiohttp_client(app)
    stranger = await client.get("/officers-only?x=1", allow_redirects=False)
    assert stranger.status == 303
    location = URL(stranger.headers["Location"])
    assert location.path == "/sign-in" and location.query["next"] == "/officers-only?x=1"
    for role, status in (("employer", 403), ("officer", 200)):
        client.session.cookie_jar.clear()
        csrf = await _sign_in_form(client)
        await client.post("/sign-in", data={"csrf_token": csrf, "access_key": credentials[role]})
        response = await client.get("/officers-only", allow_redirects=False)
        assert response.status == status, role


async def test_anonymous_reads_write_nothing_to_redis(gateway: TestClient, platform: Settings) -> None:
    """A loop of plain GETs of the sign-in page (each a new visitor, no cookies) creates no key in Redis."""
    redis = aioredis.Redis.from_url(platform.redis_url)
    pattern = keys.page_session(platform.topic_prefix, "*")
    try:
        before = len([k async for k in redis.scan_iter(match=pattern, count=1000)])
        for _ in range(30):
            gateway.session.cookie_jar.clear()
            assert (await gateway.get("/sign-in")).status == 200
        after = len([k async for k in redis.scan_iter(match=pattern, count=1000)])
    finally:
        await redis.aclose()
    assert after == before


async def test_the_sign_in_form_token_is_bound_to_its_cookie(gateway: TestClient, credentials: dict[str, str]) -> None:
    """The pre-sign-in token is the HMAC of the form cookie: a token from another browser's form is refused."""
    other = _csrf(await (await gateway.get("/sign-in")).text())
    gateway.session.cookie_jar.clear()
    await _sign_in_form(gateway)
    response = await gateway.post(
        "/sign-in", data={"csrf_token": other, "access_key": credentials["officer"]}, allow_redirects=False
    )
    assert response.status == 403
