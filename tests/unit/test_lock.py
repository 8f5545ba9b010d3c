"""The lock files (requirements/*.txt, written by `make lock`) agree with pyproject.toml.

What is installed comes from the lock (Makefile, Dockerfile, CI); pyproject.toml says what is allowed. A dependency
added to or narrowed in pyproject.toml without `make lock` fails here instead of being missing, or another
version, in the next fresh install.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, set[Version]]:
    """Every pinned version of the lock file ``lock``, by canonical name (several when markers split one)."""
    found: dict[str, set[Version]] = {}
    for match in PIN.finditer((LOCKS / lock).read_text()):
        found.setdefault(canonicalize_name(match["name"]), set()).add(Version(match["version"]))
    return found


def declared(*extras: str) -> list[Requirement]:
    """pyproject's runtime dependencies, the build back-end, and the dependencies of ``extras``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lines = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for extra in extras:
        lines += project["project"]["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(("lock", "extras"), [("runtime.txt", ()), ("dev.txt", ("dev", "bench"))])
def test_every_direct_dependency_is_locked_at_a_version_pyproject_allows(lock: str, extras: tuple[str, ...]) -> None:
    locked = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is in pyproject.toml but not in requirements/{lock}: make lock"
        outside = [v for v in locked[name] if not requirement.specifier.contains(v, prereleases=True)]
        assert not outside, f"requirements/{lock} pins {requirement.name} {outside}, pyproject says {requirement}"


def test_the_image_runs_the_versions_the_suite_tested() -> None:
    """Every package of the runtime lock has the same version in the dev lock (what `make test` installs)."""
    runtime, dev = pins("runtime.txt"), pins("dev.txt")
    assert {name: runtime[name] for name in runtime if dev.get(name) != runtime[name]} == {}


@pytest.mark.parametrize("lock", ["runtime.txt", "dev.txt"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    """Each pinned requirement is followed by at least one --hash (pip's --require-hashes needs them all)."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", (LOCKS / lock).read_text())
    pinned = [entry for entry in entries if PIN.match(entry)]
    assert pinned
    assert [entry.split()[0] for entry in pinned if "--hash=sha256:" not in entry] == []
