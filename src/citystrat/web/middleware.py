"""The public page cache, served early in the middleware stack (#17).

A public page (``@cached_page``) is kept finished, as it left the inner middleware
(grammar finished, headers set), under its page key plus ``:final``.  A later
anonymous ``GET`` of the same path is answered here with one read of the shared
cache: before sessions, language negotiation, URL resolution, CSRF and the
rest.  Each page carries an ``ETag`` (a hash of its bytes) and
``Cache-Control: public, max-age=0, must-revalidate``, so a browser or a reverse
proxy may keep it and must ask again each time; ``If-None-Match`` with the current
tag is answered ``304 Not Modified``.  (No ``max-age``: an approved value shows at
once, the proxy's copy being revalidated against the current content version.)

Requests from signed-in people (a session cookie or an ``Authorization`` header)
are not served here; they read the content version afresh
(:func:`citystrat.plans.cache.fresh_stamps`), so the person who approved a value
never sees the page from before it, whichever server process answers.  Anonymous
visitors see it at most ``CITYSTRAT_STAMP_TTL`` seconds later (see
:mod:`citystrat.plans.cache`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from citystrat.plans import cache as plan_cache

from .views import PAGE_TIMEOUT, key_for

__all__ = ["PUBLIC_CACHE_CONTROL", "PageCacheMiddleware", "etag_of"]

PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Headers a finished page keeps (the outer middleware adds CSP, compression, security).
_KEPT = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Vary",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _signed_in(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def _language(self, request: HttpRequest) -> str | None:
        first = request.path.split("/", 2)[1] if request.path.count("/") >= 2 else ""
        return first if first in self.languages else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request) or request.method not in ("GET", "HEAD"):
            with plan_cache.fresh_stamps():
                return self.get_response(request)
        lang = self._language(request)
        if lang is None or request.META.get("QUERY_STRING") or request.method != "GET":
            return self.get_response(request)
        key = key_for(lang, request.path) + ":final"
        hit = cache.get(key)
        if hit is not None:
            return self._answer(request, hit)
        response = self.get_response(request)
        if (
            getattr(response, "citystrat_page_key", None) == key.removesuffix(":final")
            and response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            etag = etag_of(response.content)
            headers = [(name, response[name]) for name in _KEPT if response.has_header(name)]
            csp = getattr(response, "_csp_replace", None)
            cache.set(key, (response.content, headers, etag, csp), PAGE_TIMEOUT)
            response["ETag"] = etag
            response["Cache-Control"] = PUBLIC_CACHE_CONTROL
            if _matches(request, etag):
                return self._answer(request, (response.content, headers, etag, csp))
        return response

    def _answer(self, request: HttpRequest, hit: Any) -> HttpResponse:
        content, headers, etag, csp = hit
        response: HttpResponse
        if _matches(request, etag):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            if csp:
                response._csp_replace = csp  # type: ignore[attr-defined]
                response.xframe_options_exempt = True
        response["ETag"] = etag
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
        response["X-Citystrat-Cache"] = "hit"
        return response
