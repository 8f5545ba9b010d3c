"""The settings table of docs/operations.md, generated from :class:`services.settings.Settings`.

Each field's documentation is the block of ``#:`` comment lines right above it in services/settings.py; its
default is what :meth:`Settings.to_environ` writes for ``Settings()``. ``python -m deploy.settings_doc`` rewrites
the table between the two markers of docs/operations.md; tests/unit/test_settings_table.py fails when the file
and the settings disagree.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
from pathlib import Path

from services import settings as settings_module
from services.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
BEGIN = "<!-- settings table: written by `python -m deploy.settings_doc` from services/settings.py; do not edit -->"
END = "<!-- end of the settings table -->"


def field_docs() -> dict[str, str]:
    """Every field of :class:`Settings` with the text of the ``#:`` lines right above it ('' when there are none)."""
    source = inspect.getsource(settings_module)
    lines = source.splitlines()
    (cls,) = (n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == Settings.__name__)
    docs: dict[str, str] = {}
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            block: list[str] = []
            row = node.lineno - 2  # the line above, 0-based
            while row >= 0 and lines[row].strip().startswith("#:"):
                block.insert(0, lines[row].strip().removeprefix("#:").strip())
                row -= 1
            docs[node.target.id] = " ".join(block)
    return docs


def _cell(text: str) -> str:
    """Markdown table cell text: reST literals as Markdown code, pipes escaped."""
    return text.replace("``", "`").replace("|", "\\|")


def table() -> str:
    """The Markdown table of every ``LINGONG_*`` variable: name, default, meaning."""
    defaults = Settings().to_environ()
    docs = field_docs()
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for field in dataclasses.fields(Settings):
        key = f"LINGONG_{field.name.upper()}"
        default = f"`{defaults[key]}`" if defaults[key] else "*(empty)*"
        rows.append(f"| `{key}` | {default} | {_cell(docs[field.name])} |")
    return "\n".join(rows)


def rewritten(text: str) -> str:
    """``text`` (docs/operations.md) with the part between the markers replaced by :func:`table`."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> None:
    """Rewrite the table in docs/operations.md (``--check``: exit 1 if it is not current, writing nothing)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the table is current")
    args = parser.parse_args()
    text = DOC.read_text(encoding="utf-8")
    new = rewritten(text)
    if args.check:
        raise SystemExit(0 if new == text else "docs/operations.md: the settings table is stale")
    DOC.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
