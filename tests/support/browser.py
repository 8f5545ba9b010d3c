"""Browser support for tests/browser: Debian's chromium (apt-installed when missing, with a CJK font),
driven by Playwright for Python, and screenshots of every page at kiosk and phone sizes.

Playwright's own browser download is not used: chromium is launched from :data:`CHROMIUM` with
:data:`CHROMIUM_ARGS`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from playwright.async_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PACKAGES = ["chromium", "fonts-wqy-microhei"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
#: The sizes pages are photographed at: kiosk portrait and landscape, a phone (every page: :data:`EVERY_PAGE`),
#: and the hall television (the hall screen only).
SIZES = {"kiosk-portrait": (1080, 1920), "kiosk-landscape": (1366, 768), "phone": (390, 844), "hall-tv": (1920, 1080)}
EVERY_PAGE = ("kiosk-portrait", "kiosk-landscape", "phone")


def _missing() -> list[str]:
    missing = [] if Path(CHROMIUM).exists() else ["chromium"]
    if not Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists():
        missing.append("fonts-wqy-microhei")
    return missing


def _apt(args: list[str]) -> subprocess.CompletedProcess[str]:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(
        [*prefix, "apt-get", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, env=env
    )


def ensure_chromium() -> str:
    """The path of Debian's chromium, after installing it and the CJK font with apt-get if missing.

    A busy dpkg lock (another apt-get) is waited for, up to five minutes.
    """
    missing = _missing()
    if not missing:
        return CHROMIUM
    if shutil.which("apt-get") is None:
        raise RuntimeError(f"{missing} not installed and apt-get is not available")
    deadline = time.monotonic() + 300
    result = _apt(["install", "-y", "--no-install-recommends", *missing])
    while result.returncode != 0 and time.monotonic() < deadline:
        if "lock" not in result.stderr.lower():
            update = _apt(["update"])
            if update.returncode != 0:
                break
        else:
            time.sleep(5)
        result = _apt(["install", "-y", "--no-install-recommends", *_missing()])
    if _missing():
        raise RuntimeError(f"could not install {missing}: {result.stderr[-2000:]}")
    return CHROMIUM


async def photograph(page: Page, name: str, sizes: tuple[str, ...] = EVERY_PAGE) -> list[Path]:
    """Save ``page`` as ``{name}-{size}.png`` at each of ``sizes`` (full page); the viewport is restored."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    saved = []
    for size in sizes:
        width, height = SIZES[size]
        await page.set_viewport_size({"width": width, "height": height})
        path = SCREENSHOTS / f"{name}-{size}.png"
        await page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    if before:
        await page.set_viewport_size(before)
    return saved


AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: The axe-core impacts that fail a page: a serious or critical barrier for someone using it.
BLOCKING_IMPACTS = ("serious", "critical")


async def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's WCAG 2 A/AA and best-practice violations on ``page`` as it is now (vendored axe-core, injected
    through the DevTools protocol, so the page's Content-Security-Policy does not stop it)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return list(result)


async def assert_accessible(page: Page, name: str) -> None:
    """Fail when axe-core finds a serious or critical problem on ``page`` (``name`` says which page in the
    message)."""
    blocking = [v for v in await axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name}: axe-core found {blocking}"


