"""Japanese periods, full-width digits and separators (the pure readers of cells)."""

from __future__ import annotations

import pytest

from citystrat.exchange.normalize import (
    CellError,
    canonical_header,
    period_token,
    resolve_period,
)


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("令和5年度", "fiscal_year", "FY2023"),
        ("R5", "fiscal_year", "FY2023"),
        ("Ｒ５年度", "fiscal_year", "FY2023"),
        ("令和元年度", "fiscal_year", "FY2019"),
        ("平成30年度", "fiscal_year", "FY2018"),
        ("H30", "fiscal_year", "FY2018"),
        ("2023年度", "fiscal_year", "FY2023"),
        ("２０２３年度", "fiscal_year", "FY2023"),
        ("FY2023", "fiscal_year", "FY2023"),
        ("fy 2023", "fiscal_year", "FY2023"),
        ("2023", "fiscal_year", "FY2023"),
        ("2023", "calendar_year", "2023"),
        ("2023年", "calendar_year", "2023"),
        ("令和5年", "calendar_year", "2023"),
        ("R5", "calendar_year", "2023"),
        ("2023", "survey_round", "2023"),
        ("2023年8月", "survey_round", "2023-08"),
        ("2023-08", "survey_round", "2023-08"),
        ("2023-12-31", "point_in_time", "2023-12-31"),
        ("2023/12/31", "point_in_time", "2023-12-31"),
        ("2023年12月31日", "point_in_time", "2023-12-31"),
    ],
)
def test_period_labels_staff_write(text: str, kind: str, label: str) -> None:
    assert resolve_period(period_token(text), kind).label == label


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("FY2023", "calendar_year"),
        ("令和5年度", "calendar_year"),
        ("2023年", "fiscal_year"),
        ("2023", "point_in_time"),
        ("2023-13", "survey_round"),
        ("2023-02-30", "point_in_time"),
    ],
)
def test_period_of_the_wrong_kind_is_refused(text: str, kind: str) -> None:
    with pytest.raises(CellError):
        resolve_period(period_token(text), kind)


@pytest.mark.parametrize("text", ["", "next year", "20234", "令和", "FY"])
def test_unreadable_period_says_so(text: str) -> None:
    with pytest.raises(CellError):
        period_token(text)


# Numbers are read by the one rule module: tests/observations/test_rules.py.


def test_headers_in_three_languages() -> None:
    assert canonical_header("指標コード") == "indicator"
    assert canonical_header("年度") == "period"
    assert canonical_header("実績値") == "value"
    assert canonical_header("출처") == "source"
    assert canonical_header("Source_EN") == "source:en"
    assert canonical_header("備考_ja") == "note:ja"
    assert canonical_header("unit") == "-"
    assert canonical_header("whatever") == ""
