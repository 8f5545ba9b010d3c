"""Deduplication can be switched off only from the tests (the fault battery's checker must see duplicates): it is
no setting, and what it turns off in the market is ``MarketRules.deduplicate``. The roster's side:
tests/unit/test_roster.py; the gateway's and the stream worker's: tests/faults/test_checker_without_dedup.py."""

from __future__ import annotations

import dataclasses

import pytest

from services.market.decide import MarketRules
from services.settings import Settings, SettingsError
from tests.unit.market_fixtures import FCFS, check_in, run, step


def test_no_setting_turns_deduplication_off() -> None:
    assert not any("dedup" in field.name for field in dataclasses.fields(Settings))
    with pytest.raises(SettingsError, match="LINGONG_TEST_DEDUPLICATION_OFF is not a setting"):
        Settings.from_environ({"LINGONG_TEST_DEDUPLICATION_OFF": "true"})


def test_the_market_deduplicates_by_default() -> None:
    assert MarketRules.from_settings(Settings()).deduplicate
    assert MarketRules().deduplicate


def test_with_the_switch_a_market_applies_a_command_id_again() -> None:
    state, _ = run(check_in(1))
    assert step(state, check_in(2)).facts  # a new id
    state, _ = run(check_in(1))
    assert step(state, check_in(1)).facts == []
    assert step(state, check_in(1), dataclasses.replace(FCFS, deduplicate=False)).facts
