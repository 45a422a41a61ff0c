"""Japanese era years for fiscal years: 令和6年度（2024年度）.

Kept small and here until the shared presentation module (issue #14) owns
period words; it then replaces this.
"""

from __future__ import annotations

__all__ = ["era_year", "fiscal_year_ja"]

# (first Gregorian year named by the era for fiscal years, era name)
ERAS = ((2019, "令和"), (1989, "平成"), (1926, "昭和"))


def era_year(year: int) -> str:
    """The era year of fiscal year ``year``: 令和元年 for 2019, 令和6年 for 2024.

    A fiscal year from April is named by the era in force for most of it:
    FY2019 (April 2019 – March 2020) is 令和元年度 (Reiwa began 1 May 2019).
    """
    for first, name in ERAS:
        if year >= first:
            n = year - first + 1
            return f"{name}{'元' if n == 1 else n}年"
    return f"{year}年"


def fiscal_year_ja(year: int) -> str:
    """令和6年度（2024年度）."""
    return f"{era_year(year)}度（{year}年度）"
