"""Static analysis of the shipped code: bandit (no high-severity finding), ruff, and mypy (strict)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["gateway", "streams", "projector", "services", "web", "deploy"]


def test_bandit_finds_no_high_severity_issue() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", *PACKAGES, "-lll", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    high = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert not high, "bandit high-severity findings:\n" + "\n".join(high)
    assert result.returncode == 0, result.stderr
    scanned = report["metrics"]["_totals"]["loc"]
    assert scanned > 1000, f"bandit scanned only {scanned} lines: is the package list right?"


def test_ruff_finds_nothing() -> None:
    """The lint settings of pyproject.toml hold for the product and its tests."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", *PACKAGES, "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_platform() -> None:
    """mypy, strict, over the files of pyproject's [tool.mypy] (gateway/, streams/, web/, services/; `make lint`):
    about 6 s from a cold cache, 1 s from a warm one on this machine."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=90, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found" in result.stdout
