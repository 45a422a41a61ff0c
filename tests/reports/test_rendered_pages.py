"""Rendered pages, read back with poppler: what a reader sees on paper.

- the page number is printed on every page and nothing overlaps it (the SAMPLE
  DATA stamp used to sit on it);
- the running headers print;
- no table header word and no number is split across lines ("Chanc/e",
  "1,68/1,990"), in English, Korean (words break between words only) and
  Japanese (the evaluation sheet);
- header cells carry their Scope in the tagged PDF.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from citystrat.evaluations.sample import sample_evaluations_generate
from citystrat.monitoring.sample_services import sample_observations_generate
from citystrat.reports.render import make_report

from .conftest import poppler

AS_OF = date(2027, 6, 30)
NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Word) -> bool:
        return not (
            self.x1 <= other.x0 or other.x1 <= self.x0 or self.y1 <= other.y0 or other.y1 <= self.y0
        )


def _layout(pdf: Path) -> list[list[list[list[Word]]]]:
    """pages -> blocks -> lines -> words, from pdftotext -bbox-layout."""
    xml = poppler("pdftotext", "-bbox-layout", pdf, "-")
    root = ET.fromstring(xml)
    pages = []
    for n, page in enumerate(root.iter(f"{NS}page"), start=1):
        blocks = []
        for block in page.iter(f"{NS}block"):
            lines = []
            for line in block.iter(f"{NS}line"):
                words = [
                    Word(
                        n,
                        w.text or "",
                        *(float(w.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")),
                    )
                    for w in line.iter(f"{NS}word")
                ]
                lines.append(words)
            blocks.append(lines)
        pages.append(blocks)
    return pages


class _Cells(HTMLParser):
    """The words of every header cell and every number cell of the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.numeric = False
        self.tokens: set[str] = set()
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"th", "td"}:
            cls = dict(attrs).get("class") or ""
            if tag == "th" or "n" in cls.split():
                self.depth, self._text = 1, []
        elif tag == "br" and self.depth:
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"th", "td"} and self.depth:
            self.depth = 0
            for token in "".join(self._text).split():
                if len(token) >= 3:
                    self.tokens.add(token)

    def handle_data(self, data: str) -> None:
        if self.depth:
            self._text.append(data)


def _split_tokens(pages: list[list[list[list[Word]]]], tokens: set[str]) -> list[str]:
    """Header or number tokens whose letters run on from one line to the next."""
    out = []
    for blocks in pages:
        for lines in blocks:
            for above, below in itertools.pairwise(lines):
                if not above or not below:
                    continue
                joined = above[-1].text + below[0].text
                if joined in tokens:
                    out.append(f"page {above[-1].page}: {above[-1].text!r} / {below[0].text!r}")
    return out


def _page_number_problems(pages: list[list[list[list[Word]]]]) -> list[str]:
    problems = []
    total = len(pages)
    for n, blocks in enumerate(pages, start=1):
        words = [w for lines in blocks for line in lines for w in line]
        lines = [line for lines in blocks for line in lines]
        number = next(
            (line for line in lines if " ".join(w.text for w in line).endswith(f"{n} / {total}")),
            None,
        )
        if number is None:
            problems.append(f"page {n}: no page number '{n} / {total}'")
            continue
        box = [w for w in number if w.text in {str(n), "/", str(total)}][-3:]
        for w in words:
            if w in number:
                continue
            if any(w.overlaps(b) for b in box):
                problems.append(f"page {n}: {w.text!r} overlaps the page number")
    return problems


@pytest.fixture
def sample_plan(builtin_plan, settings):  # type: ignore[no-untyped-def]
    settings.CITYSTRAT_SAMPLE_DATA = True
    sample_observations_generate(plan=builtin_plan, until=AS_OF, seed=7)
    sample_evaluations_generate(plan=builtin_plan, until=AS_OF, seed=7)
    return builtin_plan


@pytest.mark.parametrize(
    ("lang", "layout"), [("en", "standard"), ("ko", "standard"), ("ja", "evaluation-sheet")]
)
def test_page_numbers_are_clear_and_no_header_word_is_split(
    sample_plan, tmp_path: Path, lang: str, layout: str
) -> None:
    kw = {"kind": "annual", "as_of": AS_OF, "lang": lang, "layout": layout}
    html = make_report(sample_plan, fmt="html", **kw).decode()
    pdf = tmp_path / f"{lang}.pdf"
    pdf.write_bytes(make_report(sample_plan, fmt="pdf", **kw))
    pages = _layout(pdf)
    assert _page_number_problems(pages) == []
    cells = _Cells()
    cells.feed(html)
    assert len(cells.tokens) > 20
    assert _split_tokens(pages, cells.tokens) == []
    text = poppler("pdftotext", "-f", "3", "-l", "3", pdf, "-")
    # The stamp, in the top margin, in the report's language.
    assert {"en": "SAMPLE DATA", "ko": "샘플 데이터", "ja": "サンプルデータ"}[lang] in text
    assert re.search(r"(As of|기준|現在)", text)  # the running header prints
    if lang == "ja":
        # The 施策評価シート names departments, money, actions and the evaluation record.
        full = poppler("pdftotext", pdf, "-")
        for term in ["主管課", "関係課", "事業費", "予算額", "決算額", "主な取組", "一次評価"]:
            assert term in full, term
        for term in ["二次評価", "総合評価", "今後の方向性", "前年度評価への対応", "審議会"]:
            assert term in full, term
        assert "（サンプル）観光政策課" in full or "（サンプル）国際課" in full
        assert "令和8年度（2026年度）" in full and "FY20" not in full
    structure = poppler("pdfinfo", "-struct", pdf)
    headers = len(re.findall(r"^\s*TH\b", structure, re.M))
    scopes = re.findall(r"/Scope /(Column|Row)", structure)
    assert headers > 20 and len(scopes) == headers
    assert {"Column", "Row"} <= set(scopes)


def test_the_check_catches_a_split_word() -> None:
    line1 = [Word(1, "Chanc", 0, 0, 10, 5)]
    line2 = [Word(1, "e", 0, 6, 3, 11)]
    assert _split_tokens([[[line1, line2]]], {"Chance"}) == ["page 1: 'Chanc' / 'e'"]
    number = [
        Word(1, "1", 90, 100, 92, 104),
        Word(1, "/", 93, 100, 94, 104),
        Word(1, "1", 95, 100, 97, 104),
    ]
    stamp = [Word(1, "SAMPLE", 85, 99, 99, 105)]
    assert _page_number_problems([[[number], [stamp]]]) == [
        "page 1: 'SAMPLE' overlaps the page number"
    ]
