"""Dates, months and fiscal years in the reader's language (CLDR via Babel).

No ISO date (``2025-03-31``) is shown in running text: :func:`date_text` gives
"2025年3月31日", "31 tháng 3, 2025", "March 31, 2025"; やさしい日本語 adds the
day of the week, "2025年3月31日（月）", as the easy-Japanese guidelines ask.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_skeleton, format_time
from django.utils import timezone
from django.utils.translation import pgettext

from citystrat.periods import Period, PeriodKind

from .locales import active, babel_locale

__all__ = [
    "date_range_text",
    "date_text",
    "datetime_text",
    "fiscal_year_text",
    "japanese_era",
    "month_text",
    "period_text",
    "year_text",
]

# Japanese eras by their first day (the era named on a fiscal year is the one in force on 1 April,
# except that FY2019 is 令和元年度 by the government's usage).
_ERAS = [
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
]


def date_text(value: date | None, lang: str | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if active(lang) == "ja-easy":
        weekday = format_date(value, "E", locale="ja")
        return f"{value.year}年{value.month}月{value.day}日（{weekday}）"
    return str(format_date(value, "long", locale=babel_locale(lang)))


def datetime_text(value: datetime, lang: str | None = None) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    time = format_time(local, "short", locale=babel_locale(lang))
    return f"{date_text(local.date(), lang)} {time}"


def date_range_text(start: date, end: date, lang: str | None = None) -> str:
    return pgettext("date range", "%(start)s – %(end)s") % {
        "start": date_text(start, lang),
        "end": date_text(end, lang),
    }


def month_text(value: date, lang: str | None = None) -> str:
    """A month of a year: 2023年8月 / 2023년 8월 / August 2023 / tháng 8 năm 2023."""
    return str(format_skeleton("yMMMM", value, locale=babel_locale(lang)))


def year_text(year: int, lang: str | None = None) -> str:
    """A calendar year: 2024年 / 2024년 / 2024 / năm 2024."""
    return pgettext("calendar year", "%(year)s") % {"year": year}


def japanese_era(fiscal_year: int) -> str:
    """The fiscal year in the Japanese era: 2024 -> 令和6, 2019 -> 令和元."""
    start = date(fiscal_year, 4, 1)
    if fiscal_year == 2019:
        return "令和元"
    for first, name in _ERAS:
        if start >= first:
            n = fiscal_year - first.year + 1
            return f"{name}{'元' if n == 1 else n}"
    return str(fiscal_year)


def fiscal_year_text(year: int, lang: str | None = None, *, era: bool = False) -> str:
    """A fiscal year in the language's own words: 2021年度, 2021년도, FY2021, năm tài chính 2021.

    ``era=True`` (Japanese reports): 令和6年度（2024年度）.
    """
    text = pgettext("fiscal year", "FY%(year)s") % {"year": year}
    if era and active(lang) == "ja":
        return f"{japanese_era(year)}年度（{text}）"
    return text


def period_text(period: Period, lang: str | None = None, *, era: bool = False) -> str:
    """A reporting period in the reader's language (see the functions above)."""
    if period.kind is PeriodKind.FISCAL_YEAR:
        return fiscal_year_text(period.year, lang, era=era)
    if period.kind is PeriodKind.CALENDAR_YEAR:
        return year_text(period.year, lang)
    if period.kind is PeriodKind.SURVEY_ROUND:
        if period.start.month == 1 and period.end.month == 12:
            return pgettext("survey round", "%(year)s survey") % {"year": year_text(period.year)}
        return pgettext("survey round", "%(month)s survey") % {"month": month_text(period.start)}
    return date_text(period.end, lang)
