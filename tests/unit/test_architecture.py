"""The lint contract: the pure core in ``services/`` imports no framework or I/O library.

Only ``services/adapters/`` may talk to Kafka and Redis; aiohttp and faust stay out of ``services/`` entirely.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANNED_IN_CORE = ("aiohttp", "aiokafka", "faust", "redis", "mode")
BANNED_IN_ADAPTERS = ("aiohttp", "faust", "mode")
BANNED_CALLS = ("datetime.now", "datetime.utcnow", "date.today", "time.time")


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


CORE = [p for p in _modules(ROOT / "services") if "adapters" not in p.parts]
ADAPTERS = _modules(ROOT / "services" / "adapters")


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_framework(path: Path) -> None:
    roots = _imported_roots(ast.parse(path.read_text()))
    assert not roots & set(BANNED_IN_CORE), f"{path} imports {roots & set(BANNED_IN_CORE)}"


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_reads_the_wall_clock(path: Path) -> None:
    source = path.read_text()
    found = [call for call in BANNED_CALLS if f"{call}(" in source]
    assert not found, f"{path} reads the clock: {found}; take the time as a parameter"


@pytest.mark.parametrize("path", ADAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_import_no_web_or_stream_framework(path: Path) -> None:
    roots = _imported_roots(ast.parse(path.read_text()))
    assert not roots & set(BANNED_IN_ADAPTERS)


def test_the_contract_sees_the_core() -> None:
    assert len(CORE) >= 10 and any(p.name == "market.py" for p in CORE)
