"""A job's page: a progress bar while it runs (refreshing itself, or updated by script),
then its result."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, can

from .models import Job
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
    return _page(request, job, result=result, status=status)


def _page(request: HttpRequest, job: Job, *, result: Any, status: int) -> HttpResponse:
    is_report = job.kind in (Job.Kind.REPORT, Job.Kind.BACKUP)  # a job that makes a file
    file_kept = None
    if is_report and job.status == Job.Status.DONE:
        from .services import job_file_path

        file_kept = job_file_path(job).is_file()
    return render(
        request,
        "jobs/job.html",
        {
            "job": job,
            "state": _state(job),
            "result": None if is_report else result,
            "report": result if is_report else None,
            "file_kept": file_kept,
            "keep_hours": settings.CITYSTRAT_JOB_FILES_KEEP_HOURS,
            "refresh": None if job.finished else REFRESH_SECONDS,
        },
        status=status,
    )


def job_file(request: HttpRequest, job_id: str) -> HttpResponseBase:
    """The finished file of a report job: for whoever asked for it (or an administrator)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    job = job_get(actor=request.user, job_id=job_id)
    if job.kind != Job.Kind.REPORT or job.status != Job.Status.DONE or not job.result:
        return _page(request, job, result=job.result if job.finished else None, status=404)
    if job.options.get("include_pending") and not can(request.user, Action.VIEW_PENDING):
        raise PermissionDenied(_("You may not see values waiting for review."))
    from .services import job_file_path

    path = job_file_path(job)
    if not path.is_file():  # removed after the retention period: ask for it again
        return _page(request, job, result=job.result, status=410)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.result.get("content_type") or "application/octet-stream",
    )


def job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not signed in"}, status=401)
    job = job_get(actor=request.user, job_id=job_id)
    return JsonResponse(_state(job))
