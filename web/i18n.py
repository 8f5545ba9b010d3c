"""Page translations: jinja2's i18n extension with Babel catalogues, Chinese first.

Decisions:

- The templates' source language is Chinese (the msgids are the zh-CN text), so a page never shows an
  untranslated key to a Chinese reader; ``web/translations/en/LC_MESSAGES/messages.po`` carries English.
  ``zh_CN/.../messages.po`` exists (empty translations, msgstr = msgid) for completeness and review tools.
- Catalogues are compiled at start-up from the ``.po`` files (Babel's ``read_po`` / ``write_mo`` into memory):
  no compiled ``.mo`` is committed, so a ``.po`` edit can never be shipped stale.
- The language of a request: ``?lang=en`` / ``?lang=zh_CN`` (also sets the cookie :data:`COOKIE` for the
  following pages), else the cookie, else zh_CN. ``GET /lang?to=en&next=/kiosk`` switches and goes back.
- The gettext callables are put into each template's context (the i18n extension looks ``gettext`` up in the
  context first), so concurrent requests in different languages never share state.

Extract new strings with ``pybabel extract -F web/babel.cfg -o web/translations/messages.pot web`` and merge
with ``pybabel update -i web/translations/messages.pot -d web/translations``.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"
COOKIE = "lingong_lang"
#: ``<html lang>`` per language.
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def compile_catalogues(directory: Path = TRANSLATIONS_DIR) -> dict[str, gettext.GNUTranslations]:
    """Each language's ``messages.po`` compiled in memory."""
    compiled: dict[str, gettext.GNUTranslations] = {}
    for language in LANGUAGES:
        po = directory / language / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        compiled[language] = gettext.GNUTranslations(buffer)
    return compiled


CATALOGUES = compile_catalogues()


def submit_messages(_: Callable[[str], str]) -> dict[str, str]:
    """What every page's form script (outbox.js) shows while a submission is sent, fails or waits offline."""
    return {
        "sending": _("正在提交…"),
        "failed": _("提交失败，请重试"),
        "queued_offline": _("网络不通：已保存在本机，网络恢复后自动提交"),
    }


def id_number_messages(_: Callable[[str], str]) -> dict[str, str]:
    """What the in-browser ID number check (idcheck.js) says, rule by rule; the server still decides."""
    return {
        "id_required": _("请输入身份证号码"),
        "id_length": _("身份证号码应为18位"),
        "id_digits": _("身份证号码只能是数字，最后一位可以是X"),
        "id_check": _("身份证号码校验位不正确，请核对后重新输入"),
    }


def language(request: web.Request) -> str:
    """The request's language: ``?lang=``, else the cookie, else zh_CN."""
    for candidate in (request.query.get("lang", ""), request.cookies.get(COOKIE, "")):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT


async def context_processor(request: web.Request) -> dict[str, Any]:
    """gettext callables and the language for every template (aiohttp_jinja2 context processor)."""
    lang = language(request)
    translations = CATALOGUES[lang]
    return {
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "_": translations.gettext,
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "other_lang": "en" if lang == "zh_CN" else "zh_CN",
        "path_qs": request.path_qs,
    }


async def switch(request: web.Request) -> web.StreamResponse:
    """``GET /lang?to=en&next=/kiosk``: remember the language in a cookie and go back to a local page."""
    to = request.query.get("to", DEFAULT)
    nxt = request.query.get("next", "/")
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = "/"
    response = web.Response(status=303, headers={"Location": nxt})
    if to in LANGUAGES:
        response.set_cookie(COOKIE, to, max_age=365 * 86400, path="/", samesite="Lax", httponly=True)
    return response


@web.middleware
async def remember_language(request: web.Request, handler: Any) -> web.StreamResponse:
    """A page opened with ``?lang=`` keeps that language for the next pages (cookie)."""
    response: web.StreamResponse = await handler(request)
    wanted = request.query.get("lang", "")
    if wanted in LANGUAGES and not response.prepared and wanted != request.cookies.get(COOKIE):
        response.set_cookie(COOKIE, wanted, max_age=365 * 86400, path="/", samesite="Lax", httponly=True)
    return response
