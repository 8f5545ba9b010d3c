"""bandit over the shipped code: no high-severity finding (``-lll``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["gateway", "streams", "services", "web", "deploy"]


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
