"""Finish every HTML page in the language it is in.

Templates fill sentences with ``{% blocktranslate %}``, where no Python code
sees the result; this middleware gives those sentences the same grammar as
the rest (:func:`citystrat.present.grammar.finish`): Korean particles chosen
by the preceding word, English articles before numbers.  For やさしい日本語 it
adds furigana (:mod:`citystrat.present.furigana`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from .grammar import finish
from .html import map_text
from .locales import base


class FinishMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or response.status_code in (301, 302, 304)
        ):
            return response
        lang = translation.get_language() or ""
        if base(lang) not in ("ja", "ko", "en"):
            return response
        charset = response.charset or "utf-8"
        text = response.content.decode(charset)
        if lang == "ja-easy":
            from .furigana import ruby_html

            text = ruby_html(text)
        elif lang == "ko":
            text = finish(text, lang)  # particles may follow markup: <strong>600,000</strong>을(를)
        else:
            text = map_text(text, lambda part: finish(part, lang))
        response.content = text.encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


def negotiate(request: HttpRequest) -> str:
    """The language of a request: URL prefix, then cookie, then the browser's preference.

    A browser preferring a supported language gets it (``zh-CN`` -> ``zh-hans``,
    ``zh-TW`` -> ``zh-hant``, ``vi`` -> ``vi``); one that asks only for others
    (``fr``) gets ``CITYSTRAT_FALLBACK_LANGUAGE`` (English), not the default
    Japanese; a request with no preference at all gets ``CITYSTRAT_DEFAULT_LANGUAGE``.
    """
    from_path = translation.get_language_from_path(request.path_info)
    if from_path:
        return from_path
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        try:
            return translation.get_supported_language_variant(cookie)
        except LookupError:
            pass
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "").strip()
    if not header:
        return str(getattr(settings, "CITYSTRAT_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE))
    for code, _q in parse_accept_lang_header(header):
        if code == "*":
            break
        if code.split("-")[0] == "fil":  # browsers say Filipino as "fil"; the site says "tl"
            code = "tl"
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(getattr(settings, "CITYSTRAT_FALLBACK_LANGUAGE", "en"))


class NegotiationMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (prefix redirects) with :func:`negotiate` choosing."""

    def process_request(self, request: HttpRequest) -> None:
        language = negotiate(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