async def sideways_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return int(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


#: Tap targets on phone and laptop pages (工信部 适老化: 44x44 at least; ours 48) and on kiosk pages (a care mode
#: all the time: 60x60 at least; ours 72); kiosk body text.
TAP_MIN_PX = 48
KIOSK_TAP_MIN_PX = 72
KIOSK_TEXT_MIN_PX = 24

_SMALL_TARGETS = """(minimum) => {
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && el.closest('[hidden]') === null
      && !el.classList.contains('skip');
  };
  // a link inside a sentence is exempt (WCAG 2.5.8 "inline"); a link alone in its line is a target
  const inline = (el) => el.tagName === 'A' && getComputedStyle(el).display === 'inline'
    && el.parentElement && el.parentElement.textContent.trim().length > el.textContent.trim().length + 2;
  return [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex="0"]')]
    .filter((el) => seen(el) && !inline(el) && el.getAttribute('role') !== 'region')
    // a check box or radio button is tapped through its label, which is its target
    .map((el) => [el, (/^(checkbox|radio)$/.test(el.type) && el.labels && el.labels.length
      ? el.labels[0] : el).getBoundingClientRect()])
    .filter(([, r]) => r.height < minimum - 0.5 || r.width < minimum - 0.5)
    .map(([el, r]) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.name || '')
      .trim().slice(0, 16)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
}"""

_SMALL_TEXT = """(minimum) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('script, style, .skip, [hidden], [aria-hidden=true]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || getComputedStyle(el).visibility === 'hidden') continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minimum - 0.01) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} `
      + `"${node.textContent.trim().slice(0, 16)}" ${size}px`);
  }
  return [...new Set(out)];
}"""


async def small_targets(page: Page, minimum: int = TAP_MIN_PX) -> list[str]:
    """The visible links, buttons, fields and other focusable controls narrower or lower than ``minimum`` CSS
    pixels (a link inside a sentence excepted), each as ``tag#id "label" WxH``."""
    return list(await page.evaluate(_SMALL_TARGETS, minimum))


async def small_text(page: Page, minimum: int = KIOSK_TEXT_MIN_PX) -> list[str]:
    """The visible text set smaller than ``minimum`` CSS pixels, each as ``tag#id "text" size``."""
    return list(await page.evaluate(_SMALL_TEXT, minimum))


_OTHER_LANGUAGE = """(lang) => {
  const cjk = /[\\u3400-\\u9fff]/;
  const latinWords = /[A-Za-z]{3,}(\\s+[A-Za-z]{2,}){1,}/;
  return [...document.querySelectorAll('main h1, main h2, main h3, main button, main label, main th, main legend')]
    .filter((el) => el.getClientRects().length && el.closest('[hidden]') === null)
    .filter((el) => !el.closest(lang === 'en' ? '[lang^=zh]' : '[lang=en]'))
    .map((el) => {
      const copy = el.cloneNode(true);
      copy.querySelectorAll(lang === 'en' ? '[lang^=zh]' : '[lang=en]').forEach((x) => x.remove());
      return copy.textContent.trim().replace(/\\s+/g, ' ');
    })
    .filter((t) => lang === 'en' ? cjk.test(t) : latinWords.test(t));
}"""


async def other_language(page: Page, lang: str) -> list[str]:
    """Headings, buttons, labels and table headers in ``main`` not in the page's language ``lang`` (``en``:
    Chinese characters; else: English words), except inside an element marked with the other ``lang``."""
    return list(await page.evaluate(_OTHER_LANGUAGE, lang))


def _code_pattern() -> re.Pattern[str]:
    """County, market and trade codes, ISO week codes and UTC offsets: what no Chinese page may show."""
    from services import geography, trades

    places = {m.county for m in geography.MARKETS} | {m.market_id for m in geography.MARKETS}
    words = sorted(places | {t.code for t in trades.TRADES}, key=len, reverse=True)
    named = r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])"
    return re.compile(named + r"|\d{4}-W\d\d|\+00:00|T\d\d:\d\d:\d\d")


CODES = _code_pattern()


async def shown_codes(page: Page) -> list[str]:
    """The codes (:data:`CODES`) in the page's visible text and its form controls' shown values."""
    shown = await page.evaluate(
        """() => document.body.innerText + "\\n" + [...document.querySelectorAll('select option:checked, input')]
             .filter(e => e.type !== 'hidden').map(e => e.textContent || e.value || '').join("\\n")"""
    )
    return sorted({m.group(0) for m in CODES.finditer(shown)})
