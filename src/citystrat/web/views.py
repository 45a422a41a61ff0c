"""Public pages: no login, approved values only, cached per language, path and content version."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from citystrat.actions.selectors import public_evidence_get
from citystrat.exchange import exports
from citystrat.observations.evidence import evidence_response
from citystrat.observations.selectors import approved_observations
from citystrat.plans import cache as plan_cache
from citystrat.plans.selectors import plan_get, plan_tree

from . import action_pages, pages

PAGE_TIMEOUT = 24 * 3600

View = Callable[..., HttpResponse]


_plan_meta: dict[str, tuple[int, str]] = {}  # content version -> (plan id, time zone)


def _plan_stamp(version: str) -> str:
    """The shown plan's id and today's date in its time zone, without a query on a cache hit
    (held in this process per content version, so a hit reads no more than the page)."""
    meta = _plan_meta.get(version)
    if meta is None:
        key = f"citystrat:page-plan:{version}"
        meta = cache.get(key)
        if meta is None:
            try:
                plan = plan_get()
            except LookupError:
                return "-"
            meta = (plan.pk, plan.timezone or "UTC")
            cache.set(key, meta, PAGE_TIMEOUT)
        _plan_meta.clear()  # one version is current; older ones are never asked again
        _plan_meta[version] = meta
    pk, tz = meta
    return f"{pk}:{datetime.now(ZoneInfo(tz)).date().isoformat()}"


def key_for(lang: str, path: str) -> str:
    """The page cache's key of ``path`` in ``lang`` in the current content version."""
    version = plan_cache.version()
    sample = int(bool(settings.CITYSTRAT_SAMPLE_DATA))
    return f"citystrat:page:{version}:{_plan_stamp(version)}:{sample}:{lang}:{path}"


def page_key(request: HttpRequest) -> str:
    """Language + path + content version + the plan and its today (assessments change by date)."""
    return key_for(get_language() or settings.LANGUAGE_CODE, request.path)


def cached_page(view: View) -> View:
    """Serve a public page from the cache; render and store it on a miss.

    Keys carry :func:`citystrat.plans.cache.version`, which is bumped whenever
    a value is approved or the plan changes, so a stale page is never served.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = page_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response["X-Citystrat-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            headers = [
                (name, response[name])
                for name in ("Content-Type", "Content-Disposition")
                if response.has_header(name)
            ]
            cache.set(key, (response.content, headers), PAGE_TIMEOUT)
            # The page cache middleware keeps the finished page under this key too.
            response.citystrat_page_key = key  # type: ignore[attr-defined]
        response["X-Citystrat-Cache"] = "miss"
        return response

    return wrapper


@require_safe
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", pages.home_page())


@require_safe
@cached_page
def measure(request: HttpRequest, code: str) -> HttpResponse:
    context = pages.measure_page(code)
    context.update(action_pages.measure_actions(context["plan"], context["measure"]))
    return render(request, "web/measure.html", context)


@require_safe
@cached_page
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "web/indicator.html", pages.indicator_page(code))


FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.indicator_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.indicator_xlsx,
    ),
    "json": ("application/json", exports.indicator_json),
}


@require_safe
@cached_page
def indicator_data(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(fmt)
    plan = plan_tree(plan_get().pk)
    found = [i for i in plan.indicators.all() if i.code == code]
    if not found:
        raise Http404(code)
    content_type, write = FORMATS[fmt]
    observations = approved_observations(plan, indicator_ids=[found[0].pk]).get(found[0].pk, [])
    response = HttpResponse(write(plan, found[0], observations), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{code}.{fmt}"'
    return response


@require_safe
@cached_page
def projects(request: HttpRequest) -> HttpResponse:
    return render(request, "web/projects.html", action_pages.projects_page())


@require_safe
@cached_page
def project(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "web/action.html", action_pages.action_page(code, project_only=True))


@require_safe
@cached_page
def action(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "web/action.html", action_pages.action_page(code))


@require_safe
def action_evidence(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """An evidence file of an approved update; 404 for any other (never says which exist)."""
    evidence = public_evidence_get(plan_get(), code, pk)
    if evidence is None:
        raise Http404
    return evidence_response(evidence, private=False)


def _filtered(view: View) -> View:
    """A list page with GET filters: the unfiltered page is cached, filtered ones are not."""
    cached = cached_page(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET:
            return view(request, *args, **kwargs)
        return cached(request, *args, **kwargs)

    return wrapper


@require_safe
@_filtered
def actions(request: HttpRequest) -> HttpResponse:
    return render(request, "web/actions.html", action_pages.actions_page(request.GET))


@require_safe
@_filtered
def indicators(request: HttpRequest) -> HttpResponse:
    return render(request, "web/indicators.html", action_pages.indicators_page(request.GET))


@require_safe
@cached_page
def partners(request: HttpRequest) -> HttpResponse:
    return render(request, "web/partners.html", pages.partners_page())


@require_safe
@cached_page
def partner(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "web/partner.html", pages.partner_page(code))


@require_safe
@cached_page
def comparisons(request: HttpRequest) -> HttpResponse:
    return render(request, "web/comparisons.html", pages.comparisons_page())


@require_safe
@cached_page
def methodology(request: HttpRequest) -> HttpResponse:
    return render(request, "web/methodology.html", pages.methodology_page())
