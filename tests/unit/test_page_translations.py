"""The page catalogues: every string the templates and page modules translate has an English entry, and both
catalogues compile (they are compiled at start-up, see web/i18n.py)."""

from __future__ import annotations

import re
from pathlib import Path

from web import i18n

WEB = Path(i18n.__file__).parent
CALL = re.compile(r"""_\((["'])(.+?)\1\)""")


def _msgids() -> set[str]:
    sources = [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]
    return {m.group(2) for path in sources for m in CALL.finditer(path.read_text(encoding="utf-8"))}


def test_every_page_string_has_an_english_translation() -> None:
    english = i18n.compile_catalogues()["en"]
    untranslated = sorted(m for m in _msgids() if english.gettext(m) == m)
    assert untranslated == []


def test_chinese_is_the_source_and_the_default() -> None:
    assert i18n.DEFAULT == "zh_CN"
    chinese = i18n.compile_catalogues()["zh_CN"]
    assert all(chinese.gettext(m) == m for m in _msgids())
    assert i18n.CATALOGUES["en"].gettext("接受") == "Accept"
