"""Security headers and database trouble, for every response.

- :class:`StaffNoStoreMiddleware`: every staff response (staff pages, admin, the API with
  a token or a session, anything a signed-in person sees) is ``Cache-Control: private,
  no-store``, so pending values never land in a shared or browser cache.
- :class:`EmbeddingMiddleware`: public pages may be framed only by the origins a plan
  opts in to (its plan file's ``embed.allowed_origins``, or the operator's
  ``CITYSTRAT_EMBED_ORIGINS``); everything else keeps
  ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``.  Sits after django-csp's
  middleware in ``MIDDLEWARE`` so its change reaches the policy.
- :class:`DatabaseTroubleMiddleware`: a lost race (``database is locked`` on SQLite, a
  serialization failure or a concurrent insert on PostgreSQL) is a 409 page with the
  optimistic lock's "someone else changed this, reload" message; a full disk is a 507
  page that says so.  Never a raw ``OperationalError``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from citystrat.observations.dbtrouble import (
    CONFLICT,
    DISK_FULL,
    classify,
    conflict_message,
    disk_full_message,
)

__all__ = ["DatabaseTroubleMiddleware", "EmbeddingMiddleware", "StaffNoStoreMiddleware"]

logger = logging.getLogger("citystrat.observations.dbtrouble")
Handler = Callable[[HttpRequest], HttpResponse]
STAFF_PREFIXES = ("/admin/", "/api/")


def is_staff_request(request: HttpRequest) -> bool:
    path = request.path
    if "/staff/" in path or path.startswith(STAFF_PREFIXES):
        return True
    if request.headers.get("Authorization"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class StaffNoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_staff_request(request) and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "private, no-store"
            response["Pragma"] = "no-cache"
            if "Expires" in response:
                del response["Expires"]
        return response


# scheme://host[:port], as the plan schema allows: nothing that could end the directive.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


def embed_origins(plan_code: str | None = None) -> list[str]:
    """The origins allowed to frame a plan's public pages (none unless opted in).

    The plan file's ``embed.allowed_origins`` and, for the operator, the setting
    ``CITYSTRAT_EMBED_ORIGINS`` (plan code to origins); ``plan_code`` None is the first
    plan, the one the public pages show.
    """
    from citystrat.plans.models import Plan

    plans = Plan.objects.order_by("id")
    if plan_code is not None:
        plans = plans.filter(code=plan_code)
    row = plans.values_list("code", "embed_origins").first()
    if row is None:
        return []
    code, declared = row
    configured: dict[str, list[str]] = getattr(settings, "CITYSTRAT_EMBED_ORIGINS", {})
    origins = [*(declared or []), *configured.get(code, [])]
    return [o for o in dict.fromkeys(origins) if isinstance(o, str) and _ORIGIN.fullmatch(o)]


class EmbeddingMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not is_staff_request(request)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            origins = embed_origins()
            if origins:
                response._csp_replace = {"frame-ancestors": origins}  # type: ignore[attr-defined]
                response.xframe_options_exempt = True
        return response


class DatabaseTroubleMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = classify(exception)
        if kind is None:
            return None
        if kind == CONFLICT:
            status, message = 409, conflict_message()
        else:
            status, message = 507, disk_full_message()
        logger.warning("%s on %s %s: %s", kind, request.method, request.path, exception)
        if request.path.startswith("/api/"):
            from citystrat.api.errors import error_response

            code = "conflict" if kind == CONFLICT else "disk_full"
            response = error_response(status, code, message)
            from rest_framework.renderers import JSONRenderer

            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
            response.renderer_context = {}  # type: ignore[attr-defined]
            response.render()
            return response
        body: str
        try:
            body = render_to_string(
                "web/trouble.html",
                {"message": message, "status": status, "conflict": kind == CONFLICT},
                request=request,
            )
        except Exception:  # the page itself needs the database; say it plainly
            body = f"<!DOCTYPE html><title>{status}</title><p>{escape(message)}</p>"
        return HttpResponse(body, status=status)


__all__ += ["DISK_FULL", "embed_origins", "is_staff_request"]
