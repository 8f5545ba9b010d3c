"""The lint contract: the pure core in ``services/`` imports no framework or I/O library, and the parts of the
platform import each other only in the directions of one table, :data:`ALLOWED`.

Only ``services/adapters/`` may talk to Kafka and Redis; aiohttp and faust stay out of ``services/`` entirely. The
imports still against the table are listed, one by one, in :data:`KNOWN_EXCEPTIONS`, which may only shrink.
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
    assert len(CORE) >= 10 and any(p.parts[-2:] == ("market", "decide.py") for p in CORE)


def test_services_keeps_a_small_kernel_at_its_top() -> None:
    """The kernel stays small: every other module of ``services/`` lives in its domain's package."""
    top = sorted(p.name for p in (ROOT / "services").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= KERNEL_MODULES_AT_MOST, top


# ---- import directions -------------------------------------------------------------------------------------------

#: The parts of the platform, by module prefix (the longest prefix names a module's part). ``services`` alone is the
#: shared kernel (record envelope, settings, topics, local time, trades, geography, field checks…); each domain of
#: ``services/`` is a part of its own.
DOMAINS = (
    "services.places",
    "services.people",
    "services.market",
    "services.fairs",
    "services.jobseekers",
    "services.trust",
    "services.screening",
    "services.supply",
    "services.reports",
    "services.readmodels",
)
PARTS = (
    "services.adapters",
    *DOMAINS,
    "services",
    "gateway.views",
    "gateway",
    "web",
    "streams",
    "projector",
    "deploy",
)
#: The whole domain: the kernel and every domain package (what the processes and the pages may use).
DOMAIN = frozenset({"services", *DOMAINS})

#: THE table of allowed import directions: a part may import its own modules and those of the parts listed here,
#: nothing else of the platform. The kernel (``services``) is below everything and imports only the catalogue of
#: places it reads (``services.places``, data with its checks, importing nothing); people
#: sit on the kernel only; the market and the fairs never import each other; reports count what the market and
#: the fairs record; the read models sit on every domain. No domain imports its own I/O (``services.adapters``).
#: The processes (gateway, streams, projector) sit on the domain and its adapters; the pages (``web``) on the
#: domain only; ``deploy`` starts the processes.
ALLOWED: dict[str, frozenset[str]] = {
    "services.places": frozenset(),
    "services": frozenset({"services.places"}),
    "services.people": frozenset({"services"}),
    "services.screening": frozenset({"services"}),
    "services.market": frozenset({"services", "services.people", "services.screening"}),
    "services.fairs": frozenset({"services", "services.people"}),
    "services.supply": frozenset({"services"}),
    "services.trust": frozenset({"services", "services.people", "services.market"}),
    "services.jobseekers": frozenset({"services", "services.people", "services.supply"}),
    "services.reports": frozenset({"services", "services.people", "services.market", "services.fairs"}),
    "services.readmodels": DOMAIN - {"services.readmodels"},
    "services.adapters": DOMAIN,
    "streams": DOMAIN | {"services.adapters"},
    "projector": DOMAIN | {"services.adapters"},
    "web": DOMAIN,
    "gateway": DOMAIN | {"gateway.views", "web", "services.adapters"},
    "gateway.views": DOMAIN | {"gateway", "services.adapters"},
    "deploy": DOMAIN | {"gateway", "streams", "projector", "services.adapters"},
}

#: At most this many modules at the top of ``services/`` (the kernel); the rest lives in domain packages.
KERNEL_MODULES_AT_MOST = 12

#: Imports against the table that are still there (importing module, imported module). The pages import the
#: gateway's sessions, typedefs, problems, throttle and two of its views, and a dashboard view imports the pages'
#: i18n (issue 25: the pages become an aiohttp sub-application importing only a small shared module). The list only
#: shrinks: an entry whose import is gone fails the test until it is removed; a new import against the table fails.
KNOWN_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("gateway.views.dashboard", "web.i18n"),
        ("gateway.views.supply", "web.i18n"),  # the supply list's language follows the page's (merged with pages2)
        ("web.employer", "gateway.sessions"),
        ("web.employer", "gateway.typedefs"),
        ("web.fair_pass_page", "gateway.sessions"),
        ("web.fair_pass_page", "gateway.throttle"),
        ("web.fair_pass_page", "gateway.typedefs"),
        ("web.hall", "gateway.typedefs"),
        ("web.worker", "gateway.typedefs"),  # the phone page's fair pass needs the clock (merged with pages2)
        ("web.hall", "gateway.views.live"),
        ("web.kiosk", "gateway.bodies"),
        ("web.kiosk", "gateway.sessions"),
        ("web.my_registration", "gateway.bodies"),
        ("web.my_registration", "gateway.problems"),
        ("web.my_registration", "gateway.sessions"),
        ("web.my_registration", "gateway.throttle"),
        ("web.my_registration", "gateway.typedefs"),
        ("web.organiser", "gateway.middlewares"),
        ("web.organiser", "gateway.problems"),
        ("web.organiser", "gateway.sessions"),
        ("web.organiser", "gateway.typedefs"),
        ("web.pages", "gateway.typedefs"),
        ("web.pages", "gateway.views.live"),
        ("web.placement_steps", "gateway.typedefs"),
        ("web.sign_in", "gateway.auth"),
        ("web.sign_in", "gateway.problems"),
        ("web.sign_in", "gateway.sessions"),
        ("web.sign_in", "gateway.views.accounts"),
        ("web.ticket_print", "gateway.problems"),
        ("web.ticket_print", "gateway.sessions"),
        ("web.ticket_print", "gateway.typedefs"),
        ("web.wage_hints", "gateway.typedefs"),
        ("web.worker", "gateway.sessions"),
        ("web.worker_link", "gateway.problems"),
        ("web.worker_link", "gateway.sessions"),
        ("web.worker_link", "gateway.typedefs"),
    }
)


