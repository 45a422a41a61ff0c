"""Template filters of the public pages: percentages and bar widths."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.translation import get_language

from citystrat.i18n import pick
from citystrat.present.templatetags.present import pct

register = template.Library()


register.filter("pct", pct)  # the presentation layer's, also under {% load webtags %}


@register.filter
def bar_width(value: Any) -> str:
    """A fraction as a CSS width in percent, clipped to 0-100 (never localised)."""
    if value is None or value == "":
        return "0"
    return str(max(0, min(100, round(float(value) * 100))))


@register.simple_tag(takes_context=True)
def trplain(context: template.Context, obj: Any, field: str) -> str:
    """Like ``{% tr %}`` but plain text, for ``<title>`` and attributes (no fallback markup)."""
    plan = context.get("plan")
    fallbacks = [plan.default_language, plan.source_language] if plan is not None else []
    lang = get_language() or settings.LANGUAGE_CODE
    return pick(getattr(obj, field, None), lang, fallbacks).text


@register.filter
def yen(value: Any) -> str:
    """An amount of yen, localised with grouping: 1298765.5 -> '¥1,298,766' / '1,298,766円'."""
    from decimal import Decimal

    from django.utils.translation import gettext as _

    from citystrat.present import DASH, number

    if value is None or value == "":
        return DASH
    amount = Decimal(str(value))
    places = 0 if amount == amount.to_integral_value() else 2
    return _("¥%(amount)s") % {"amount": number(amount, places)}


@register.filter
def caveat_words(observation: Any) -> list[str]:
    """The words of an observation's caveats (``provisional`` included), in the active language."""
    from citystrat.present import caveat_words as words

    codes = getattr(observation, "all_caveats", None)
    return words(codes) if codes else []
