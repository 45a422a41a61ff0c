"""The ten interface languages: Django code, ``<html lang>``, Babel (CLDR) locale, names.

A language code is what appears in the URL (``/zh-hant/``) and in
``settings.LANGUAGES``; :func:`html_lang` is what a page declares (やさしい日本語
is Japanese, ``ja``), and :func:`babel_locale` is the CLDR locale whose
numbers, dates and list separators are used.
"""

from __future__ import annotations

import functools

from babel import Locale
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BABEL_LOCALES",
    "HTML_LANGS",
    "LANGUAGE_NAMES",
    "active",
    "babel_locale",
    "base",
    "html_lang",
]

# URL code -> CLDR locale (Babel).  やさしい日本語 uses Japanese formats; Filipino is CLDR "fil".
BABEL_LOCALES = {
    "ja": "ja",
    "ja-easy": "ja",
    "ko": "ko",
    "en": "en",
    "vi": "vi",
    "zh-hans": "zh_Hans",
    "zh-hant": "zh_Hant",
    "ne": "ne",
    "id": "id",
    "tl": "fil",
}

# URL code -> BCP 47 tag for <html lang> and lang="" attributes.
HTML_LANGS = {
    "ja": "ja",
    "ja-easy": "ja",
    "ko": "ko",
    "en": "en",
    "vi": "vi",
    "zh-hans": "zh-Hans",
    "zh-hant": "zh-Hant",
    "ne": "ne",
    "id": "id",
    "tl": "fil",
}


# Each language's name in the reader's language (the switcher uses each one's own name).
LANGUAGE_NAMES = {
    "ja": _("Japanese"),
    "ja-easy": _("Easy Japanese"),
    "ko": _("Korean"),
    "en": _("English"),
    "zh-hans": _("Simplified Chinese"),
    "zh-hant": _("Traditional Chinese"),
    "vi": _("Vietnamese"),
    "ne": _("Nepali"),
    "id": _("Indonesian"),
    "tl": _("Filipino"),
}


def active(lang: str | None = None) -> str:
    """The language to format for: ``lang`` or the active Django language."""
    return (lang or translation.get_language() or settings.LANGUAGE_CODE).lower()


def base(lang: str | None = None) -> str:
    """The language's family for grammar rules: ``ja-easy`` -> ``ja``, ``zh-hant`` -> ``zh``."""
    return active(lang).split("-")[0]


def html_lang(lang: str | None = None) -> str:
    code = active(lang)
    return HTML_LANGS.get(code, code)


@functools.lru_cache(maxsize=32)
def _locale(code: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(code, code.replace("-", "_")))


def babel_locale(lang: str | None = None) -> Locale:
    code = active(lang)
    try:
        return _locale(code)
    except (ValueError, LookupError):
        return _locale("en")
