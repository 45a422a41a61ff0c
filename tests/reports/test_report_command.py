"""`citystrat report`: the annual report and the mid-term review as PDF, XLSX and HTML.

The PDFs are read back with poppler (pdftotext, pdffonts) and page 1 is
rendered to PNG into test-artifacts/ for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from citystrat.reports.xlsx import rate_formula

from .conftest import poppler

HEADINGS = {
    "ja": {
        "annual": "年次進捗報告書",
        "midterm": "中間見直し",
        "words": ["目次", "概要", "代表指標", "目標値の改定", "データの出典", "評価方法"],
        "review": "中間見直しで検討すべき事項",
        "font": "Noto-Sans-CJK-JP",
    },
    "ko": {
        "annual": "연차 진행 보고서",
        "midterm": "중간 검토",
        "words": ["목차", "개요", "대표 지표", "목표치 수정", "데이터 출처", "평가 방법"],
        "review": "중간 검토에서 검토할 사항",
        "font": "Noto-Sans-CJK-KR",
    },
    "en": {
        "annual": "Annual progress report",
        "midterm": "Mid-term review",
        "words": [
            "Contents",
            "Summary",
            "Headline indicators",
            "Target revisions",
            "Data sources",
            "Methodology",
        ],
        "review": "For the mid-term review to consider",
        "font": "Noto-Sans-CJK-JP",
    },
}
AS_OF = "2025-03-31"


def _report(tmp_path: Path, kind: str, lang: str, fmt: str = "pdf", *extra: str) -> Path:
    out = tmp_path / f"{kind}-{lang}.{fmt}"
    call_command(
        "report",
        "--kind",
        kind,
        "--as-of",
        AS_OF,
        "--lang",
        lang,
        "--format",
        fmt,
        "-o",
        out,
        *extra,
    )
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang", ["ja", "ko", "en"])
def test_pdf_reports_in_each_language(builtin_plan, tmp_path, artifacts_dir, lang) -> None:
    expected = HEADINGS[lang]
    for kind in ("annual", "midterm"):
        pdf = _report(tmp_path, kind, lang)
        text = _squash(poppler("pdftotext", "-layout", pdf, "-"))
        assert expected[kind] in text
        for word in expected["words"]:
            assert word in text, (kind, word)
        # M1-1, foreign overnight guests: 890,000 in 2024 against the 2031 target of 800,000.
        assert "890,000" in text and "800,000" in text and "342,649" in text
        assert (expected["review"] in text) is (kind == "midterm")
        assert "DRAFT —" not in text and "SAMPLE DATA" not in text
        info = poppler("pdfinfo", pdf)
        assert re.search(r"Tagged:\s+yes", info)  # PDF/UA: structure for screen readers
        fonts = poppler("pdffonts", pdf).splitlines()[2:]
        cjk = [f for f in fonts if expected["font"] in f]
        assert cjk, fonts
        for line in fonts:  # every font embedded (emb column "yes")
            assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line
        poppler(
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf,
            artifacts_dir / f"report-{kind}-{lang}-page1",
        )
        assert (artifacts_dir / f"report-{kind}-{lang}-page1.png").stat().st_size > 10_000


def test_midterm_lists_met_targets_for_the_review(builtin_plan, tmp_path) -> None:
    html = _report(tmp_path, "midterm", "en", "html").read_text()
    assert "Mid-term review in the fourth year (FY2027)" in html  # the plan's milestone
    assert "April 1, 2024 – March 31, 2032" in html  # the plan period
    section = html.split('id="recommendations"')[1].split("</section>")[0]
    met = section.split("Targets already met")[1].split("Targets that look out of reach")[0]
    # 890,000 (2024) already meets both the 2027 (600,000) and 2031 (800,000) targets.
    assert "M1-1" in met and "600,000" in met and "800,000" in met
    cannot = section.split("Indicators the review cannot judge yet")[1]
    assert "M1-2" in cannot and "P2-1" in cannot
    annual = _report(tmp_path, "annual", "en", "html").read_text()
    assert 'id="recommendations"' not in annual


def test_draft_and_sample_data_are_marked_on_every_page(builtin_plan, tmp_path, settings) -> None:
    settings.CITYSTRAT_SAMPLE_DATA = True
    pdf = _report(tmp_path, "annual", "ja", "pdf", "--include-pending")
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", pdf)).group(1))  # type: ignore[union-attr]
    assert pages > 5
    for page in range(1, pages + 1):
        text = poppler("pdftotext", "-f", str(page), "-l", str(page), pdf, "-")
        # The Japanese report carries the draft and sample marks in Japanese (案, サンプルデータ).
        assert "案 — サンプルデータ" in text and "草案" in text, page


def test_evaluation_sheet_layout_in_japanese(builtin_plan, tmp_path) -> None:
    html = _report(tmp_path, "annual", "ja", "html", "--layout", "evaluation-sheet").read_text()
    assert html.count('<section class="sheet"') == 5  # one sheet per measure
    sheet = html.split('<section class="sheet"')[1]
    for term in [
        "施策評価シート",
        "目的",
        "指標",
        "基準値",
        "目標値",
        "実績",
        "達成度",
        "評価",
        "課題",
        "今後の方向性",
    ]:
        assert term in sheet, term


def test_xlsx_is_formatted_not_a_dump(builtin_plan, tmp_path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(_report(tmp_path, "midterm", "ja", "xlsx"))
    assert wb.sheetnames[:3] == ["概要", "指標", "期間別の値"]
    assert "中間見直し" in wb.sheetnames
    ws = wb["指標"]
    header = [c.value for c in ws[1]]
    assert header[0] == "指標" and "達成率" in header
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("E8EEF4")
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref
    row = next(r for r in ws.iter_rows(min_row=2) if str(r[0].value).startswith("M1-1 "))
    latest = row[header.index("最新値")]
    assert latest.value == 890000 and latest.number_format == "#,##0"
    rate = row[header.index("達成率")]
    # A formula over the cells it comes from, so it can be audited in Excel.
    n = rate.row
    assert rate.number_format == "0.0%"
    assert rate.value == rate_formula(f"D{n}", f"H{n}", f"F{n}")
    base, target, last = (ws[f"{c}{n}"].value for c in "DHF")
    assert (base, target, last) == (342649, 600000, 890000)  # the current (2027) target
    assert ws.page_setup.orientation == "landscape"


def test_bad_options_are_refused_with_the_option_named(builtin_plan, tmp_path) -> None:
    out = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match="--as-of: '2025-13-01'"):
        call_command(
            "report",
            "--kind",
            "annual",
            "--as-of",
            "2025-13-01",
            "--lang",
            "ja",
            "--format",
            "pdf",
            "-o",
            out,
        )
    with pytest.raises(CommandError, match="--lang: 'fr'"):
        call_command(
            "report",
            "--kind",
            "annual",
            "--as-of",
            AS_OF,
            "--lang",
            "fr",
            "--format",
            "pdf",
            "-o",
            out,
        )
    with pytest.raises(CommandError, match="-o: the folder"):
        call_command(
            "report",
            "--kind",
            "annual",
            "--as-of",
            AS_OF,
            "--lang",
            "ja",
            "--format",
            "pdf",
            "-o",
            tmp_path / "missing" / "r.pdf",
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["ja", "ko", "en"])
def test_html_report_prints_no_raw_numbers(builtin_plan, tmp_path, lang) -> None:
    html = _report(tmp_path, "midterm", lang, "html").read_text()
    # Every figure goes through localisation: grouped thousands, never a bare 890000.
    for raw in ("890000", "342649", "800000", "600000", "182353"):
        assert raw not in html
    assert "890,000" in html and "342,649" in html


def test_xlsx_evaluation_sheets_one_per_measure(builtin_plan, tmp_path) -> None:
    from openpyxl import load_workbook

    out = _report(tmp_path, "annual", "ko", "xlsx", "--layout", "evaluation-sheet")
    wb = load_workbook(out)
    sheets = [name for name in wb.sheetnames if name.startswith("기본 시책 ")]
    assert sheets == [f"기본 시책 {n}" for n in range(1, 6)]
    ws = wb["기본 시책 1"]
    labels = [row[0].value for row in ws.iter_rows()]
    for label in [
        "시책",
        "주관 부서",
        "목적(대상·의도)",
        "1차 평가",
        "2차 평가",
        "종합 평가",
        "향후 방향성",
    ]:
        assert label in labels, label
    values = [c.value for row in ws.iter_rows() for c in row]
    assert 890000 in values and 342649 in values
    rates = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("=IF(")]
    assert rates and all(c.number_format == "0.0%" for c in rates)
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.orientation == "portrait"


def _font_files() -> dict[str, tuple[str, int]]:
    """The name WeasyPrint gives an installed font ("Noto-Sans-CJK-JP-Bold") -> file, index."""
    import subprocess

    out = subprocess.run(
        ["fc-list", "--format", "%{family[0]}\t%{style[0]}\t%{file}\t%{index}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names: dict[str, tuple[str, int]] = {}
    for line in out.splitlines():
        family, style, path, index = line.split("\t")
        name = family if style == "Regular" else f"{family} {style}"
        names.setdefault(name.replace(" ", "-"), (path, int(index or 0)))
    return names


@pytest.mark.parametrize(
    ("lang", "font", "words"),
    [
        ("vi", "Noto-Sans", ["năm tài chính 2024", "tháng"]),
        # pdftotext maps some shaped Devanagari clusters (र्ष) back to other letters, though
        # the page draws them right (the PNG below): words without such clusters.
        ("ne", "Noto-Sans-Devanagari", ["कुमामोटो सहर", "स्वीकृत मान", "2024"]),
    ],
)
def test_vietnamese_and_nepali_midterm_pdfs_have_every_glyph(
    builtin_plan, tmp_path, artifacts_dir, lang, font, words
) -> None:
    from fontTools.ttLib import TTCollection, TTFont

    pdf = _report(tmp_path, "midterm", lang)
    text = poppler("pdftotext", pdf, "-")
    # pdftotext splits shaped Devanagari clusters with spaces: compare without them
    for word in words:
        assert word.replace(" ", "") in re.sub(r"\s+", "", text), word
    assert "目次" not in text and "対象期間" not in text  # no Japanese interface fallback
    lines = poppler("pdffonts", pdf).splitlines()[2:]
    embedded = [line.split()[0].split("+", 1)[-1] for line in lines]
    assert any(name.startswith(font) for name in embedded), embedded
    for line in lines:
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line
    # Every character of the text is drawn by a font the PDF embeds: no missing glyph.
    files = _font_files()
    covered: set[int] = set()
    for name in embedded:
        assert name in files, f"{name} is not an installed font"
        path, index = files[name]
        font_file = TTCollection(path).fonts[index] if path.endswith(".ttc") else TTFont(path)
        covered |= set(font_file.getBestCmap())
    missing = {c for c in text if not c.isspace() and ord(c) not in covered}
    assert missing == set()
    page = artifacts_dir / f"report-midterm-{lang}-page1"
    poppler("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf, page)
    assert page.with_suffix(".png").stat().st_size > 10_000
