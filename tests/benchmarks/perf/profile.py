"""Sampling profiles of the benchmark's processes with py-spy (a bench dependency), summarised into the result.

:class:`Profile` starts ``py-spy record`` on a running process for a fixed time (``--nonblocking``: the target
is never paused); :meth:`Profile.summary` reads the collapsed stacks and returns the functions with the most
samples on their own (``self``) and anywhere on the stack (``total``), as shares of all samples.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PY_SPY = Path(sys.executable).parent / "py-spy"
_LINE = re.compile(r":\d+\)$")


class Profile:
    def __init__(self, pid: int, out: Path, seconds: float, rate: int = 50) -> None:
        self.out = out
        self.proc: subprocess.Popen[bytes] | None = None
        if not PY_SPY.is_file():
            return
        argv = [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", str(rate)]
        self.proc = subprocess.Popen(
            [*argv, "--format", "raw", "--nonblocking", "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def summary(self, top: int = 12) -> dict[str, Any]:
        """Wait for the recording; the top functions by own and by total samples (shares of all samples)."""
        if self.proc is None:
            return {"error": "py-spy not installed"}
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if not self.out.is_file():
            return {"error": f"py-spy wrote nothing (exit {self.proc.returncode})"}
        own: Counter[str] = Counter()
        total: Counter[str] = Counter()
        samples = 0
        for line in self.out.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [_LINE.sub(")", f) for f in stack.split(";")]
            samples += count
            own[frames[-1]] += count
            for frame in set(frames):
                total[frame] += count
        if not samples:
            return {"samples": 0}

        def shares(counter: Counter[str]) -> list[tuple[str, float]]:
            return [(name, round(n / samples, 3)) for name, n in counter.most_common(top)]

        return {"samples": samples, "self": shares(own), "total": shares(total), "raw": str(self.out)}
