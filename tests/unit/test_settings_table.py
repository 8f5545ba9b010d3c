"""docs/operations.md's settings table is the one written from services/settings.py (deploy/settings_doc.py):
every setting documented by its own ``#:`` lines, each ``LINGONG_*`` variable once, nothing stale."""

from __future__ import annotations

import dataclasses
import re

from deploy import settings_doc
from services.settings import Settings


def test_every_setting_has_its_own_documentation() -> None:
    docs = settings_doc.field_docs()
    assert set(docs) == {f.name for f in dataclasses.fields(Settings)}
    assert [name for name, text in docs.items() if not text] == []


def test_the_table_in_the_docs_is_the_one_the_settings_write() -> None:
    text = settings_doc.DOC.read_text(encoding="utf-8")
    assert settings_doc.rewritten(text) == text, "the settings table is stale: python -m deploy.settings_doc"


def test_each_variable_is_in_the_table_once_and_the_table_names_no_other() -> None:
    text = settings_doc.DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(LINGONG_\w+)` \|", text, flags=re.MULTILINE)
    assert rows == [f"LINGONG_{f.name.upper()}" for f in dataclasses.fields(Settings)]


def test_a_changed_docstring_makes_the_table_stale() -> None:
    """The check is real: a table written before a setting's text changed is not what the settings write now."""
    text = settings_doc.DOC.read_text(encoding="utf-8")
    edited = text.replace("How long a worker has to answer an offer.", "How long an offer stands.", 1)
    assert edited != text and settings_doc.rewritten(edited) != edited
