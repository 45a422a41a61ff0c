"""Numbers in the reader's language (CLDR via Babel), with one rule for decimals.

Every figure of an indicator is shown with that indicator's ``decimals``, on
every page, report, API text and command: :func:`quantize` is the rule and
:func:`number` prints it, so "77.70" never appears for a one-decimal
indicator.  Unknown values are an en dash.
"""

from __future__ import annotations

import copy
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .locales import babel_locale

__all__ = ["DASH", "integer", "number", "percent", "points", "quantize"]

DASH = "–"

Numberish = int | float | Decimal | str | None


def _decimal(value: Numberish) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def quantize(value: Numberish, decimals: int | None) -> Decimal | None:
    """``value`` rounded half-up to ``decimals`` places (``None``: as given)."""
    d = _decimal(value)
    if d is None or decimals is None:
        return d
    return d.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)


def _apply(d: Decimal, decimals: int, lang: str | None, pattern_kind: str) -> str:
    loc = babel_locale(lang)
    formats = loc.percent_formats if pattern_kind == "percent" else loc.decimal_formats
    pattern = copy.copy(formats[None])
    pattern.frac_prec = (decimals, decimals)
    text: str = pattern.apply(d, loc)
    return text


def number(value: Numberish, decimals: int | None = 0, lang: str | None = None) -> str:
    """A localised number with grouping and exactly ``decimals`` places: ``342,649``.

    ``decimals=None`` keeps the value's own places (for figures with no indicator).
    """
    d = quantize(value, decimals)
    if d is None:
        return DASH
    places = int(decimals) if decimals is not None else max(0, -int(d.as_tuple().exponent))
    if d == 0:
        d = abs(d)  # no "-0"
    return _apply(d, places, lang, "decimal")


def integer(value: int | None, lang: str | None = None) -> str:
    return number(value, 0, lang)


def percent(fraction: Numberish, decimals: int = 1, lang: str | None = None) -> str:
    """A fraction as a localised percentage: ``0.2134`` -> ``21.3%``."""
    d = _decimal(fraction)
    if d is None:
        return DASH
    d = quantize(d * 100, decimals)
    assert d is not None
    if d == 0:
        d = abs(d)
    return _apply(d / 100, decimals, lang, "percent")


def points(change: Numberish, decimals: int = 1, lang: str | None = None) -> str:
    """A change of a rate, in percentage points, always signed: ``+3.2`` / ``−1.0``."""
    d = _decimal(change)
    if d is None:
        return DASH
    text = number(abs(d) * 100, decimals, lang)
    return ("+" if d >= 0 else "−") + text
