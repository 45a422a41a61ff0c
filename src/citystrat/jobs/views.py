"""A job's page: a progress bar while it runs (refreshing itself, or updated by script),
then its result."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .progress import job_progress_state
from .selectors import job_get

REFRESH_SECONDS = 2


def _state(job: Any) -> dict[str, Any]:
    progress = job_progress_state(job)
    return {
        "status": job.status,
        "finished": job.finished,
        "done": progress["done"],
        "total": progress["total"],
        "percent": progress["percent"],
        "url": reverse("jobs:job", args=[job.pk]),
    }


def job_page(request: HttpRequest, job_id: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    job = job_get(actor=request.user, job_id=job_id)
    result = job.result if job.finished else None
    status = 422 if result is not None and not result.get("ok") else 200
    return render(
        request,
        "jobs/job.html",
        {
            "job": job,
            "state": _state(job),
            "result": result,
            "refresh": None if job.finished else REFRESH_SECONDS,
        },
        status=status,
    )


def job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not signed in"}, status=401)
    job = job_get(actor=request.user, job_id=job_id)
    return JsonResponse(_state(job))
