"""The test-only ``test_deduplication_off`` setting (services/settings.py): refused outside dev mode, and what it
turns off in the market (``MarketRules.deduplicate``). The roster's side: tests/unit/test_roster.py."""

from __future__ import annotations

import dataclasses

import pytest

from services.market import MarketRules
from services.settings import Settings, SettingsError
from tests.unit.market_fixtures import FCFS, check_in, run, step

SECRET = {"LINGONG_PSEUDONYM_KEY": "a-production-secret-of-32-bytes!"}


def test_refused_unless_dev_mode() -> None:
    with pytest.raises(SettingsError, match="LINGONG_TEST_DEDUPLICATION_OFF"):
        Settings.from_environ({**SECRET, "LINGONG_DEV_MODE": "false", "LINGONG_TEST_DEDUPLICATION_OFF": "true"})
    assert Settings.from_environ({"LINGONG_TEST_DEDUPLICATION_OFF": "true"}).test_deduplication_off


def test_off_by_default_and_the_market_deduplicates() -> None:
    assert MarketRules.from_settings(Settings()).deduplicate
    assert not MarketRules.from_settings(Settings(test_deduplication_off=True)).deduplicate


def test_with_the_switch_a_market_applies_a_command_id_again() -> None:
    state, _ = run(check_in(1))
    assert step(state, check_in(2)).facts  # a new id
    state, _ = run(check_in(1))
    assert step(state, check_in(1)).facts == []
    assert step(state, check_in(1), dataclasses.replace(FCFS, deduplicate=False)).facts
