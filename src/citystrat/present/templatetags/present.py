"""Template filters of the presentation layer, available in every template (a builtin).

``{{ value|num:decimals }}``      a localised number (the indicator's decimals)
``{{ fraction|pct }}``            a fraction as a percentage (``|pct:1`` one decimal)
``{{ period|period }}``           a reporting period: 2024年度 / 2024년도 / FY2024
``{{ period|period_era }}``       令和6年度（2024年度） in Japanese, else as ``|period``
``{{ day|day }}``                 a date: 2025年3月31日 / March 31, 2025
``{{ moment|when }}``             a date and time
``{{ number_text|qty:unit }}``    a number with its unit: 28社 / 28개사 / 28 companies
``{{ items|listing }}``           a list with the language's separators
``{{ cls|status_class_word }}``   the word of a status class
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django import template

from citystrat import present
from citystrat.periods import Period

register = template.Library()


@register.filter
def num(value: Any, decimals: Any = None) -> str:
    places = int(decimals) if decimals not in (None, "") else None
    return present.number(value, places)


@register.filter
def pct(value: Any, places: Any = 0) -> str:
    return present.percent(value, int(places or 0))


@register.filter
def period(value: Period | None) -> str:
    return present.period_text(value) if value is not None else "–"


@register.filter
def period_era(value: Period | None) -> str:
    return present.period_text(value, era=True) if value is not None else "–"


@register.filter
def day(value: date | None) -> str:
    return present.date_text(value) if value else "–"


@register.filter
def when(value: datetime | None) -> str:
    return present.datetime_text(value) if value else "–"


@register.filter
def qty(value: Any, unit: Any) -> str:
    return present.quantity(str(value), str(unit or ""))


@register.filter
def listing(value: Iterable[Any]) -> str:
    return present.list_text(str(v) for v in value)


@register.filter
def status_class_word(value: str) -> str:
    return present.class_word(value)


@register.simple_tag
def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag of a language for ``<html lang>``: ja-easy -> ja, zh-hant -> zh-Hant."""
    return present.html_lang(code)


@register.simple_tag(takes_context=True)
def url_in(context: template.Context, code: str) -> str:
    """This page in another language: /vi/indicators/M1-1/ -> /zh-hant/indicators/M1-1/."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return f"/{code}/"
    return str(translate_url(request.get_full_path(), code))
