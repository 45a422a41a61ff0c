"""Finish every HTML page in the language it is in.

Templates fill sentences with ``{% blocktranslate %}``, where no Python code
sees the result; this middleware gives those sentences the same grammar as
the rest (:func:`citystrat.present.grammar.finish`): Korean particles chosen
by the preceding word, English articles before numbers.  For やさしい日本語 it
adds furigana (:mod:`citystrat.present.furigana`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