def part_of(module: str) -> str | None:
    """The part of ``module`` (a dotted name), or ``None`` for a module outside the platform (stdlib, libraries)."""
    for part in PARTS:
        if module == part or module.startswith(f"{part}."):
            return part
    return None


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """The platform modules ``path`` imports, anywhere in it (also inside functions): ``from a import b`` counts as
    an import of ``a.b`` when that is a module, else of ``a``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}")}
            found.update(submodules if len(submodules) == len(node.names) else {node.module, *submodules})
    return {name for name in found if part_of(name) is not None}


def platform_imports() -> dict[str, set[str]]:
    """Every module of the platform's parts with the platform modules it imports."""
    roots = sorted({part.split(".")[0] for part in PARTS})
    return {_module_name(p): imports_of(p) for root in roots for p in _modules(ROOT / root)}


def against_the_table(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The (importer, imported) pairs of ``imports`` that :data:`ALLOWED` does not allow."""
    wrong: set[tuple[str, str]] = set()
    for importer, imported in imports.items():
        source = part_of(importer)
        assert source is not None, importer
        for name in imported:
            target = part_of(name)
            if target is not None and target != source and target not in ALLOWED[source]:
                wrong.add((importer, name))
    return wrong


def test_every_part_has_a_row_and_the_table_names_only_parts() -> None:
    assert set(ALLOWED) == set(PARTS)
    assert all(allowed <= set(PARTS) - {part} for part, allowed in ALLOWED.items())


def test_imports_follow_the_table_but_for_the_known_exceptions() -> None:
    wrong = against_the_table(platform_imports())
    assert sorted(wrong - KNOWN_EXCEPTIONS) == [], "imports against ALLOWED (tests/unit/test_architecture.py)"
    assert sorted(KNOWN_EXCEPTIONS - wrong) == [], "gone: remove these from KNOWN_EXCEPTIONS"


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("web.kiosk", "gateway.views.checkins"),  # the pages into a gateway view
        ("services.market.decide", "services.adapters.registry"),  # the domain into its adapters
        ("services.readmodels.views", "services.adapters.posting_log"),
        ("services.market.checkin", "gateway.auth"),  # the domain into a process
        ("streams.app", "gateway.publisher"),  # one process into another
        ("projector.app", "web.pages"),
        ("services.market.decide", "services.fairs.records"),  # market and fairs never import each other
        ("services.fairs.decide", "services.market.records"),
        ("services.people.accounts", "services.market.records"),  # people below every domain
        ("services.clock", "services.market.decide"),  # the kernel below everything
        ("services.reports.figures", "services.readmodels.views"),  # reports below the read models
    ],
)
def test_the_table_refuses(importer: str, imported: str) -> None:
    """The check is real: each of these imports, were it written, would fail the test above."""
    assert against_the_table({importer: {imported}}) == {(importer, imported)}
    assert (importer, imported) not in KNOWN_EXCEPTIONS


def test_the_table_sees_the_platform() -> None:
    imports = platform_imports()
    assert {part_of(m) for m in imports} == set(PARTS)
    assert "services.market.records" in imports["services.market.decide"]
    assert "services.people.principal" in imports["gateway.auth"] and "projector.app" in imports["projector.rebuild"]
