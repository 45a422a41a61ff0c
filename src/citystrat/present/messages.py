"""The progress engine's one-sentence explanations, translated and formatted.

:func:`explain` is the one place an engine :class:`~citystrat.progress.Message`
becomes text: the msgid is translated, each number is formatted by the rule of
what it is (an indicator value with the indicator's decimals, a count as an
integer, a fraction as a percentage), and the sentence gets its grammar
(:func:`~citystrat.present.grammar.finish`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.utils.translation import gettext

from citystrat import progress
from citystrat.periods import PeriodError, PeriodKind, parse_period

from .dates import period_text
from .figures import number, percent
from .grammar import finish

__all__ = ["COUNT_PARAMS", "RATE_PARAMS", "explain", "period_label_text"]

COUNT_PARAMS = frozenset({"n", "good", "total", "years"})
# Changes per year: one place more than the indicator, so a slow change does not print "0".
RATE_PARAMS = frozenset({"required", "observed"})
SCORE_PARAMS = frozenset({"score"})


PERIOD_PARAMS = frozenset({"achieved_in", "passed"})


def _is_period(key: str) -> bool:
    return key.endswith("period") or key in PERIOD_PARAMS


def period_label_text(
    label: str, kind: PeriodKind | str | None = None, *, era: bool = False
) -> str:
    """A period label as the engine writes it (``FY2024``, ``2031``, ``2023-08``) in words."""
    text = label.strip()
    if text.upper().startswith("FY"):
        guess = PeriodKind.FISCAL_YEAR
    elif len(text) == 10:
        guess = PeriodKind.POINT_IN_TIME
    elif len(text) == 7:
        guess = PeriodKind.SURVEY_ROUND
    elif kind is not None and PeriodKind(kind) in (
        PeriodKind.CALENDAR_YEAR,
        PeriodKind.SURVEY_ROUND,
    ):
        guess = PeriodKind(kind)
    else:
        guess = PeriodKind.CALENDAR_YEAR
    try:
        return period_text(parse_period(text, guess), era=era)
    except PeriodError:
        return label


def _fallback_places(value: float) -> int:
    if float(value).is_integer():
        return 0
    return 0 if abs(value) >= 100 else (1 if abs(value) >= 1 else 3)


def explain(
    message: progress.Message,
    decimals: int | None = None,
    translate: Callable[[str], str] = gettext,
    lang: str | None = None,
    period_kind: PeriodKind | str | None = None,
    era: bool = False,
) -> str:
    """``message`` in the active language; values with ``decimals`` places (the indicator's).

    Period labels become words (``FY2024`` -> 2024年度); ``period_kind`` tells
    what a bare year is (a calendar year unless the indicator says survey round).
    """

    def fmt_number(value: float, key: str = "") -> str:
        if not math.isfinite(value):
            return "–"
        if key in COUNT_PARAMS:
            return number(value, 0, lang)
        if key in SCORE_PARAMS:
            return number(value, 1, lang)
        if decimals is None:
            return number(value, _fallback_places(value), lang)
        if key in RATE_PARAMS:
            return number(value, decimals + 1, lang)
        return number(value, decimals, lang)

    values: dict[str, str] = {}
    for key, raw in message.params.items():
        if raw is None:
            values[key] = "–"
        elif isinstance(raw, str):
            if key in message.translated:
                values[key] = translate(raw)
            else:
                values[key] = (
                    period_label_text(raw, period_kind, era=era) if _is_period(key) else raw
                )
        elif key in message.percent:
            values[key] = percent(float(raw), 1, lang)
        else:
            values[key] = fmt_number(float(raw), key)
    return finish(translate(message.msgid) % values, lang)
