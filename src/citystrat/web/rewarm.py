"""After an approval, the most visited public pages are drawn again at once (#17).

A bump of the content version (:func:`citystrat.plans.cache.bump`) makes every cached
page unreachable.  Rather than leave the next visitor of each page to pay for it,
the home page and, for each changed indicator, its page and its measure's page are
requested again through the whole middleware stack, in each language the plan
publishes, so that the page cache (:mod:`citystrat.web.middleware`) holds them
finished in the new version.

``CITYSTRAT_REWARM``: ``"thread"`` (default: one background thread per process,
after the transaction committed; bumps that come while it runs are gathered into
its next round), ``"inline"`` (in the caller, for tests and scripts) or ``"off"``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection

from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: set[int] = set()
_home_pending = False
_running = False


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*":
            return host.lstrip(".")
    return "localhost"


def paths_for(indicator_ids: Collection[int]) -> list[str]:
    """The pages to draw again: home, and each changed indicator's page and measure page."""
    from citystrat.plans.models import Indicator
    from citystrat.plans.selectors import plan_get

    try:
        plan = plan_get()
    except LookupError:
        return []
    known = {code for code, _name in settings.LANGUAGES}
    languages = [c for c in (plan.published_languages or plan.languages or []) if c in known]
    pages = ["/"]
    rows = Indicator.objects.filter(plan=plan, pk__in=list(indicator_ids)).select_related("measure")
    for indicator in rows.order_by("pk"):
        pages.append(f"/indicators/{indicator.code}/")
        if indicator.measure is not None:
            pages.append(f"/measures/{indicator.measure.code}/")
    pages = list(dict.fromkeys(pages))
    return [f"/{lang}{page}" for lang in languages for page in pages]


def rewarm(indicator_ids: Collection[int]) -> list[tuple[str, int]]:
    """Request the pages of :func:`paths_for` anonymously; (path, status) of each."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler = WSGIHandler()
    factory = RequestFactory()
    done: list[tuple[str, int]] = []
    for path in paths_for(indicator_ids):
        request = factory.get(path, HTTP_HOST=_host())
        response = handler.get_response(request)
        done.append((path, response.status_code))
    return done


def _drain() -> None:
    global _running, _home_pending
    from django.db import connections

    try:
        while True:
            with _lock:
                if not _pending and not _home_pending:
                    _running = False
                    return
                ids = set(_pending)
                _pending.clear()
                _home_pending = False
            try:
                rewarm(ids)
            except Exception:  # a failed warm-up costs a visitor a slower page, no more
                logger.exception("re-warming the public pages failed")
    finally:
        connections.close_all()


def after_bump(indicator_ids: Collection[int]) -> None:
    """The :func:`citystrat.plans.cache.on_bump` listener."""
    global _running, _home_pending
    mode = getattr(settings, "CITYSTRAT_REWARM", "thread")
    if mode == "off":
        return
    if mode == "inline":
        rewarm(indicator_ids)
        return
    with _lock:
        _pending.update(indicator_ids)
        _home_pending = True
        if _running:
            return
        _running = True
    threading.Thread(target=_drain, name="citystrat-rewarm", daemon=True).start()
