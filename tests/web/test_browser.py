"""The public pages in real headless Chromium: every page in every published language,
axe-core, keyboard, no JS.

Screenshots (desktop and phone width, one page of each kind) go to test-artifacts/web/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import axe_violations

from .conftest import ALL_LANGS, HTML_LANG, LANGS

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def site(transactional_db, builtin_plan, live_server, public_paths):
    return live_server.url, public_paths


@pytest.fixture
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _name(lang: str, path: str, suffix: str) -> str:
    slug = path.strip("/").replace("/", "_") or "home"
    return f"{lang}_{slug}_{suffix}.png"


def _axe(page) -> list[dict]:
    return axe_violations(page, AXE_TAGS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_loads_and_has_no_axe_violations(browser, site, shots, lang):
    base, paths = site
    context = browser.new_context(viewport=DESKTOP, locale=lang)
    page = context.new_page()
    problems: dict[str, list[dict]] = {}
    shot: set[str] = set()
    for path in paths:
        response = page.goto(f"{base}/{lang}{path}")
        assert response is not None and response.status == 200, path
        assert page.get_attribute("html", "lang") == HTML_LANG[lang]
        hreflangs = page.eval_on_selector_all(
            "link[rel=alternate][hreflang]", "els => els.map(e => e.hreflang)"
        )
        assert sorted(hreflangs) == sorted([*(HTML_LANG[x] for x in LANGS), "x-default"])
        if page.locator(".chart[data-spec]").count():
            page.wait_for_selector(".chart[data-enhanced=true] svg", timeout=15000)
        violations = _axe(page)
        if violations:
            problems[path] = violations
        # A picture of one page of each kind (home, a measure, an indicator, ...): the rest
        # share its template, and each full-page picture costs as much as the axe run.
        kind = path.strip("/").split("/")[0] + ("/item" if path.count("/") > 2 else "")
        if kind not in shot or violations:
            shot.add(kind)
            page.screenshot(path=str(shots / _name(lang, path, "desktop")), full_page=True)
    context.close()
    assert problems == {}


@pytest.mark.parametrize("lang", LANGS)
def test_pages_fit_a_phone(browser, site, shots, lang):
    base, _paths = site
    context = browser.new_context(viewport=PHONE, locale=lang, is_mobile=True)
    page = context.new_page()
    problems = {}
    for path in ("/", "/indicators/M1-1/", "/comparisons/", "/partners/"):
        page.goto(f"{base}/{lang}{path}")
        if page.locator(".chart[data-spec]").count():
            page.wait_for_selector(".chart[data-enhanced=true] svg", timeout=15000)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (path, overflow)
        violations = _axe(page)
        if violations:
            problems[path] = violations
        page.screenshot(path=str(shots / _name(lang, path, "phone")), full_page=True)
    context.close()
    assert problems == {}


def test_language_switch_keeps_the_page(browser, site):
    base, _paths = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/en/indicators/M1-1/")
    page.click("nav.langs a[hreflang=ja]")
    page.wait_for_url(f"{base}/ja/indicators/M1-1/")
    assert page.get_attribute("html", "lang") == "ja"
    assert "本市の外国人宿泊者数" in page.inner_text("h1")
    page.click("nav.langs a[hreflang=ko]")
    page.wait_for_url(f"{base}/ko/indicators/M1-1/")
    assert "외국인 숙박객" in page.inner_text("h1")
    assert page.get_attribute("nav.langs a[hreflang=ko]", "aria-current") == "true"
    page.close()


def test_indicator_chart_and_its_table(browser, site, shots):
    base, _paths = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/en/indicators/M1-1/")
    page.wait_for_selector(".chart[data-enhanced=true] svg", timeout=15000)
    chart = page.locator("#chart")
    assert chart.get_attribute("role") == "img"
    assert "Foreign overnight guests" in (chart.get_attribute("aria-label") or "")
    # The interactive chart draws the four approved values and both targets as points.
    marks = page.locator("#chart svg path.mark-symbol, #chart svg g.mark-symbol path")
    assert marks.count() >= 6
    table = page.locator("#chart-table")
    cells = table.locator("tbody th").all_inner_texts()
    assert cells == ["2017", "2019", "2023", "2024"]
    assert "890,000" in table.inner_text()
    chart.screenshot(path=str(shots / "en_indicator_M1-1_chart.png"))
    page.close()


def test_keyboard_reaches_everything_with_a_visible_focus(browser, site):
    base, _paths = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip"
    box = page.locator(".skip").bounding_box()
    assert box is not None and box["x"] >= 0  # moved on screen when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # Every link can be reached with Tab, and each shows a focus ring.
    hrefs = set(page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"))
    seen = set()
    for _ in range(page.locator("a[href]").count() + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return [e.tagName, e.getAttribute('href'), s.outlineStyle, s.outlineWidth]; }"""
        )
        if info[0] == "A":
            seen.add(info[1])
            assert info[2] != "none" and info[3] != "0px", info
    assert seen >= hrefs - {"#main"}  # all but the skip link, already passed
    page.close()


def test_pages_work_without_javascript(browser, site):
    base, _paths = site
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/ja/indicators/M1-1/")
    assert page.locator("#chart svg").count() == 1  # drawn on the server
    assert "890,000" in page.locator("#chart-table").inner_text()
    page.goto(f"{base}/ja/comparisons/")
    assert page.locator("#chart svg").count() == 1
    context.close()


def test_every_language_has_no_axe_violations_at_desktop_and_phone(browser, site, shots):
    """One page per language and width (the indicator page: chart, tables, status words)."""
    base, _paths = site
    problems: dict[str, list[dict]] = {}
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, is_mobile=width == "phone")
        page = context.new_page()
        for lang in ALL_LANGS:
            response = page.goto(f"{base}/{lang}/indicators/M1-1/")
            assert response is not None and response.status == 200, lang
            assert page.get_attribute("html", "lang") == HTML_LANG[lang]
            page.wait_for_selector(".chart[data-enhanced=true] svg", timeout=15000)
            assert page.locator("[aria-label='Vega visualization']").count() == 0
            if width == "phone":
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth"
                    " - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (lang, overflow)
            violations = _axe(page)
            if violations:
                problems[f"{lang} {width}"] = violations
            page.screenshot(path=str(shots / _name(lang, "/indicators/M1-1/", width)))
        context.close()
    assert problems == {}
