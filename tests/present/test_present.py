"""The one presentation layer: numbers, periods, dates, grammar and status words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from citystrat import present, progress
from citystrat.periods import parse_period

FY2021 = parse_period("FY2021", "fiscal_year")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ja", "2021年度"),
        ("ko", "2021년도"),
        ("en", "FY2021"),
        ("vi", "năm tài chính 2021"),
        ("zh-hans", "2021财年"),
        ("zh-hant", "2021會計年度"),
        ("ne", "आर्थिक वर्ष 2021"),
        ("id", "tahun anggaran 2021"),
        ("tl", "taong piskal 2021"),
        ("ja-easy", "2021年度"),
    ],
)
def test_fiscal_year_in_each_language(lang: str, text: str) -> None:
    with translation.override(lang):
        assert present.period_text(FY2021) == text


def test_japanese_reports_add_the_era() -> None:
    with translation.override("ja"):
        assert present.period_text(parse_period("FY2024", "fiscal_year"), era=True) == (
            "令和6年度（2024年度）"
        )
        assert present.fiscal_year_text(2019, era=True) == "令和元年度（2019年度）"
        assert present.fiscal_year_text(2018, era=True) == "平成30年度（2018年度）"
    with translation.override("en"):
        assert present.fiscal_year_text(2024, era=True) == "FY2024"


def test_one_decimals_rule() -> None:
    with translation.override("en"):
        assert present.number(Decimal("77.70"), 1) == "77.7"
        assert present.number(77.749, 1) == "77.7"
        assert present.number(1234567, 0) == "1,234,567"
        assert present.number(None, 1) == "–"
        assert present.number(-0.01, 1) == "0.0"
        assert present.percent(0.2134) == "21.3%"
        assert present.points(-0.031) == "−3.1"
    with translation.override("vi"):
        assert present.number(Decimal("1234.5"), 1) == "1.234,5"
    with translation.override("ne"):
        assert present.number(1234567, 0) == "12,34,567"


def test_engine_explanations_use_the_indicator_decimals() -> None:
    message = progress.Message(
        "%(latest_period)s: %(latest)s, which does not meet the %(target_period)s target "
        "of %(target)s.",
        {"latest_period": "FY2024", "latest": 77.7, "target_period": "FY2027", "target": 80},
    )
    with translation.override("en"):
        text = present.explain(message, decimals=1)
    assert text == "FY2024: 77.7, which does not meet the FY2027 target of 80.0."
    assert "77.70" not in text


def test_korean_particles_follow_the_final_sound() -> None:
    assert present.korean("목표치 600,000을(를) 충족") == "목표치 600,000을 충족"
    assert present.korean("17.1%(으)로 예측") == "17.1%로 예측"
    assert present.korean("값 17.1%은(는)") == "값 17.1%는"
    assert present.korean("목표(으)로, 서울과(와) 도쿄") == "목표로, 서울과 도쿄"
    assert present.korean("<b>2024년</b>이(가)") == "<b>2024년</b>이"


def test_english_articles_before_numbers() -> None:
    assert present.english("a 8% chance") == "an 8% chance"
    assert present.english("a 11% chance and a 18,000 total") == "an 11% chance and an 18,000 total"
    assert present.english("a 9% chance, a 1,100 total, a 0.8 share") == (
        "a 9% chance, a 1,100 total, a 0.8 share"
    )


def test_quantities_and_lists() -> None:
    assert present.quantity("28", "개사", "ko") == "28개사"
    assert present.quantity("28", "社", "ja") == "28社"
    assert present.quantity("28", "companies", "en") == "28 companies"
    assert present.quantity("21.3", "%", "vi") == "21.3%"
    assert present.list_text(["A", "B", "C"], "ja") == "A、B、C"
    assert present.list_text(["A", "B", "C"], "en") == "A, B, and C"
    assert present.list_text(["A", "B", "C"], "vi") == "A, B và C"


def test_dates_by_cldr_and_weekday_in_easy_japanese() -> None:
    d = date(2025, 3, 31)
    assert present.date_text(d, "ja") == "2025年3月31日"
    assert present.date_text(d, "en") == "March 31, 2025"
    assert present.date_text(d, "ko") == "2025년 3월 31일"
    assert present.date_text(d, "ja-easy") == "2025年3月31日（月）"
    assert "-03-" not in present.date_text(d, "vi")


def test_one_word_per_status_class() -> None:
    with translation.override("ja"):
        words = {cls: present.class_word(cls) for cls in present.CLASSES}
    assert words == {
        progress.ACHIEVED: "達成",
        progress.ON_TRACK: "順調",
        progress.OFF_TRACK: "遅れ",
        progress.NOT_AVAILABLE: "判定不能",
    }


def test_furigana_from_the_analyser() -> None:
    from citystrat.present.furigana import ruby_html

    html = ruby_html("<p>外国人住民が増えています</p><script>var 漢字 = 1;</script>")
    assert "<ruby>外国人<rt>がいこくじん</rt></ruby>" in html
    assert "<ruby>増<rt>ふ</rt></ruby>え" in html
    assert "var 漢字 = 1;" in html
