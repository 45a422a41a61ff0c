"""The one presentation layer: how citystrat says things, in every language.

Pages, reports, the API's texts, e-mails and the command line all format
through this package, so a status, a number or a period reads the same
everywhere:

* :mod:`.words`    the status vocabulary (one word per status class and method status)
* :mod:`.figures`  numbers and percentages, one decimals rule per indicator
* :mod:`.dates`    dates, months, calendar and fiscal years (令和 in Japanese reports)
* :mod:`.grammar`  Korean particles, English articles, quantities with units, lists
* :mod:`.messages` the progress engine's explanations
* :mod:`.locales`  the ten languages: URL code, ``<html lang>``, CLDR locale

It sits just above ``progress`` and ``periods`` (it imports neither plans nor
anything above), so every layer may use it.
"""

from __future__ import annotations

from .dates import (
    date_range_text,
    date_text,
    datetime_text,
    fiscal_year_text,
    japanese_era,
    month_text,
    period_text,
    year_text,
)
from .figures import DASH, integer, number, percent, points, quantize
from .grammar import english, fill, finish, korean, list_text, quantity
from .locales import babel_locale, html_lang
from .messages import explain
from .words import (
    ACHIEVED_DEFINITION_DIFFERS,
    CAVEAT_WORDS,
    CLASSES,
    METHOD_NAMES,
    STATUS_WORDS,
    SURVEY_WORDS,
    Badge,
    badge,
    caveat_words,
    class_word,
    forecast_word,
    method_name,
    qualifier,
    status_word,
)

__all__ = [
    "ACHIEVED_DEFINITION_DIFFERS",
    "CAVEAT_WORDS",
    "CLASSES",
    "DASH",
    "METHOD_NAMES",
    "STATUS_WORDS",
    "SURVEY_WORDS",
    "Badge",
    "babel_locale",
    "badge",
    "caveat_words",
    "class_word",
    "date_range_text",
    "date_text",
    "datetime_text",
    "english",
    "explain",
    "fill",
    "finish",
    "fiscal_year_text",
    "forecast_word",
    "html_lang",
    "integer",
    "japanese_era",
    "korean",
    "list_text",
    "method_name",
    "month_text",
    "number",
    "percent",
    "period_text",
    "points",
    "qualifier",
    "quantity",
    "quantize",
    "status_word",
    "year_text",
]
