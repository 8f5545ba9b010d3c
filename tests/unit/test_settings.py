"""Settings from the environment (services/settings.py): an unknown ``LINGONG_*`` variable stops start-up."""

from __future__ import annotations

import pytest

from services.settings import Settings, SettingsError


def test_an_unknown_setting_stops_start_up_naming_the_closest_one() -> None:
    expected = r"LINGONG_OFER_TTL_SECONDS is not a setting \(did you mean LINGONG_OFFER_TTL_SECONDS\?\)"
    with pytest.raises(SettingsError, match=expected):
        Settings.from_environ({"LINGONG_OFER_TTL_SECONDS": "60"})


def test_an_unknown_setting_with_nothing_close_points_to_the_settings_table() -> None:
    with pytest.raises(SettingsError, match=r"LINGONG_ZZZ is not a setting \(see docs/operations.md"):
        Settings.from_environ({"LINGONG_ZZZ": "1"})


def test_other_variables_are_ignored_and_known_ones_are_read() -> None:
    assert Settings.from_environ({"PATH": "/bin", "LINGONG_OFFER_TTL_SECONDS": "60"}).offer_ttl_seconds == 60


def test_settings_round_trip_through_the_environment() -> None:
    settings = Settings.from_environ({"LINGONG_OFFER_TTL_SECONDS": "60"})
    assert Settings.from_environ(settings.to_environ()) == settings
