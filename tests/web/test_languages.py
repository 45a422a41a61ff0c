"""Ten interface languages: negotiation, the switcher, and no page in any language shows a
placeholder, an untranslated interface string, an ISO date in running text or another
language's fiscal year."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from .conftest import ALL_LANGS, HTML_LANG

# Placeholders that must never reach a reader.
PLACEHOLDERS = re.compile(
    r"%\([a-z_]+\)s|\{\{|\}\}|\{%|"
    r"을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|과\(와\)|와\(과\)|\(으\)|\(이\)"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Each language's own way of writing a fiscal year (citystrat.present.dates).
FISCAL_YEAR = {
    "ja": r"\d{4}年度",
    "ko": r"\d{4}년도",
    "en": r"\bFY\s?\d{4}",
    "vi": r"năm tài chính \d{4}",
    "zh-hans": r"\d{4}财年",
    "zh-hant": r"\d{4}會計年度",
    "ne": r"आर्थिक वर्ष \d{4}",
    "id": r"tahun anggaran \d{4}",
    "tl": r"taong piskal \d{4}",
}
FISCAL_YEAR["ja-easy"] = FISCAL_YEAR["ja"]
SKIP = {"script", "style", "svg", "rt", "code", "pre"}


class _Text(HTMLParser):
    """Running text of a page in its own language: scripts, drawings, furigana and passages
    marked as another language (visible fallbacks of plan content) are left out."""

    def __init__(self, page_lang: str) -> None:
        super().__init__()
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "meta", "link", "input", "hr", "source", "col"}:
            return
        lang = dict(attrs).get("lang")
        foreign = (lang is not None and lang != self.page_lang and tag != "html") or tag in SKIP
        self.stack.append((tag, foreign))

    def handle_endtag(self, tag):
        while self.stack:
            name, _foreign = self.stack.pop()
            if name == tag:
                break

    def handle_data(self, data):
        if not any(foreign for _tag, foreign in self.stack):
            self.parts.append(data)


def running_text(html: str, lang: str) -> str:
    parser = _Text(HTML_LANG[lang])
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _english_interface_strings() -> list[str]:
    """Interface msgids of the public pages that a translation must replace (3+ words)."""
    out = []
    for app in ("web", "plans", "present", "monitoring", "."):  # ".": the engine's catalogue
        path = Path(settings.PACKAGE_DIR) / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if not path.exists():
            continue
        po = polib.pofile(str(path))
        for entry in po:
            text = re.sub(r"%\([a-z_]+\)s|%%", "\0", entry.msgid)
            for piece in text.split("\0"):
                piece = piece.strip(" .,:;()")
                if len(piece.split()) >= 3 and "citystrat" not in piece:
                    out.append(piece)
    return out


def page_defects(html: str, lang: str, english: list[str]) -> list[str]:
    text = running_text(html, lang)
    found = [f"placeholder {m}" for m in PLACEHOLDERS.findall(text)]
    found += [f"ISO date {m}" for m in ISO_DATE.findall(text)]
    own = FISCAL_YEAR[lang]
    for other, pattern in FISCAL_YEAR.items():
        if pattern == own:
            continue
        for m in re.findall(pattern, text):
            if not re.fullmatch(own, m):
                found.append(f"{other} fiscal year {m!r}")
    if lang != "en":
        found += [f"untranslated {s!r}" for s in english if s in text]
    return found


def test_the_checks_catch_each_defect():
    english = ["Figures are approved values only"]
    bad = (
        '<html lang="ko"><body><p>600,000을(를) 2024-03-31 FY2021 %(period)s</p>'
        "<p>Figures are approved values only</p></body></html>"
    )
    found = page_defects(bad.replace('lang="ko"', 'lang="ja"'), "ja", english)
    assert any("placeholder" in f for f in found)
    assert any("ISO date" in f for f in found)
    assert any("fiscal year 'FY2021'" in f for f in found)
    assert any("untranslated" in f for f in found)
    ok = '<html lang="ja"><body><p>2021年度 <span lang="en">FY2021</span></p></body></html>'
    assert page_defects(ok, "ja", english) == []


@pytest.mark.parametrize("lang", ALL_LANGS)
def test_no_public_page_has_a_language_defect(client, public_paths, lang):
    english = _english_interface_strings()
    problems = {}
    for path in public_paths:
        response = client.get(f"/{lang}{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'<html lang="{HTML_LANG[lang]}">' in html
        found = page_defects(html, lang, english)
        if found:
            problems[path] = found
    assert problems == {}


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("vi", "vi"),
        ("vi-VN,vi;q=0.9,en;q=0.5", "vi"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-TW", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("ne-NP", "ne"),
        ("id-ID", "id"),
        ("fil-PH", "tl"),
        ("ko-KR", "ko"),
        ("ja", "ja"),
        ("fr", "en"),
        ("fr-FR,de;q=0.8", "en"),
        ("", "ja"),
    ],
)
def test_the_browser_language_is_negotiated(client, builtin_plan, header, lang):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    response = client.get("/", **extra)
    assert response.status_code == 302
    assert response["Location"] == f"/{lang}/"


def test_the_switcher_keeps_the_page_and_lists_complete_languages(client, builtin_plan_without_vi):
    html = client.get("/zh-hant/indicators/M1-1/").content.decode()
    nav = html[html.index('class="langs"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'href="/ja/indicators/M1-1/"' in nav and 'href="/en/indicators/M1-1/"' in nav
    assert 'aria-current="true"' in nav and "繁體中文" in nav  # the reader's own language
    # the plan's content is not translated into Vietnamese: not offered
    assert "/vi/" not in nav
    # every language the plan's content is complete in is offered
    for lang in ("ja-easy", "ko", "zh-hans", "ne", "id", "tl"):
        assert f'href="/{lang}/indicators/M1-1/"' in nav, lang


def test_unreviewed_translations_are_announced(client, builtin_plan):
    # the built-in plan's Japanese and English are translations nobody has reviewed
    ja = client.get("/ja/").content.decode()
    assert "まだ確認されていない翻訳" in ja
    ko = client.get("/ko/").content.decode()  # the source language
    assert "검토되지 않은 번역" not in ko


def test_easy_japanese_has_furigana_and_weekdays(client, builtin_plan):
    html = client.get("/ja-easy/").content.decode()
    assert '<html lang="ja">' in html
    assert re.search(r"<ruby>[^<]+<rt>[ぁ-ん]+</rt></ruby>", html)
    text = re.sub(r"<rt>.*?</rt>|<[^>]+>", "", html)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日（[月火水木金土日]）", text)


@pytest.mark.parametrize("lang", ALL_LANGS)
def test_not_found_page_is_styled_and_translated(client, builtin_plan, lang):
    response = client.get(f"/{lang}/indicators/NOPE/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{HTML_LANG[lang]}">' in html
    assert "site.css" in html
    if lang != "en":
        assert "Page not found" not in html
    assert page_defects(html, lang, _english_interface_strings()) == []
