"""web/sign_in.py: the sign-in page links to employer registration only once the gateway serves that page."""

from __future__ import annotations

from aiohttp import web

from web.sign_in import EMPLOYER_REGISTRATION, registration_path


async def _page(request: web.Request) -> web.Response:
    return web.Response(text="注册")


def test_no_link_to_a_registration_page_that_is_not_served() -> None:
    app = web.Application()
    app.router.add_get("/sign-in", _page)
    app.router.add_post(EMPLOYER_REGISTRATION, _page)  # an API-like POST alone is no page to link to
    assert registration_path(app) is None


def test_the_registration_page_is_linked_once_served() -> None:
    app = web.Application()
    app.router.add_get(EMPLOYER_REGISTRATION, _page)
    assert registration_path(app) == "/employer/register"
