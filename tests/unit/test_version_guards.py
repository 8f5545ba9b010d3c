"""The patches kept for correctness refuse to start on a library version they were not reviewed against.

A patch written against one version of a library's internals may silently stop applying (or apply wrongly) on
another; the process must not start then. Each guard runs before anything is patched.
"""

from __future__ import annotations

import aiokafka
import faust
import pytest

from services.adapters import kafka_connection
from streams import faust_patches


def test_the_uvloop_connection_fix_refuses_another_aiokafka(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_connection, "_applied", False)
    monkeypatch.setattr(aiokafka, "__version__", "0.13.0")
    with pytest.raises(RuntimeError, match=r"aiokafka 0\.13\.0 is not one of .*kafka_connection\.py"):
        kafka_connection.apply()


def test_the_recovery_fixes_refuse_another_faust(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faust_patches, "_applied", False)
    monkeypatch.setattr(faust, "__version__", "0.11.0")
    with pytest.raises(RuntimeError, match=r"faust-streaming 0\.11\.0 is not one of .*faust_patches\.py"):
        faust_patches.apply()


def test_the_reviewed_versions_are_the_installed_ones() -> None:
    assert aiokafka.__version__ in kafka_connection.REVIEWED_VERSIONS
    assert faust.__version__ in faust_patches.PATCHED_VERSIONS
