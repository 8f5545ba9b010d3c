"""The check-in answer formats its status and ticket-page paths without the router: they must stay the routes'."""

from __future__ import annotations

from gateway.commands import command_id
from gateway.main import create_app
from gateway.views import checkins
from services.people.principal import Principal
from services.settings import Settings


def test_the_formatted_paths_are_the_routes() -> None:
    app = create_app(Settings())
    derived = command_id(Principal("kiosk", "kiosk-1", "", "zs-market"), "key-12345678")
    status, page = checkins.command_paths(derived)
    assert status == str(app.router["checkin"].url_for(checkin_id=derived))
    assert page == str(app.router["ticket_page"].url_for(checkin_id=derived))
